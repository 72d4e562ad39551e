"""The offline sign-in on the phone (issue 10 item 17), with the phone's clock and the server's clock
both faked (no waiting): a sign-in saved without a connection at 07:30 Beijing time — 23:30 UTC of
the day before — reaches the server when the phone is back online at 08:10, and a saved sign-in that
can no longer be sent is shown to the cadre instead of vanishing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from attendance.models import SignIn
from tests.browser.helpers import login
from zhucun.testing.world import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

BEIJING = dt.timezone(dt.timedelta(hours=8))
DAY = dt.date(2026, 11, 26)
#: 甲村 of the test world is at (38.0, 114.5) with a 1,000 m geofence; this is ~111 m north.
INSIDE: Any = {"latitude": 38.001, "longitude": 114.5}


class ServerClock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = dt.datetime.now(dt.UTC)
        monkeypatch.setattr(timezone, "now", lambda: self.now)


def at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=BEIJING)


def _phone(page: Page, base: str, moment: dt.datetime, server: ServerClock) -> None:
    """The cadre's phone at ``moment``: clock set, location allowed, signed in, on the day's page."""
    server.now = moment
    page.clock.install(time=moment)
    page.context.grant_permissions(["geolocation"], origin=base)
    page.context.set_geolocation(INSIDE)
    login(page, base, "p_cadre")
    page.goto(f"{base}/attendance/today/")


def _sign_in_offline(page: Page) -> None:
    page.context.set_offline(True)
    page.click("[data-testid=signin-button]")
    expect(page.locator("#signin-message")).to_contain_text("签到已保存在手机上")
    assert page.evaluate("() => localStorage.getItem('zhucun.pendingSignin')") is not None


def test_a_sign_in_saved_offline_before_8_beijing_time_is_sent_after_8(
    page: Page, live_server: object, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = str(live_server)
    server = ServerClock(monkeypatch)
    _phone(page, base, at(DAY, 7, 30), server)  # 23:30 UTC on the 25th
    _sign_in_offline(page)

    # 08:10 Beijing (00:10 UTC on the 26th): the phone is back online.
    server.now = at(DAY, 8, 10)
    page.clock.set_system_time(at(DAY, 8, 10))
    page.context.set_offline(False)

    expect(page.locator("[data-testid=signin-done]")).to_contain_text("已签到")
    expect(page.locator("#signin-card")).to_contain_text("离线补传")
    signin = SignIn.objects.get(cadre=world.leaders["A"], date=DAY)
    assert signin.offline and signin.inside_geofence
    assert signin.device_time is not None and timezone.localtime(signin.device_time).strftime("%H:%M") == "07:30"
    assert page.evaluate("() => localStorage.getItem('zhucun.pendingSignin')") is None


def test_a_sign_in_saved_on_a_past_day_is_shown_to_the_cadre_not_dropped(
    page: Page, live_server: object, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = str(live_server)
    server = ServerClock(monkeypatch)
    yesterday = DAY - dt.timedelta(days=1)
    _phone(page, base, at(yesterday, 9, 0), server)
    _sign_in_offline(page)

    # The connection comes back only the next morning.
    server.now = at(DAY, 8, 10)
    page.clock.set_system_time(at(DAY, 8, 10))
    page.context.set_offline(False)

    notice = page.locator("[data-testid=signin-unsent]")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("您 11月25日 09:00 保存在手机上的签到没有发送成功")
    expect(notice).to_contain_text("请告诉工作队长或乡镇，在缺岗记录中说明情况、申请排除")
    assert not SignIn.objects.filter(cadre=world.leaders["A"]).exists()

    # The notice stays until the cadre has read it, and today's sign-in is open.
    page.reload()
    expect(notice).to_contain_text("11月25日 09:00")
    expect(page.locator("[data-testid=signin-button]")).to_be_enabled()
    page.click("[data-testid=signin-unsent-dismiss]")
    expect(notice).to_be_hidden()
    page.reload()
    expect(page.locator("[data-testid=signin-button]")).to_be_visible()
    expect(notice).to_be_hidden()
