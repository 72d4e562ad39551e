"""Issue 10 item 10: a staff session ends after ZHUCUN_SESSION_IDLE_MINUTES without a request, and
still at SESSION_COOKIE_AGE after the login however busy it is; cadres' phones are not affected. The
clock is django.utils.timezone.now, moved by hand (no sleeping)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from zhucun.testing.world import World

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    state = Clock()
    monkeypatch.setattr(timezone, "now", lambda: state.now)
    return state


def _signed_in(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.personas[persona])
    return client


@override_settings(ZHUCUN_SESSION_IDLE_MINUTES=30)
def test_a_staff_session_idle_for_more_than_30_minutes_is_signed_out(world: World, clock: Clock) -> None:
    client = _signed_in(world, "township")
    clock.advance(minutes=29)
    assert client.get("/attendance/dashboard/").status_code == 200
    clock.advance(minutes=29)  # 58 minutes after the login, but only 29 since the last request
    assert client.get("/attendance/dashboard/").status_code == 200
    clock.advance(minutes=31)
    response = client.get("/attendance/dashboard/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    login_page = client.get(response["Location"]).content.decode()
    assert "您已超过 30 分钟未操作，为保护数据已自动退出，请重新登录。" in login_page
    clock.advance(seconds=1)
    assert client.get("/attendance/dashboard/").status_code == 302  # signed out, not just redirected once


@override_settings(ZHUCUN_SESSION_IDLE_MINUTES=30)
def test_an_idle_staff_members_api_call_is_refused_and_htmx_goes_to_the_login_page(world: World, clock: Clock) -> None:
    api = _signed_in(world, "county")
    htmx = _signed_in(world, "county")
    clock.advance(minutes=45)
    assert api.get("/api/v1/teams/").status_code in (401, 403)
    response = htmx.get("/leave/inbox/", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/accounts/login/?next=/leave/inbox/")


@override_settings(ZHUCUN_SESSION_IDLE_MINUTES=30, SESSION_COOKIE_AGE=8 * 3600)
def test_a_busy_staff_session_still_ends_at_the_absolute_age(world: World, clock: Clock) -> None:
    client = _signed_in(world, "county")
    for _ in range(23):  # a request every 20 minutes for 7 hours 40 minutes
        clock.advance(minutes=20)
        assert client.get("/").status_code == 200
    clock.advance(minutes=20, seconds=1)  # 8 hours after the login, idle for only 20 minutes
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@override_settings(ZHUCUN_SESSION_IDLE_MINUTES=30)
def test_a_cadres_phone_stays_signed_in_when_idle(world: World, clock: Clock) -> None:
    client = _signed_in(world, "cadre")
    clock.advance(hours=5)
    assert client.get("/attendance/today/").status_code == 200


@override_settings(ZHUCUN_SESSION_IDLE_MINUTES=0)
def test_zero_turns_the_idle_timeout_off(world: World, clock: Clock) -> None:
    client = _signed_in(world, "township")
    clock.advance(hours=5)
    assert client.get("/attendance/dashboard/").status_code == 200


def test_the_default_is_30_minutes() -> None:
    from django.conf import settings

    assert settings.ZHUCUN_SESSION_IDLE_MINUTES == 30
