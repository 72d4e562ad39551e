"""通知设置 (the person's own channels, quiet hours, digest, addresses and deliveries), its API, and
消息推送状态 (the system administrator's view, without the messages' titles)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import api_as
from zhucun.models import AuditEvent, ChannelPreference, Delivery, Notification
from zhucun.testing.world import World, add_administrators

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


def browser(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@CHANNELS
def test_the_settings_page_offers_the_deployments_channels_and_says_which_cannot_reach_the_person(
    world: World,
) -> None:
    page = browser(world.personas["township"]).get(reverse("notification-settings")).content.decode()
    assert 'value="sms"' in page and 'value="wecom"' in page and 'value="dingtalk"' not in page
    assert 'data-testid="unreachable-sms"' in page and 'data-testid="unreachable-wecom"' in page
    assert 'name="mobile"' in page and 'name="wecom_userid"' in page and 'name="dingtalk_userid"' not in page
    assert 'type="time"' in page and "22:00" in page
    assert "style=" not in page and "onclick" not in page  # the CSP allows no inline style or handler


@CHANNELS
def test_saving_the_settings_keeps_them_audits_them_and_the_next_plan_follows_them(world: World) -> None:
    township = world.personas["township"]
    client = browser(township)
    response = client.post(
        reverse("notification-settings"),
        {
            "channels": ["wecom"],
            "digest": "0",
            "quiet_enabled": "on",
            "quiet_start": "21:30",
            "quiet_end": "06:30",
            "mobile": "13900001111",
            "wecom_userid": "XingTang",
        },
    )
    assert response.status_code == 302
    preference = ChannelPreference.objects.get(user=township)
    assert (preference.muted, preference.digest) == (["sms"], False)
    assert (preference.quiet_start, preference.quiet_end) == (dt.time(21, 30), dt.time(6, 30))
    township.refresh_from_db()
    assert (township.mobile, township.wecom_userid) == ("13900001111", "XingTang")
    event = AuditEvent.objects.get(action="notification.preferences_update")
    assert event.actor_id == township.pk
    assert event.before is not None and event.after is not None
    assert event.before["mobile"] == "" and event.after["mobile"] == "13900001111"
    assert event.after["muted"] == ["sms"]
    page = client.get(reverse("notification-settings")).content.decode()
    assert 'data-testid="unreachable-wecom"' not in page
    assert "通知设置已保存" in page


@CHANNELS
def test_bad_settings_are_refused_in_chinese_and_nothing_is_written(world: World) -> None:
    township = world.personas["township"]
    response = browser(township).post(
        reverse("notification-settings"),
        {"channels": ["sms"], "digest": "1", "quiet_enabled": "on", "quiet_start": "22:00", "quiet_end": "22:00",
         "mobile": "12345"},
    )  # fmt: skip
    assert response.status_code == 400
    page = response.content.decode()
    assert "请填写11位手机号" in page and "不能相同" in page
    assert not ChannelPreference.objects.exists()
    assert not AuditEvent.objects.filter(action="notification.preferences_update").exists()
    township.refresh_from_db()
    assert township.mobile == ""


@CHANNELS
def test_the_api_reads_and_writes_ones_own_preferences(world: World) -> None:
    cadre = world.personas["cadre"]
    client = api_as(cadre)
    state = client.get(reverse("api:notification-preferences")).json()
    assert [(c["code"], c["reachable"]) for c in state["available"]] == [("sms", True), ("wecom", False)]
    assert state["channels"] == ["sms", "wecom"]
    assert (state["quiet_enabled"], state["quiet_start"], state["quiet_end"], state["digest"]) == (
        True,
        "22:00",
        "07:00",
        True,
    )
    answer = client.put(
        reverse("api:notification-preferences"),
        {"channels": ["sms"], "digest": True, "quiet_enabled": True, "quiet_start": "23:00", "quiet_end": "06:00"},
        format="json",
    )
    assert answer.status_code == 200
    assert (answer.json()["channels"], answer.json()["quiet_start"]) == (["sms"], "23:00")
    assert ChannelPreference.objects.get(user=cadre).muted == ["wecom"]
    refused = client.put(
        reverse("api:notification-preferences"),
        {"channels": ["fax"], "digest": True, "quiet_enabled": False},
        format="json",
    )
    assert refused.status_code == 400
    assert "没有这个接收渠道" in refused.json()["channels"][0]
    assert ChannelPreference.objects.get(user=cadre).quiet_enabled is True  # unchanged


def test_a_person_sees_their_own_deliveries_and_nobody_elses(world: World) -> None:
    county, township = world.personas["county"], world.personas["township"]
    now = timezone.now()
    for user, title in ((county, "县里的通知"), (township, "乡里的通知")):
        note = Notification.objects.create(recipient=user, title=title)
        Delivery.objects.create(
            key=f"n{note.pk}:sms", recipient=user, channel="sms", notification=note, due_at=now, status="failed",
            attempts=5, last_error="短信发送失败：isv.MOBILE_NUMBER_ILLEGAL",
        )  # fmt: skip
    page = browser(township).get(reverse("notification-settings")).content.decode()
    assert "乡里的通知" in page and "县里的通知" not in page
    assert "发送失败" in page and "isv.MOBILE_NUMBER_ILLEGAL" in page
    api = api_as(township).get(reverse("api:notification-preferences")).json()
    assert [d["title"] for d in api["recent_deliveries"]] == ["乡里的通知"]


def _failed(user: Any, title: str, n: int = 1) -> None:
    now = timezone.now()
    notes = Notification.objects.bulk_create([Notification(recipient=user, title=title) for _ in range(n)])
    Delivery.objects.bulk_create(
        [Delivery(key=f"n{note.pk}:wecom", recipient=user, channel="wecom", notification=note, due_at=now,
                  status="failed", attempts=5, last_error="企业微信发送消息失败：errcode 81013") for note in notes]
    )  # fmt: skip


def test_the_system_administrator_sees_the_channels_health_without_the_messages(world: World) -> None:
    admins = add_administrators(world)
    _failed(world.personas["township"], "张三申请事假2天")
    page = browser(admins["system_admin"]).get(reverse("delivery-status"))
    assert page.status_code == 200
    text = page.content.decode()
    assert world.personas["township"].username in text and "errcode 81013" in text
    assert "张三" not in text  # the messages are about cadres: not the administrators' to read
    assert browser(admins["security_admin"]).get(reverse("delivery-status")).status_code == 403
    assert browser(world.personas["province"]).get(reverse("delivery-status")).status_code == 403


def test_the_channels_health_costs_the_same_queries_at_10_and_500_failures(world: World) -> None:
    admin = add_administrators(world)["system_admin"]
    client = browser(admin)
    _failed(world.personas["township"], "一", 10)
    client.get(reverse("delivery-status"))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("delivery-status"))
    _failed(world.personas["county"], "二", 490)
    with CaptureQueriesContext(connection) as large:
        assert client.get(reverse("delivery-status")).status_code == 200
    assert len(small) == len(large)
