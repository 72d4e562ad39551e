"""Notifications reach people through the channels: a delivery row per person and channel, written
with the bell's row, sent by the task after the commit, retried on transient errors, sent once
however often the task runs (decisions 0150, 0152)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from zhucun import deliveries, notifications
from zhucun.models import Delivery, Notification, OutboxMessage
from zhucun.testing.world import World

from .helpers import WeComPlatform, wecom_enabled


def reachable(world: World, persona: str, userid: str) -> Any:
    user = world.personas[persona]
    user.wecom_userid = userid
    user.save(update_fields=["wecom_userid"])
    return user


@pytest.fixture
def _daytime(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nobody's quiet hours: the tests of sending are about sending."""
    monkeypatch.setattr(deliveries, "release_time", lambda now, preference: now)


pytestmark = pytest.mark.usefixtures("_daytime")


@pytest.fixture
def commit(django_capture_on_commit_callbacks: Any) -> Any:
    """Runs the block's on-commit hooks at its end, as the commit of a request would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_an_urgent_notification_reaches_wecom_after_the_commit_once(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    township = reachable(world, "township", "XingTang")
    with wecom_enabled() as stub:
        with django_capture_on_commit_callbacks(execute=True):
            [note] = notifications.notify(
                recipient_ids=[township.pk], title="张三申请事假2天，请在半日内答复", urgent=True
            )
            delivery = Delivery.objects.get()
            assert (delivery.key, delivery.status, delivery.channel) == (f"n{note.pk}:wecom", "queued", "wecom")
            assert [m.task for m in OutboxMessage.objects.all()] == ["zhucun.send_delivery"]
            assert stub.requests == []  # nothing leaves before the commit
        assert [m["touser"] for m in WeComPlatform.messages(stub)] == ["XingTang"]
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.provider_id) == ("sent", 1, "MSG")
        assert delivery.sent_at is not None
        # The task arriving again (at-least-once delivery) sends nothing twice.
        assert deliveries.send(delivery_id=delivery.pk) == "sent"
        assert len(WeComPlatform.messages(stub)) == 1


def test_the_bell_stays_and_people_without_an_address_get_only_the_bell(world: World) -> None:
    with wecom_enabled() as stub:
        notifications.notify(recipient_ids=[world.personas["county"].pk], title="请审批", urgent=True)
    assert Notification.objects.count() == 1
    assert not Delivery.objects.exists()
    assert stub.requests == []


def test_without_channels_a_notification_is_only_the_in_app_row(world: World) -> None:
    reachable(world, "township", "XingTang")
    notifications.notify(recipient_ids=[world.personas["township"].pk], title="请审批", urgent=True)
    assert Notification.objects.count() == 1
    assert not Delivery.objects.exists()
    assert not OutboxMessage.objects.exists()


def run_task(delivery: Delivery) -> str:
    """The task as a worker runs it: Celery's autoretry with backoff (in process: without the waits)."""
    from zhucun.celery import app
    from zhucun.tasks import send_delivery

    propagates = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False  # each retry runs in turn, as on a worker
    try:
        return str(send_delivery.apply(args=[delivery.pk], throw=False).get())
    finally:
        app.conf.task_eager_propagates = propagates


def planned(world: World, *, urgent: bool = True) -> Delivery:
    """A delivery planned for the township account, its task not yet run."""
    township = reachable(world, "township", "XingTang")
    notifications.notify(recipient_ids=[township.pk], title="请审批", urgent=urgent)
    return Delivery.objects.get()


def test_a_transient_error_is_retried_with_backoff_and_sent_once(world: World) -> None:
    busy = (200, {"errcode": -1, "errmsg": "system busy"})
    platform = WeComPlatform((502, b"bad gateway"), busy, (200, {"errcode": 0, "msgid": "M3"}))
    with wecom_enabled(platform) as stub:
        assert run_task(planned(world)) == "sent"
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.provider_id) == ("sent", 3, "M3")
    assert len(WeComPlatform.messages(stub)) == 3


def test_the_task_retries_transient_channel_errors_with_backoff() -> None:
    from zhucun.channels import TransientDeliveryError
    from zhucun.tasks import send_delivery

    assert TransientDeliveryError in send_delivery.autoretry_for
    assert send_delivery.retry_backoff and send_delivery.retry_jitter


def test_in_process_a_busy_platform_leaves_the_delivery_queued_and_the_request_answers(
    world: World, commit: Any
) -> None:
    with wecom_enabled(WeComPlatform((502, b"bad gateway"), (200, {"errcode": 0, "msgid": "M"}))) as stub:
        with commit():
            delivery = planned(world)
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("queued", 1)
        assert "HTTP 502" in delivery.last_error
        # A retry may still be on its way (up to 30 min): the sweeper leaves the row alone, then queues it
        # again once the retry is presumed lost.
        assert deliveries.queue_due() == 0
        Delivery.objects.update(updated_at="2000-01-01T00:00:00Z")
        with commit():
            assert deliveries.queue_due() == 1
    assert Delivery.objects.get().status == "sent"
    assert len(WeComPlatform.messages(stub)) == 2


@override_settings(ZHUCUN_DELIVERY_MAX_ATTEMPTS=3)
def test_after_the_last_attempt_the_delivery_is_failed_with_the_error(world: World) -> None:
    with wecom_enabled(WeComPlatform((503, b"unavailable"))) as stub:
        assert run_task(planned(world)) == "failed"
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 3)
    assert "HTTP 503" in delivery.last_error
    assert len(WeComPlatform.messages(stub)) == 3


def test_a_permanent_error_is_not_retried(world: World) -> None:
    with wecom_enabled(WeComPlatform((200, {"errcode": 81013, "errmsg": "user invalid"}))) as stub:
        assert run_task(planned(world)) == "failed"
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert "81013" in delivery.last_error
    assert len(WeComPlatform.messages(stub)) == 1


def test_a_delivery_claimed_by_a_live_sender_is_not_sent_again(world: World, commit: Any) -> None:
    township = reachable(world, "township", "XingTang")
    with wecom_enabled() as stub:
        with override_settings(ZHUCUN_CHANNELS=[]):
            [note] = notifications.notify(recipient_ids=[township.pk], title="请审批", urgent=True)
        deliveries.plan([(note, True)])  # planned while the channel is on, task run below by hand
        Delivery.objects.update(status="sending", attempts=1, claimed_until="2999-01-01T00:00:00Z")
        assert deliveries.send(delivery_id=Delivery.objects.get().pk) == "sending"
        assert WeComPlatform.messages(stub) == []
        # The sender died: its claim runs out, the sweeper queues the row again, it is sent.
        Delivery.objects.update(claimed_until="2000-01-01T00:00:00Z")
        with commit():
            assert deliveries.queue_due() == 1
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    assert len(WeComPlatform.messages(stub)) == 1


def test_a_channel_turned_off_since_the_plan_skips_the_delivery(world: World, commit: Any) -> None:
    township = reachable(world, "township", "XingTang")
    with wecom_enabled() as stub:
        with override_settings(ZHUCUN_CHANNELS=[]):
            [note] = notifications.notify(recipient_ids=[township.pk], title="请审批", urgent=True)
        deliveries.plan([(note, True)])
        Delivery.objects.update(status="queued")
        township.wecom_userid = ""
        township.save(update_fields=["wecom_userid"])
        assert deliveries.send(delivery_id=Delivery.objects.get().pk) == "skipped"
    assert Delivery.objects.get().last_error == "未填写该渠道的接收账号"
    assert WeComPlatform.messages(stub) == []


def test_a_deactivated_account_gets_nothing(world: World) -> None:
    township = reachable(world, "township", "XingTang")
    township.is_active = False
    township.save(update_fields=["is_active"])
    with wecom_enabled() as stub:
        notifications.notify(recipient_ids=[township.pk], title="请审批", urgent=True)
    assert not Delivery.objects.exists()
    assert stub.requests == []


def test_access_tokens_and_secrets_never_reach_the_logs(world: World, caplog: pytest.LogCaptureFixture) -> None:
    import logging

    caplog.set_level(logging.DEBUG)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # as the settings' LOGGING configures it
    with wecom_enabled(WeComPlatform((502, b"bad gateway"), (200, {"errcode": 0, "msgid": "M"}))):
        run_task(planned(world))
    assert "s3cret" not in caplog.text
    assert "TOKEN" not in caplog.text
