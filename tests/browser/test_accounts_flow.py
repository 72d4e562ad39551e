"""Accounts for cadres' phones (issue 15 item 7) at 390 px and 1366 px, under the CSP: the login page
with 记住本机 and 忘记密码, the 找回密码 pages where SMS is configured, a county official creating a
cadre's account by searching the cadre's name (htmx), and the cadre remembered on their phone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import override_settings
from playwright.sync_api import Page, expect

from accounts.models import ApiToken, User
from tests.browser.helpers import login, logout
from zhucun.testing.world import PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

SMS = override_settings(
    ZHUCUN_CHANNELS=["sms"],
    ZHUCUN_SMS_ACCESS_KEY_ID="id",
    ZHUCUN_SMS_ACCESS_KEY_SECRET="s",
    ZHUCUN_SMS_SIGN_NAME="驻村",
    ZHUCUN_SMS_TEMPLATE_CODE="SMS_1",
)


def _shot(page: Page, name: str, width: int) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing wider than the screen


@pytest.mark.parametrize("width", [390, 1366])
@SMS
def test_accounts_for_cadres_phones(world: World, page: Page, live_server: object, width: int) -> None:
    base = str(live_server)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{base}/accounts/login/")
    expect(page.get_by_label("记住本机")).to_be_visible()
    _shot(page, "login", width)
    page.get_by_test_id("forgot-password").click()
    page.fill("#id_identifier", "13900000001")
    _shot(page, "password-reset", width)
    page.goto(f"{base}/accounts/reset/confirm/")
    expect(page.get_by_label("短信验证码")).to_be_visible()
    _shot(page, "password-reset-confirm", width)

    # A county official creates the account of 乙村队员, found by name among namesakes-to-be.
    login(page, base, "p_county")
    page.goto(f"{base}/accounts/new/")
    assert page.locator("#id_role option").all_inner_texts() == ["乡镇党委", "派出单位", "驻村干部"]
    page.fill("#id_username", "yicun_duiyuan")
    page.fill("#id_password", PASSWORD)
    page.select_option("#id_role", "cadre")
    page.fill("#id_scope_search", "队员")
    choice = page.get_by_test_id("scope-choice").filter(has_text="乙村")
    expect(choice).to_contain_text("甲县 / 甲二镇 / 乙村 · 甲县农业农村局")
    _shot(page, "account-create-search", width)
    choice.click()
    expect(page.get_by_test_id("scope-chosen")).to_contain_text("乙村队员")
    _shot(page, "account-create", width)
    page.get_by_role("button", name="创建").click()
    expect(page.get_by_text("已创建账号 yicun_duiyuan")).to_be_visible()
    assert User.objects.get(username="yicun_duiyuan").cadre == world.members["B"]
    logout(page, base)

    # The cadre ticks 记住本机 on their phone and sees it among their devices.
    page.fill("#id_username", "p_cadre")
    page.fill("#id_password", PASSWORD)
    page.get_by_label("记住本机").check()
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(f"{base}/accounts/devices/")
    expect(page.get_by_test_id("this-device")).to_be_visible()
    _shot(page, "my-devices", width)
    cookie = next(c for c in page.context.cookies() if c["name"] == "sessionid")
    assert cookie["expires"] > 0  # a persistent cookie, not one that ends with the browser
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="注销").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    assert not ApiToken.objects.filter(kind="browser").exists()
