"""Password rules (issue 10 item 4): a password like the username is refused, and every refusal —
length, common, numeric, similar — is a Chinese message naming the password field, on the API, the
account page and the command line."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.conftest import api_as
from zhucun.testing.world import World


def _create(world: World, username: str, password: str) -> tuple[int, dict[str, list[str]]]:
    response = api_as(world.personas["county"]).post(
        reverse("api:account-list"),
        {"username": username, "password": password, "role": "township", "scope": "130102002"},
        format="json",
    )
    return response.status_code, response.json()


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab3$", "至少 8 个字符"),
        ("password", "太常见"),
        ("1234567890123", "不能全是数字"),
        ("longzhou99", "与用户名太相似"),
        ("LongZhou99!", "与用户名太相似"),
    ],
)
def test_a_weak_password_is_refused_with_a_chinese_message(world: World, password: str, message: str) -> None:
    status, body = _create(world, "longzhou99", password)
    assert status == 400, body
    messages = " ".join(body["password"])
    assert message in messages, messages
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in body["password"]), messages
    assert not User.objects.filter(username="longzhou99").exists()


def test_the_account_page_shows_the_similarity_refusal_in_chinese(world: World) -> None:
    client = Client()
    client.force_login(world.personas["county"])
    response = client.post(
        reverse("account-create"),
        {"username": "shangbei", "password": "shangbei2026", "role": "township", "scope": "130102002"},
    )
    assert "与用户名太相似" in response.content.decode()
    assert not User.objects.filter(username="shangbei").exists()


@pytest.mark.django_db
def test_the_command_line_refuses_a_short_password_in_chinese() -> None:
    with pytest.raises(CommandError, match="至少 8 个字符"):
        call_command("create_account", "admin", role="province_org", scope="13", password="Ab3$")
