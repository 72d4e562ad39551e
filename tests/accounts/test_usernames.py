"""Usernames are normalized (NFKC, then case-folded) and restricted to ASCII letters, digits, ``_ . -``
and Han characters (issue 10 item 4, decision 0047): look-alikes, invisible and control characters
cannot make a second account that reads like the first; every refusal is Chinese and names the field."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import User
from accounts.usernames import normalize_username, validate_username
from tests.conftest import api_as
from zhucun.models import AuditEvent
from zhucun.testing.world import PASSWORD, World


def _create(world: World, username: str) -> tuple[int, dict[str, Any]]:
    response = api_as(world.personas["county"]).post(
        reverse("api:account-list"),
        {"username": username, "password": PASSWORD, "role": "township", "scope": "130102002"},
        format="json",
    )
    return response.status_code, response.json()


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("LONGZHOU", "longzhou"),
        ("ＬｏｎｇＺｈｏｕ", "longzhou"),  # full-width forms fold to ASCII (NFKC)
        ("Zhang.San-2", "zhang.san-2"),
        ("龙州镇", "龙州镇"),
        ("龙州zhen_01", "龙州zhen_01"),
    ],
)
def test_usernames_are_normalized_to_one_canonical_form(raw: str, canonical: str) -> None:
    assert normalize_username(raw) == canonical
    assert validate_username(raw) == canonical


def test_an_account_created_as_uppercase_is_stored_lowercase(world: World) -> None:
    status, body = _create(world, "LONGZHOU2")
    assert status == 201, body
    assert body["username"] == "longzhou2"
    assert User.objects.filter(username="longzhou2").exists()


def test_an_uppercase_twin_of_an_existing_account_is_refused(world: World) -> None:
    assert _create(world, "zhen_b")[0] == 201
    status, body = _create(world, "ZHEN_B")
    assert status == 400
    assert "已被使用" in body["username"][0]
    assert User.objects.filter(username__iexact="zhen_b").count() == 1


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("xingtang\u200b", "不可见字符"),  # zero-width space
        ("xing\u200dtang", "不可见字符"),  # zero-width joiner
        ("\ufeffxingtang", "不可见字符"),  # byte-order mark
        ("xing\u202etang", "文字方向控制字符"),  # right-to-left override
        ("xing\u2066tang", "文字方向控制字符"),  # left-to-right isolate
        ("xing\x00tang", "控制字符"),
        ("xing\x1btang", "控制字符"),
        ("xing tang", "空格"),
        ("xing\u3000tang", "空格"),  # ideographic space
        ("xing\ttang", "控制字符"),
        ("xingt\u0430ng", "西里尔字母"),  # Cyrillic а among Latin letters
        ("\u0430\u0440\u0440", "西里尔字母"),  # all Cyrillic, reads as "app"
        ("xing\u03bftang", "希腊字母"),  # Greek omicron
        ("xing@tang", "只能使用"),
        ("x" * 151, "不能超过"),
        ("_xingtang", "开头"),
        ("", "不能为空"),
    ],
)
def test_a_username_with_hidden_or_look_alike_characters_is_refused_in_chinese(
    world: World, username: str, message: str
) -> None:
    before = (User.objects.count(), AuditEvent.objects.count())
    status, body = _create(world, username)
    assert status == 400, body
    assert message in " ".join(body["username"]), body
    assert _is_chinese(" ".join(body["username"]))
    assert (User.objects.count(), AuditEvent.objects.count()) == before


def test_the_account_page_refuses_a_zero_width_username_next_to_the_field(world: World) -> None:
    client = Client()
    client.force_login(world.personas["county"])
    response = client.post(
        reverse("account-create"),
        {"username": "xingtang\u200b", "password": PASSWORD, "role": "township", "scope": "130102002"},
    )
    assert response.status_code == 200
    assert "不可见字符" in response.content.decode()
    assert not User.objects.filter(username__startswith="xingtang").exists()


def test_the_account_page_stores_the_normalized_username(world: World) -> None:
    client = Client()
    client.force_login(world.personas["county"])
    client.post(
        reverse("account-create"),
        {"username": "ShangBei", "password": PASSWORD, "role": "township", "scope": "130102002"},
    )
    assert User.objects.filter(username="shangbei").exists()


@pytest.mark.django_db
def test_create_account_command_normalizes_and_refuses_look_alikes() -> None:
    call_command("create_account", "ADMIN", role="province_org", scope="13", password=PASSWORD)
    assert User.objects.filter(username="admin").exists()
    with pytest.raises(CommandError, match="已被使用"):
        call_command("create_account", "Admin", role="province_org", scope="13", password=PASSWORD)
    with pytest.raises(CommandError, match="西里尔字母"):
        call_command("create_account", "\u0430dmin", role="province_org", scope="13", password=PASSWORD)


def test_login_with_any_case_reaches_the_one_account(world: World) -> None:
    """The token API and the login form both fold the username: LONGZHOU logs in as longzhou."""
    ok = APIClient().post(reverse("api:auth-token"), {"username": "P_COUNTY", "password": PASSWORD}, format="json")
    assert ok.status_code == 200, ok.content
    client = Client()
    response = client.post(reverse("login"), {"username": "P_County", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).wsgi_request.user.username == "p_county"


def test_the_database_refuses_two_usernames_differing_only_in_case(world: World) -> None:
    """Data written around the services (the admin, a shell) still cannot make a case twin."""
    User.objects.create(username="twin")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create([User(username="TWIN")])  # bypasses every normalization in Python


def test_validate_username_raises_a_field_error_for_the_service() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_username("bad\u200bname")
    assert "不可见字符" in caught.value.messages[0]
