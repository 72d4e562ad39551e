"""通知设置 on a cadre's phone (390 px) and an official's screen (1366 px), under the CSP: from the bell
to the settings, choose channels, the digest and quiet hours, give a phone number, save, and see the
delivery record (issue 15, decision 0151)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.helpers import login
from zhucun.models import ChannelPreference, Delivery, Notification
from zhucun.testing.world import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

CHANNELS = override_settings(
    ZHUCUN_CHANNELS=["sms", "wecom"],
    ZHUCUN_SMS_ACCESS_KEY_ID="id",
    ZHUCUN_SMS_ACCESS_KEY_SECRET="s",
    ZHUCUN_SMS_SIGN_NAME="驻村",
    ZHUCUN_SMS_TEMPLATE_CODE="SMS_1",
    ZHUCUN_WECOM_CORPID="c",
    ZHUCUN_WECOM_SECRET="s",
    ZHUCUN_WECOM_AGENTID="1",
)


@pytest.mark.parametrize(("persona", "width"), [("cadre", 390), ("township", 1366)])
@CHANNELS
def test_a_person_keeps_their_own_notification_settings(
    world: World, page: Page, live_server: object, persona: str, width: int
) -> None:
    user = world.personas[persona]
    note = Notification.objects.create(recipient=user, title="您的请假（12月3日 至 12月4日）已批准")
    Delivery.objects.create(
        key=f"n{note.pk}:sms", recipient=user, channel="sms", notification=note, due_at=timezone.now(),
        status="sent", attempts=1, urgent=True, sent_at=timezone.now(),
    )  # fmt: skip
    base = str(live_server)
    page.set_viewport_size({"width": width, "height": 900})
    login(page, base, user.username)
    page.goto(f"{base}/notifications/")
    page.get_by_test_id("notification-settings-link").click()
    expect(page.get_by_role("heading", name="通知设置")).to_be_visible()
    expect(page.get_by_test_id("my-deliveries")).to_contain_text("已批准")
    expect(page.get_by_test_id("my-deliveries")).to_contain_text("已发送")
    page.get_by_role("checkbox", name="企业微信").uncheck()
    page.get_by_label("每条立即发送").check()
    page.fill("#id_quiet_start", "21:30")
    page.fill("#id_mobile", "13900001111")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"notification-settings-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing wider than the screen
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("通知设置已保存。")).to_be_visible()
    preference = ChannelPreference.objects.get(user=user)
    assert (preference.muted, preference.digest, preference.quiet_start.isoformat()) == (["wecom"], False, "21:30:00")
    user.refresh_from_db()
    assert user.mobile == "13900001111"
