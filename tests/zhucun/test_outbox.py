"""Issue 10 item 5: work handed to Celery survives a broker that is down. An export job, a fan-out and
a notification are written to the outbox in the transaction that asks for them; publishing is tried
after the commit with a bounded wait, and what could not be published is published by the
``zhucun.drain_outbox`` job once the broker answers. No request fails because Redis is down."""

from __future__ import annotations

import datetime as dt
import socket
import time
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from assessment.models import ExportJob
from attendance.models import AbsenceFinding
from funding.models import InsuranceGapFlag
from tests.assessment.helpers import YEAR
from tests.zhucun.brokers import closed_port_url, publishing_to
from zhucun.celery import app
from zhucun.models import Notification
from zhucun.testing.world import World

DAY = dt.date(2026, 11, 25)
HOUR = dt.timedelta(hours=1)


def run_job(name: str, *args: Any) -> Any:
    """Run one registered job in this process, as ``run_jobs`` does."""
    app.loader.import_default_modules()
    return app.tasks[name].apply(args=args).get()


def pending() -> list[tuple[str, list[Any]]]:
    from zhucun.models import OutboxMessage

    return [(message.task, message.args) for message in OutboxMessage.objects.order_by("pk")]


@override_settings(ZHUCUN_EXPORT_SYNC_MAX_ROWS=0)
def test_an_export_asked_for_while_redis_refuses_is_kept_and_the_user_is_told_it_will_be_queued(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    client.force_login(world.personas["county"])
    with publishing_to(closed_port_url()), django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/assessment/{YEAR}/export/")
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/assessment/exports/{job.pk}/"
    assert job.status == ExportJob.Status.QUEUED
    assert pending() == [("assessment.build_export", [job.pk])]
    page = client.get(response["Location"]).content.decode()
    assert "排队失败，系统将自动重试" in page
    # The broker answers again (here: in-process); the drain job queues the export and it runs.
    assert run_job("zhucun.drain_outbox") == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    assert pending() == []
    assert "排队失败" not in client.get(response["Location"]).content.decode()


@override_settings(ZHUCUN_EXPORT_SYNC_MAX_ROWS=0)
def test_an_export_queued_at_once_says_nothing_about_a_failure(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    client.force_login(world.personas["county"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(f"/assessment/{YEAR}/export/")
    assert len(callbacks) == 1  # publishing waits for the commit
    assert "排队失败" not in client.get(response["Location"]).content.decode()
    callbacks[0]()
    assert ExportJob.objects.get().status == ExportJob.Status.DONE
    assert pending() == []


@pytest.mark.parametrize(
    ("job", "county_task"),
    [
        ("attendance.absence_findings", "attendance.absence_findings_county"),
        ("attendance.coverage_check", "attendance.coverage_check_county"),
        ("funding.insurance_gaps", "funding.insurance_gaps_county"),
    ],
)
def test_a_fan_out_while_redis_refuses_keeps_every_county_and_runs_them_after_recovery(
    world: World, job: str, county_task: str, django_capture_on_commit_callbacks: Any
) -> None:
    from cadres.selectors import county_codes
    from zhucun.models import OutboxMessage

    counties = sorted(county_codes())
    assert len(counties) >= 2
    with publishing_to(closed_port_url()), django_capture_on_commit_callbacks(execute=True):
        assert run_job(job, DAY.isoformat()) == len(counties)
    assert sorted(args[0] for task, args in pending() if task == county_task) == counties
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}
    assert run_job("zhucun.drain_outbox") == len(counties)
    assert pending() == []
    if job == "attendance.absence_findings":
        # Nobody in the world signed in that day: every county's active cadres have a finding.
        assert AbsenceFinding.objects.filter(date=DAY).count() == 8
    if job == "funding.insurance_gaps":
        # Nobody in the world is insured: every county's cadres in post are flagged.
        assert InsuranceGapFlag.objects.filter(month=DAY.replace(day=1)).count() == 8


def test_the_commit_hook_leaves_alone_a_message_the_drain_job_is_sending(world: World) -> None:
    from zhucun import outbox
    from zhucun.models import OutboxMessage

    message = outbox.enqueue("cadres.expire_terms", "2026-02-01")
    OutboxMessage.objects.filter(pk=message.pk).update(claim="drain", claimed_until=timezone.now() + HOUR)
    with publishing_to(closed_port_url()):
        assert outbox.publish([message]) == 0  # not even tried: someone else owns it
    assert OutboxMessage.objects.get().attempts == 0
    assert outbox.drain() == 0  # nor is it due for another sender before its claim runs out
    assert outbox.drain(now=timezone.now() + 2 * HOUR) == 1


def test_while_redis_refuses_the_drain_job_keeps_everything_and_says_why_in_chinese(world: World) -> None:
    from zhucun import outbox
    from zhucun.models import OutboxMessage

    for day in ("2026-02-01", "2026-02-02"):
        outbox.enqueue("cadres.expire_terms", day)
    with publishing_to(closed_port_url()), pytest.raises(outbox.BrokerUnavailable) as refused:
        outbox.drain()
    assert "消息队列（Redis）无法连接，2 个任务待发送" in str(refused.value)
    assert sorted(OutboxMessage.objects.values_list("attempts", "claim")) == [(1, ""), (1, "")]
    assert outbox.drain() == 2  # in-process again: both run


def test_a_message_that_fails_on_its_own_waits_longer_and_does_not_hold_up_the_others(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from zhucun import outbox
    from zhucun.models import OutboxMessage

    sent: list[str] = []

    def send_task(name: str, **_: Any) -> None:
        if name == "broken.task":
            raise ValueError("无法序列化")
        sent.append(name)

    outbox.enqueue("broken.task")
    outbox.enqueue("cadres.expire_terms")
    before = timezone.now()
    with publishing_to(closed_port_url()):
        monkeypatch.setattr(app, "send_task", send_task)
        assert outbox.drain() == 1
    assert sent == ["cadres.expire_terms"]
    broken = OutboxMessage.objects.get()
    assert (broken.task, broken.attempts, broken.last_error) == ("broken.task", 1, "ValueError: 无法序列化")
    assert broken.next_attempt_at >= before + dt.timedelta(seconds=outbox.RETRY_BASE_SECONDS)


def test_a_task_that_raises_in_process_leaves_the_messages_after_it_for_the_next_drain(world: World) -> None:
    from zhucun import outbox
    from zhucun.models import OutboxMessage

    outbox.enqueue("cadres.expire_terms", "not-a-date")
    outbox.enqueue("cadres.expire_terms", "2026-02-01")
    with pytest.raises(ValueError, match="not-a-date"):
        outbox.drain()
    assert [m.args for m in OutboxMessage.objects.all()] == [["2026-02-01"]]
    assert OutboxMessage.objects.get().claim == ""
    assert outbox.drain() == 1


def test_notifications_reach_the_channels_after_the_commit_through_the_outbox_once(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    from zhucun import deliveries, notifications
    from zhucun.models import ChannelPreference, Delivery
    from zhucun.testing.channels import recording_channel

    users = [world.personas["county"], world.personas["township"]]
    ChannelPreference.objects.bulk_create([ChannelPreference(user=user, quiet_enabled=False) for user in users])
    with recording_channel() as channel:
        with django_capture_on_commit_callbacks(execute=True):
            rows = notifications.notify(recipient_ids=[user.pk for user in users], title="请审批", urgent=True)
            sends = list(Delivery.objects.order_by("pk").values_list("pk", flat=True))
            assert pending() == [("zhucun.send_delivery", [pk]) for pk in sends]
            assert channel.sent == []  # nothing leaves before the commit
        assert channel.keys == [f"n{row.pk}:recording" for row in rows]
        assert pending() == []
        # The delivery task arriving again (at-least-once) sends nothing twice.
        assert [deliveries.send(delivery_id=pk) for pk in sends] == ["sent", "sent"]
        assert len(channel.sent) == 2


def test_without_channels_a_notification_is_only_the_in_app_row(world: World) -> None:
    from zhucun import notifications

    notifications.notify(recipient_ids=[world.personas["county"].pk], title="请审批")
    assert Notification.objects.count() == 1
    assert pending() == []


def test_publishing_to_a_broker_that_accepts_and_never_answers_gives_up_within_the_bound(world: World) -> None:
    """A frozen Redis, as the network sees it: connections are accepted, nothing is ever answered.
    Celery's defaults waited 5 s per attempt and retried; decision 0051 bounds the wait to ~1 s."""
    from zhucun import outbox

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)  # the kernel accepts; nobody reads
    try:
        with publishing_to(f"redis://127.0.0.1:{listener.getsockname()[1]}/0"):
            message = outbox.enqueue("cadres.expire_terms")
            start = time.monotonic()
            assert outbox.publish([message]) == 0
            waited = time.monotonic() - start
    finally:
        listener.close()
    assert waited < 3.0, waited
    assert pending() == [("cadres.expire_terms", [])]
