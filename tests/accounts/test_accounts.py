"""Accounts (API.md "Accounts"): create_account command, POST /api/v1/accounts/ within the caller's
scope, Chinese errors, nothing written when refused, and an audit event for each account."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import User
from tests.conftest import api_as
from zhucun.models import AuditEvent
from zhucun.testing.world import PASSWORD, World


@pytest.mark.django_db
def test_create_account_command_makes_the_first_provincial_account() -> None:
    call_command("create_account", "admin", role="province_org", scope="13", password=PASSWORD)
    user = User.objects.get(username="admin")
    assert user.role == "province_org"
    assert user.region_id == "13"
    assert user.check_password(PASSWORD)
    assert AuditEvent.objects.filter(action="account.create", object_id=str(user.pk), actor=None).exists()


@pytest.mark.django_db
def test_create_account_command_refuses_a_scope_of_the_wrong_level() -> None:
    with pytest.raises(CommandError, match="应绑定县级区划"):
        call_command("create_account", "x", role="county_org", scope="13", password=PASSWORD)
    assert not User.objects.filter(username="x").exists()


def test_a_county_creates_a_township_account_in_its_county(world: World) -> None:
    response = api_as(world.personas["county"]).post(
        reverse("api:account-list"),
        {"username": "zhen2", "password": PASSWORD, "role": "township", "scope": "130102002"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json() == {
        "id": response.json()["id"],
        "username": "zhen2",
        "role": "township",
        "scope": "130102002",
        "scope_name": "甲二镇",
        "is_active": True,
        "last_login": None,
    }
    event = AuditEvent.objects.get(action="account.create", object_id=str(response.json()["id"]))
    assert event.actor == world.personas["county"]
    assert event.region_code == "130102002"


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"role": "township", "scope": "130104001"}, "scope", "不在您的管辖范围内"),
        ({"role": "township", "scope": "130102"}, "scope", "应绑定乡镇级区划"),
        ({"role": "city_org", "scope": "1301"}, "role", "只能创建下级账号"),
        ({"role": "county_org", "scope": "130102"}, "role", "只能创建下级账号"),
        ({"role": "township", "scope": "130102002", "password": "123"}, "password", ""),
        ({"role": "township", "scope": "130102002", "username": "p_city"}, "username", "已被使用"),
        ({"role": "mayor", "scope": "130102002"}, "role", ""),
    ],
)
def test_account_creation_is_refused_with_a_chinese_message_and_writes_nothing(
    world: World, body: dict[str, str], field: str, message: str
) -> None:
    before = (User.objects.count(), AuditEvent.objects.count())
    payload = {"username": "newbie", "password": PASSWORD, **body}
    response = api_as(world.personas["county"]).post(reverse("api:account-list"), payload, format="json")
    assert response.status_code == 400
    errors = response.json()[field]
    assert message in " ".join(errors)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in " ".join(errors)), errors  # a Chinese message
    assert (User.objects.count(), AuditEvent.objects.count()) == before


def test_a_county_may_bind_an_account_to_a_unit_of_its_county_but_not_another_countys(world: World) -> None:
    client = api_as(world.personas["county"])
    ok = client.post(
        reverse("api:account-list"),
        {"username": "u_b", "password": PASSWORD, "role": "unit", "scope": str(world.units["B"].pk)},
        format="json",
    )
    assert ok.status_code == 201, ok.content
    refused = client.post(
        reverse("api:account-list"),
        {"username": "u_c", "password": PASSWORD, "role": "unit", "scope": str(world.units["C"].pk)},
        format="json",
    )
    assert refused.status_code == 400


def test_a_cadre_gets_one_account_only(world: World) -> None:
    client = api_as(world.personas["county"])
    payload = {"username": "c1", "password": PASSWORD, "role": "cadre", "scope": str(world.members["A"].pk)}
    assert client.post(reverse("api:account-list"), payload, format="json").status_code == 201
    again = client.post(reverse("api:account-list"), {**payload, "username": "c2"}, format="json")
    assert again.status_code == 400
    assert "已有账号" in again.json()["scope"][0]


def test_token_login_returns_a_token_and_refuses_a_wrong_password_in_chinese(world: World) -> None:
    from rest_framework.test import APIClient

    client = APIClient()
    ok = client.post(reverse("api:auth-token"), {"username": "p_county", "password": PASSWORD}, format="json")
    assert ok.status_code == 200
    token = ok.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(reverse("api:team-list")).json()["count"] == 2
    bad = APIClient().post(reverse("api:auth-token"), {"username": "p_county", "password": "nope"}, format="json")
    assert bad.status_code == 400
    assert "无法使用提供的认证信息登录" in str(bad.json())


def test_the_account_page_creates_an_account_and_shows_refusals_next_to_the_field(world: World) -> None:
    from django.test import Client

    client = Client()
    client.force_login(world.personas["county"])
    refused = client.post(
        reverse("account-create"),
        {"username": "zhen_c", "password": PASSWORD, "role": "township", "scope": "130104001"},
    )
    assert refused.status_code == 200
    assert "不在您的管辖范围内" in refused.content.decode()
    assert not User.objects.filter(username="zhen_c").exists()
    created = client.post(
        reverse("account-create"),
        {"username": "zhen_b", "password": PASSWORD, "role": "township", "scope": "130102002"},
        follow=True,
    )
    assert "已创建账号 zhen_b" in created.content.decode()
    listing = client.get(reverse("account-list") + "?search=zhen_b").content.decode()
    assert "甲二镇" in listing
