"""The API token authentication reads token, user, cadre, team and village in one hand-written query
(accounts/authentication.py, B1 in docs/performance.md): the objects must be exactly those the ORM
loads, with every field converted the same way, and nothing left to load lazily."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.authentication import token_with_cadre
from accounts.models import ApiToken, User
from accounts.services import token_issue
from cadres.models import Cadre, Region, Team
from zhucun.testing.world import PASSWORD, World

pytestmark = pytest.mark.django_db


def _values(obj: Model) -> dict[str, Any]:
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


def test_a_cadres_token_brings_user_cadre_team_and_village_as_the_orm_loads_them(world: World) -> None:
    account = world.personas["cadre"]
    key = token_issue(user=account)
    with CaptureQueriesContext(connection) as queries:
        token = token_with_cadre(key)
        assert token is not None and token.user.cadre is not None
        village = token.user.cadre.team.village
    assert len(queries) == 1
    assert _values(token) == _values(ApiToken.objects.get(user=account))
    assert _values(token.user) == _values(User.objects.get(pk=account.pk))
    assert account.cadre_id is not None and token.user.cadre is not None
    cadre = Cadre.objects.get(pk=account.cadre_id)
    assert _values(token.user.cadre) == _values(cadre)
    assert _values(token.user.cadre.team) == _values(Team.objects.get(pk=cadre.team_id))
    assert _values(village) == _values(Region.objects.get(pk=cadre.team.village_id))
    assert village.latitude is not None and not isinstance(village.latitude, (str, float))  # a Decimal


def test_an_officials_token_has_no_cadre_and_needs_no_further_query(world: World) -> None:
    account = world.personas["township"]
    key = token_issue(user=account)
    with CaptureQueriesContext(connection) as queries:
        token = token_with_cadre(key)
        assert token is not None and token.user.cadre is None
    assert len(queries) == 1
    assert _values(token.user) == _values(User.objects.get(pk=account.pk))
    # a whole user: passwords, roles and grants work as usual (called: a bound method is always true)
    assert token.user.check_password(PASSWORD) and not token.user.check_password(PASSWORD + "x")


def test_an_unknown_token_is_none() -> None:
    assert token_with_cadre("f" * 40) is None


def test_a_deactivated_account_is_refused_at_once(world: World) -> None:
    account = world.personas["cadre"]
    key = token_issue(user=account)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/signins/").status_code == 200
    User.objects.filter(pk=account.pk).update(is_active=False)
    response = client.get("/api/v1/signins/")
    assert response.status_code == 401
    assert "停用" in response.json()["detail"]
