"""Device tokens (issue 10 item 3, decision 0046): one per login and device, stored as a digest,
expiring after ZHUCUN_TOKEN_IDLE_DAYS without use, revoked by logout, a password change or reset,
deactivation, and by an organization department from the cadre's page — without adding a query to
the morning sign-in."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken, User
from accounts.services import token_issue
from accounts.tokens import digest_of
from zhucun.models import AuditEvent
from zhucun.testing.world import PASSWORD, World

SIGNIN = "/api/v1/signins/"
INSIDE = {"latitude": "38.000100", "longitude": "114.500100"}


def _login(username: str, password: str = PASSWORD, **extra: str) -> str:
    response = APIClient().post(
        reverse("api:auth-token"), {"username": username, "password": password, **extra}, format="json"
    )
    assert response.status_code == 200, response.content
    return str(response.json()["token"])


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _works(key: str) -> bool:
    return _client(key).get(reverse("api:team-list")).status_code == 200


def test_each_login_is_a_device_with_its_own_token_stored_only_as_a_digest(world: World) -> None:
    phone = _login("p_cadre", device="张三的手机")
    tablet = _login("p_cadre", device="平板")
    assert phone != tablet and len(phone) == 40
    assert _works(phone) and _works(tablet)
    rows = ApiToken.objects.filter(user=world.personas["cadre"])
    assert sorted(rows.values_list("device", flat=True)) == ["平板", "张三的手机"]
    assert {row.digest for row in rows} == {digest_of(phone), digest_of(tablet)}
    stored = " ".join(f"{row.digest} {row.device}" for row in rows)
    assert phone not in stored and tablet not in stored  # the key itself is nowhere in the table


def test_a_token_unused_for_the_idle_period_is_refused_and_deleted(world: World, settings: object) -> None:
    key = _login("p_cadre")
    ApiToken.objects.update(last_used=timezone.now() - dt.timedelta(days=31))
    response = _client(key).get(reverse("api:team-list"))
    assert response.status_code == 401
    assert "过期" in response.json()["detail"] and "30" in response.json()["detail"]
    assert not ApiToken.objects.exists()


def test_the_idle_period_is_a_setting(world: World, settings: object) -> None:
    settings.ZHUCUN_TOKEN_IDLE_DAYS = 7  # type: ignore[attr-defined]
    key = _login("p_cadre")
    ApiToken.objects.update(last_used=timezone.now() - dt.timedelta(days=8))
    assert not _works(key)


def test_a_token_in_use_stays_alive_and_records_when_it_was_last_used(world: World) -> None:
    key = _login("p_cadre")
    twenty_days_ago = timezone.now() - dt.timedelta(days=20)
    ApiToken.objects.update(last_used=twenty_days_ago)
    assert _works(key)
    assert ApiToken.objects.get().last_used > timezone.now() - dt.timedelta(minutes=1)
    ApiToken.objects.update(last_used=timezone.now() - dt.timedelta(days=20))
    assert _works(key)  # refreshed: 20 + 20 days of use, never 30 idle


def test_last_used_is_refreshed_at_most_once_per_interval(world: World) -> None:
    key = _login("p_cadre")
    recent = timezone.now() - dt.timedelta(minutes=5)
    ApiToken.objects.update(last_used=recent)
    assert _works(key)
    assert ApiToken.objects.get().last_used == recent  # within ZHUCUN_TOKEN_TOUCH_MINUTES: not written


def test_a_signin_with_a_token_due_for_refresh_still_costs_two_queries_on_postgresql(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The refresh rides in the lookup (a data-modifying CTE) on PostgreSQL; elsewhere it is one
    UPDATE per device per interval (ZHUCUN_TOKEN_TOUCH_MINUTES), never per request. Measured in the
    morning window: a sign-in after the window also looks for the day's coverage alert (decision 0075)."""
    from zhucun.policy import profile_on

    morning = dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    monkeypatch.setattr(timezone, "now", lambda: morning)
    profile_on(timezone.localdate())
    key = _login("p_cadre")
    ApiToken.objects.update(last_used=timezone.now() - dt.timedelta(hours=2))
    with CaptureQueriesContext(connection) as queries:
        response = _client(key).post(SIGNIN, {"client_id": str(uuid.uuid4()), **INSIDE}, format="json")
    assert response.status_code in (200, 201), response.content
    expected = 2 if connection.vendor == "postgresql" else 3
    assert len(queries) == expected, [q["sql"] for q in queries]
    assert ApiToken.objects.get().last_used > timezone.now() - dt.timedelta(minutes=1)


def test_logout_revokes_the_callers_token_only(world: World) -> None:
    phone, tablet = _login("p_cadre"), _login("p_cadre")
    response = _client(phone).post(reverse("api:auth-logout"))
    assert response.status_code == 204
    assert _client(phone).get(reverse("api:team-list")).status_code == 401
    assert _works(tablet)
    assert AuditEvent.objects.filter(action="auth.token_logout", actor=world.personas["cadre"]).exists()


def test_changing_ones_password_signs_out_every_device_and_other_session_but_not_this_one(world: World) -> None:
    key = _login("p_county")
    other_browser = Client()
    other_browser.force_login(world.personas["county"])
    this_browser = Client()
    this_browser.force_login(world.personas["county"])
    response = this_browser.post(
        reverse("password-change"), {"old_password": PASSWORD, "new_password": "Another-pass-2027"}
    )
    assert response.status_code == 302, response.content.decode()
    assert not _works(key)
    assert not ApiToken.objects.exists()
    assert other_browser.get(reverse("account-list")).status_code == 302  # back to the login page
    assert this_browser.get(reverse("account-list")).status_code == 200
    event = AuditEvent.objects.get(action="auth.password_change")
    assert event.after == {"tokens_revoked": 1}


def test_a_wrong_old_password_changes_nothing(world: World) -> None:
    client = Client()
    client.force_login(world.personas["county"])
    response = client.post(reverse("password-change"), {"old_password": "nope", "new_password": "Another-pass-2027"})
    assert "原密码不正确" in response.content.decode()
    assert User.objects.get(username="p_county").check_password(PASSWORD)


def test_a_password_set_anywhere_revokes_the_tokens(world: World) -> None:
    """The admin and a shell save through User.save: no path keeps an old device alive."""
    key = _login("p_cadre")
    user = User.objects.get(username="p_cadre")
    user.set_password("Another-pass-2027")
    user.save()
    assert not _works(key)


def test_deactivating_an_account_signs_it_out_everywhere(world: World) -> None:
    key = _login("p_cadre")
    browser = Client()
    browser.force_login(world.personas["cadre"])
    county = Client()
    county.force_login(world.personas["county"])
    response = county.post(reverse("account-set-active", args=[world.personas["cadre"].pk]), {"active": "0"})
    assert response.status_code == 302
    assert not ApiToken.objects.exists()
    assert _client(key).get(reverse("api:team-list")).status_code == 401
    assert browser.get(reverse("attendance-today")).status_code == 302
    event = AuditEvent.objects.get(action="account.deactivate")
    assert event.actor == world.personas["county"]
    assert (event.before, event.after) == ({"is_active": True}, {"is_active": False})


def test_an_org_department_resets_a_password_and_every_device_and_session_ends(world: World) -> None:
    key = _login("p_cadre")
    browser = Client()
    browser.force_login(world.personas["cadre"])
    county = Client()
    county.force_login(world.personas["county"])
    url = reverse("account-reset-password", args=[world.personas["cadre"].pk])
    weak = county.post(url, {"password": "p_cadre1"}, follow=True)
    assert "与用户名太相似" in weak.content.decode()
    assert county.post(url, {"password": "Reset-pass-2027"}).status_code == 302
    assert not _works(key)
    assert browser.get(reverse("attendance-today")).status_code == 302
    assert User.objects.get(username="p_cadre").check_password("Reset-pass-2027")
    event = AuditEvent.objects.get(action="account.reset_password")
    assert event.actor == world.personas["county"] and event.after == {
        "tokens_revoked": 1,
        "sessions_ended": True,
        "must_change_password": True,
    }
    assert "Reset-pass-2027" not in str(event.after) + str(event.before)


def test_the_cadre_page_lists_the_devices_and_the_county_revokes_one_then_all(world: World) -> None:
    phone, tablet = _login("p_cadre", device="张三的手机"), _login("p_cadre", device="平板")
    county = Client()
    county.force_login(world.personas["county"])
    page = county.get(reverse("cadre-detail", args=[world.leaders["A"].pk])).content.decode()
    assert "张三的手机" in page and "平板" in page and "最近使用" in page
    phone_token = ApiToken.objects.get(device="张三的手机")
    revoke = reverse("account-revoke-tokens", args=[world.personas["cadre"].pk])
    assert county.post(revoke, {"token": phone_token.pk}).status_code == 302
    assert not _works(phone) and _works(tablet)
    assert county.post(revoke, {}).status_code == 302
    assert not _works(tablet)
    events = AuditEvent.objects.filter(action="account.revoke_tokens").order_by("id")
    befores: list[Any] = [e.before for e in events]
    assert [len(before["tokens"]) for before in befores] == [1, 1]
    assert befores[0]["tokens"][0]["device"] == "张三的手机"
    assert all(e.actor == world.personas["county"] for e in events)


def test_a_township_sees_no_devices_and_may_not_revoke_them(world: World) -> None:
    _login("p_cadre", device="张三的手机")
    township = Client()
    township.force_login(world.personas["township"])
    page = township.get(reverse("cadre-detail", args=[world.leaders["A"].pk])).content.decode()
    assert "张三的手机" not in page
    revoke = reverse("account-revoke-tokens", args=[world.personas["cadre"].pk])
    assert township.post(revoke, {}).status_code == 403
    assert ApiToken.objects.count() == 1


def test_another_countys_department_cannot_reach_the_account(world: World) -> None:
    _login("p_cadre")
    other = User.objects.get(username="t_c")  # a township of county 丙县; use a county account there
    from accounts.services import account_create

    other_county = account_create(actor=None, username="bingxian", password=PASSWORD, role="county_org", scope="130104")
    client = Client()
    client.force_login(other_county)
    revoke = reverse("account-revoke-tokens", args=[world.personas["cadre"].pk])
    assert client.post(revoke, {}).status_code == 404
    assert ApiToken.objects.count() == 1
    assert other.pk  # the world's own accounts are untouched


def test_a_device_cap_signs_out_the_least_recently_used(world: World, settings: object) -> None:
    settings.ZHUCUN_TOKENS_PER_ACCOUNT = 2  # type: ignore[attr-defined]
    first = _login("p_cadre")
    ApiToken.objects.update(last_used=timezone.now() - dt.timedelta(days=1))
    second, third = _login("p_cadre"), _login("p_cadre")
    assert not _works(first)
    assert _works(second) and _works(third)


def test_an_expired_token_in_the_header_does_not_block_a_new_login(world: World) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    response = client.post(reverse("api:auth-token"), {"username": "p_cadre", "password": PASSWORD}, format="json")
    assert response.status_code == 200


@pytest.mark.django_db
def test_issued_tokens_start_now() -> None:
    from accounts.services import account_create

    user = account_create(actor=None, username="sheng", password=PASSWORD, role="province_org", scope="13")
    key = token_issue(user=user)
    assert ApiToken.objects.get(digest=digest_of(key)).last_used > timezone.now() - dt.timedelta(minutes=1)


def test_the_device_list_states_the_idle_period_in_force(world: World, settings: object) -> None:
    settings.ZHUCUN_TOKEN_IDLE_DAYS = 14  # type: ignore[attr-defined]
    _login("p_cadre", device="张三的手机")
    county = Client()
    county.force_login(world.personas["county"])
    for url in (
        reverse("cadre-detail", args=[world.leaders["A"].pk]),
        reverse("account-detail", args=[world.personas["cadre"].pk]),
    ):
        assert "超过 14 天未使用" in county.get(url).content.decode()


def test_a_device_number_that_cannot_exist_revokes_nothing(world: World) -> None:
    """A garbled device number (e.g. ``²``) was read as "every device" and signed the cadre out
    everywhere; now it is refused and nothing is revoked."""
    from accounts.models import ApiToken
    from accounts.services import token_issue

    cadre_account = world.personas["cadre"]
    token_issue(user=cadre_account, device="手机")
    client = Client()
    client.force_login(world.personas["county"])
    response = client.post(reverse("account-revoke-tokens", args=[cadre_account.pk]), {"token": "²"})
    assert response.status_code == 302
    assert ApiToken.objects.filter(user=cadre_account).count() == 1
