"""One person reachable everywhere: an urgent notification goes out once on each of the four channels,
each to its platform's stub; the checks refuse a channel enabled without its credentials."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import checks
from django.test import override_settings

from zhucun import deliveries, notifications
from zhucun.channels.sms import signature
from zhucun.models import Delivery
from zhucun.testing.world import World

from .conftest import Mailbox
from .stub import Reply, Request, stub_server


def platforms(request: Request) -> Reply:
    if request.path in ("/cgi-bin/gettoken", "/gettoken"):
        return 200, {"errcode": 0, "access_token": "T", "expires_in": 7200}
    if request.path == "/cgi-bin/message/send":
        return 200, {"errcode": 0, "msgid": "WX1"}
    if request.path == "/topapi/message/corpconversation/asyncsend_v2":
        return 200, {"errcode": 0, "task_id": 99}
    form = request.form()
    assert form["Signature"] == signature(form, "sms-secret", "POST")
    return 200, {"Code": "OK", "BizId": "SMS1"}


def test_an_urgent_notification_goes_out_once_on_every_channel(
    world: World,
    mailbox: Mailbox,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    monkeypatch.setattr(deliveries, "release_time", lambda now, preference: now)
    user = world.personas["township"]
    user.wecom_userid, user.dingtalk_userid = "XingTang", "ding-xt"
    user.mobile, user.email = "13900001111", "xt@example.cn"
    user.save()
    with (
        stub_server(platforms) as stub,
        override_settings(
            ZHUCUN_CHANNELS=["wecom", "dingtalk", "sms", "email"],
            ZHUCUN_WECOM_BASE_URL=stub.url,
            ZHUCUN_WECOM_CORPID="c",
            ZHUCUN_WECOM_SECRET="s",
            ZHUCUN_WECOM_AGENTID="1",
            ZHUCUN_DINGTALK_BASE_URL=stub.url,
            ZHUCUN_DINGTALK_APPKEY="k",
            ZHUCUN_DINGTALK_APPSECRET="s",
            ZHUCUN_DINGTALK_AGENTID="2",
            ZHUCUN_SMS_BASE_URL=stub.url,
            ZHUCUN_SMS_ACCESS_KEY_ID="id",
            ZHUCUN_SMS_ACCESS_KEY_SECRET="sms-secret",
            ZHUCUN_SMS_SIGN_NAME="驻村",
            ZHUCUN_SMS_TEMPLATE_CODE="SMS_1",
            ZHUCUN_SITE_URL="https://zc.example.cn",
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notifications.notify(recipient_ids=[user.pk], title="张三申请事假2天", url="/leave/1/", urgent=True)
    sent = {d.channel: (d.status, d.provider_id) for d in Delivery.objects.all()}
    assert sent == {
        "wecom": ("sent", "WX1"),
        "dingtalk": ("sent", "99"),
        "sms": ("sent", "SMS1"),
        "email": ("sent", sent["email"][1]),
    }
    assert [r.path for r in stub.requests if r.method == "POST"].count("/cgi-bin/message/send") == 1
    assert len(mailbox.messages) == 1
    card = next(r.json() for r in stub.requests if r.path == "/cgi-bin/message/send")
    assert card["textcard"]["url"] == "https://zc.example.cn/leave/1/"


@override_settings(ZHUCUN_CHANNELS=["wecom", "fax"], ZHUCUN_WECOM_CORPID="", ZHUCUN_WECOM_AGENTID="abc")
def test_a_channel_enabled_without_its_credentials_is_refused_at_start() -> None:
    from zhucun.checks import channels_check

    errors = {message.id: message.msg for message in channels_check()}
    assert set(errors) == {"zhucun.E010", "zhucun.E011", "zhucun.E012"}
    assert "fax" in errors["zhucun.E010"]
    assert "ZHUCUN_WECOM_CORPID" in errors["zhucun.E011"] and "ZHUCUN_WECOM_SECRET" in errors["zhucun.E011"]
    assert all(isinstance(message, checks.Error) for message in channels_check())


@override_settings(ZHUCUN_CHANNELS=[])
def test_without_channels_the_checks_are_silent() -> None:
    from zhucun.checks import channels_check

    assert channels_check() == []
