"""Per-person preferences, quiet hours and the morning digest (decision 0151): urgent messages — a
leave request awaiting one's answer within half a day (第十九条2), its reminder and escalation, the
answer to one's own request — go at once, after the person's quiet hours; everything else waits for
one digest per person per channel each morning."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from leave.services import leave_request_approve, leave_request_withdraw
from tests.leave.factories import cadre_account, leave_request
from zhucun import deliveries, notifications
from zhucun.deliveries import build_digests, in_quiet_hours, plan, queue_due, release_time
from zhucun.models import ChannelPreference, Delivery, Notification, OutboxMessage
from zhucun.testing.channels import RecordingChannel, recording_channel
from zhucun.testing.world import World


def at(day: str, clock: str) -> dt.datetime:
    """A moment in Asia/Shanghai."""
    return timezone.make_aware(dt.datetime.fromisoformat(f"{day}T{clock}"))


@pytest.mark.parametrize(
    ("clock", "quiet"),
    [("21:59", False), ("22:00", True), ("23:30", True), ("00:00", True), ("06:59", True), ("07:00", False)],
)
def test_quiet_hours_run_over_midnight(clock: str, quiet: bool) -> None:
    assert in_quiet_hours(dt.time.fromisoformat(clock), dt.time(22), dt.time(7)) is quiet


def test_quiet_hours_within_a_day_and_none_when_both_ends_are_equal() -> None:
    assert in_quiet_hours(dt.time(12, 30), dt.time(12), dt.time(14))
    assert not in_quiet_hours(dt.time(14), dt.time(12), dt.time(14))
    assert not in_quiet_hours(dt.time(3), dt.time(7), dt.time(7))


def test_a_message_in_quiet_hours_is_released_when_they_end_in_shanghai_time() -> None:
    preference = ChannelPreference()  # 22:00–07:00, on
    assert release_time(at("2026-10-14", "23:30"), preference) == at("2026-10-15", "07:00")
    assert release_time(at("2026-10-15", "02:00"), preference) == at("2026-10-15", "07:00")
    assert release_time(at("2026-10-15", "10:00"), preference) == at("2026-10-15", "10:00")
    preference.quiet_enabled = False
    assert release_time(at("2026-10-14", "23:30"), preference) == at("2026-10-14", "23:30")


@pytest.fixture
def channel() -> Any:
    with recording_channel() as recorder:
        yield recorder


def note(user: Any, title: str) -> Notification:
    return Notification.objects.create(recipient=user, title=title)


def test_an_urgent_message_at_night_waits_for_the_end_of_quiet_hours(
    world: World, channel: RecordingChannel, django_capture_on_commit_callbacks: Any
) -> None:
    township = world.personas["township"]
    night = at("2026-10-14", "23:30")
    with django_capture_on_commit_callbacks(execute=True):
        [delivery] = plan([(note(township, "请审批"), True)], now=night)
    assert (delivery.status, delivery.due_at) == ("queued", at("2026-10-15", "07:00"))
    Delivery.objects.update(updated_at=night)  # written then (auto_now knows only the real clock)
    assert not OutboxMessage.objects.exists()
    assert channel.sent == []
    assert deliveries.send(delivery_id=delivery.pk, now=at("2026-10-15", "06:55")) == "queued"  # not yet
    with django_capture_on_commit_callbacks(execute=True):
        assert queue_due(now=at("2026-10-15", "06:59")) == 0
    assert channel.sent == []
    with django_capture_on_commit_callbacks(execute=True):
        assert queue_due(now=at("2026-10-15", "07:00")) == 1
    assert [message.title for _, message in channel.sent] == ["请审批"]


def test_non_urgent_messages_wait_for_one_morning_digest_per_person_and_channel(
    world: World, channel: RecordingChannel, django_capture_on_commit_callbacks: Any
) -> None:
    township, county = world.personas["township"], world.personas["county"]
    evening = at("2026-10-14", "18:00")
    with django_capture_on_commit_callbacks(execute=True):
        plan([(note(township, "任期将满提醒"), False), (note(township, "经费报销逾期"), False)], now=evening)
        plan([(note(county, "节假日安排未发布"), False)], now=evening)
    assert set(Delivery.objects.values_list("status", flat=True)) == {"held"}
    assert channel.sent == []

    morning = at("2026-10-15", "07:30")
    with django_capture_on_commit_callbacks(execute=True):
        assert build_digests(now=morning) == 2
    by_address = dict(channel.sent)
    assert set(by_address) == {township.username, county.username}
    digest = by_address[township.username]
    assert digest.title == "10月15日晨报：您有 2 条新通知"
    assert digest.body == "1. 任期将满提醒\n2. 经费报销逾期"
    assert digest.key == f"digest:{township.pk}:recording:2026-10-15"
    assert set(Delivery.objects.filter(notification__isnull=False).values_list("status", flat=True)) == {"merged"}
    assert Delivery.objects.get(key=digest.key).items.count() == 2

    # A second run the same morning sends nothing; what arrives later waits for tomorrow's digest.
    with django_capture_on_commit_callbacks(execute=True):
        plan([(note(township, "考核结果已公布"), False)], now=at("2026-10-15", "09:00"))
        assert build_digests(now=at("2026-10-15", "10:00")) == 0
    assert len(channel.sent) == 2
    assert Delivery.objects.get(notification__title="考核结果已公布").status == "held"
    with django_capture_on_commit_callbacks(execute=True):
        assert build_digests(now=at("2026-10-16", "07:30")) == 1
    assert channel.sent[-1][1].body == "1. 考核结果已公布"


def test_the_digest_waits_for_a_person_whose_quiet_hours_end_later(
    world: World, channel: RecordingChannel, django_capture_on_commit_callbacks: Any
) -> None:
    township = world.personas["township"]
    ChannelPreference.objects.create(user=township, quiet_start=dt.time(21), quiet_end=dt.time(8, 30))
    plan([(note(township, "任期将满提醒"), False)], now=at("2026-10-14", "18:00"))
    with django_capture_on_commit_callbacks(execute=True):
        build_digests(now=at("2026-10-15", "07:30"))
    assert channel.sent == []
    assert Delivery.objects.get(notification__isnull=True).due_at == at("2026-10-15", "08:30")


def test_a_person_who_wants_each_message_at_once_gets_no_digest(
    world: World, channel: RecordingChannel, django_capture_on_commit_callbacks: Any
) -> None:
    township = world.personas["township"]
    ChannelPreference.objects.create(user=township, digest=False, quiet_enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        plan([(note(township, "任期将满提醒"), False)], now=at("2026-10-14", "23:00"))
    assert [message.title for _, message in channel.sent] == ["任期将满提醒"]
    assert build_digests(now=at("2026-10-15", "07:30")) == 0


def test_a_channel_the_person_turned_off_gets_nothing(world: World, channel: RecordingChannel) -> None:
    township = world.personas["township"]
    ChannelPreference.objects.create(user=township, muted=["recording"])
    notifications.notify(recipient_ids=[township.pk], title="请审批", urgent=True)
    assert not Delivery.objects.exists()
    assert Notification.objects.filter(recipient=township).count() == 1  # the bell stays


def test_leave_decisions_are_urgent_a_withdrawal_waits_for_the_digest(world: World, channel: RecordingChannel) -> None:
    applicant = cadre_account(world.members["A"], "member_a")
    request = leave_request(world.members["A"], days=4)  # the county office decides (第十九条2)
    leave_request_approve(actor=world.personas["county"], request_id=request.pk, comment="同意")
    assert Delivery.objects.get(recipient=applicant).urgent is True
    second = leave_request(world.members["A"], days=4, start=request.end + dt.timedelta(days=7))
    leave_request_withdraw(actor=applicant, request_id=second.pk)
    withdrawn = Delivery.objects.get(notification__title__contains="已撤回")
    assert (withdrawn.urgent, withdrawn.status) == (False, "held")


def test_a_new_leave_request_reaches_its_approver_at_once(world: World, channel: RecordingChannel) -> None:
    from leave.services import leave_request_create

    applicant = cadre_account(world.members["A"], "member_a")
    start = timezone.localdate() + dt.timedelta(days=3)
    leave_request_create(
        actor=applicant, kind="personal", start=start, start_half="am", end=start + dt.timedelta(days=3),
        end_half="pm", reason="家中有事",
    )  # fmt: skip
    urgent = Delivery.objects.filter(urgent=True)
    assert urgent.exists()
    assert {d.recipient.role for d in urgent.select_related("recipient")} == {"county_org"}
    assert all(d.status == "queued" for d in urgent)
