"""第十九条2 on the working calendar of the database (issue 11 item 3, decision 0085): a deadline counted
on a year whose holiday table is not published is marked 暂定 wherever it is shown, and is recounted
when provincial staff enter the year's days; the missing-销假 flag says when it was counted so."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.test import Client
from django.urls import reverse

from leave import services
from leave.models import LeaveStep
from tests.conftest import api_as
from tests.leave.factories import leave_request
from zhucun.models import AuditEvent, Notification
from zhucun.testing.world import World
from zhucun.workcalendar import SHANGHAI
from zhucun.workcalendar.services import work_calendar_day_add, work_calendar_year_publish

NEW_YEARS_EVE = dt.datetime(2026, 12, 31, 16, 0, tzinfo=SHANGHAI)
PROVISIONAL = 'data-testid="deadline-provisional"'


def inbox_of(world: World) -> str:
    client = Client()
    client.force_login(world.personas["county"])
    return client.get(reverse("leave-inbox")).content.decode()


def test_a_deadline_into_2027_is_provisional_until_new_years_day_is_entered_then_recounted_and_audited_第十九条(
    world: World, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    request = leave_request(world.members["A"], start=dt.date(2027, 1, 5), days=4, received_at=NEW_YEARS_EVE)
    step = request.steps.get()
    assert step.due_at == dt.datetime(2027, 1, 1, 10, 30, tzinfo=SHANGHAI)  # Monday–Friday: provisional
    assert PROVISIONAL in inbox_of(world)
    api = api_as(world.personas["county"]).get(f"/api/v1/leave-requests/{request.pk}/").json()
    assert api["steps"][0]["due_at_provisional"] is True

    with django_capture_on_commit_callbacks(execute=True):
        work_calendar_day_add(actor=world.personas["province"], date=dt.date(2027, 1, 1), kind="holiday", name="元旦")

    step.refresh_from_db()
    assert step.due_at == dt.datetime(2027, 1, 4, 10, 30, tzinfo=SHANGHAI)
    event = AuditEvent.objects.get(action="leave.step_deadline_recount", object_id=str(step.pk))
    assert event.before == {"due_at": "2027-01-01T10:30:00+08:00"}
    assert event.after is not None and event.after["due_at"] == "2027-01-04T10:30:00+08:00"
    assert PROVISIONAL in inbox_of(world)  # entered, but the year is not published yet

    with django_capture_on_commit_callbacks(execute=True):
        work_calendar_year_publish(actor=world.personas["province"], year=2027, source="国务院办公厅通知")
    assert PROVISIONAL not in inbox_of(world)
    api = api_as(world.personas["county"]).get(f"/api/v1/leave-requests/{request.pk}/").json()
    assert api["steps"][0]["due_at_provisional"] is False


def test_a_deadline_within_a_published_year_is_not_marked_and_not_recounted(
    world: World, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    received = dt.datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)
    request = leave_request(world.members["A"], start=dt.date(2026, 12, 7), days=4, received_at=received)
    assert PROVISIONAL not in inbox_of(world)
    with django_capture_on_commit_callbacks(execute=True):
        work_calendar_day_add(actor=world.personas["province"], date=dt.date(2027, 1, 1), kind="holiday", name="元旦")
    assert request.steps.get().due_at == dt.datetime(2026, 11, 26, 16, 30, tzinfo=SHANGHAI)
    assert not AuditEvent.objects.filter(action="leave.step_deadline_recount").exists()


def test_the_side_panel_marks_a_provisional_deadline(world: World) -> None:
    request = leave_request(world.members["A"], start=dt.date(2027, 1, 5), days=4, received_at=NEW_YEARS_EVE)
    client = Client()
    client.force_login(world.personas["county"])
    panel = client.get(reverse("leave-detail", args=[request.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert PROVISIONAL in panel


def test_a_moved_deadline_still_ahead_is_reminded_again(world: World) -> None:
    request = leave_request(world.members["A"], start=dt.date(2027, 1, 5), days=4, received_at=NEW_YEARS_EVE)
    LeaveStep.objects.filter(request=request).update(reminded_at=NEW_YEARS_EVE)
    work_calendar_day_add(actor=world.personas["province"], date=dt.date(2027, 1, 1), kind="holiday", name="元旦")
    assert services.leave_steps_recount_deadlines(dates=[dt.date(2027, 1, 1)], now=NEW_YEARS_EVE) == 1
    assert request.steps.get().reminded_at is None


def test_a_missing_report_back_counted_on_an_unpublished_year_says_so_第十九条(world: World) -> None:
    """Leave ending Thursday 31 December 2026: with 2027's table missing, Friday 1 January counts as
    the next working day — the township is told, and told that the day was counted provisionally."""
    leave_request(world.members["A"], start=dt.date(2026, 12, 30), days=2, status="approved")
    assert services.leave_requests_flag_missing_report_back(now=dt.datetime(2027, 1, 1, 9, 0, tzinfo=SHANGHAI)) == 1
    note = Notification.objects.get(recipient=world.personas["township"], title__contains="未销假")
    assert "节假日安排尚未发布" in note.body


def test_a_missing_report_back_in_a_published_year_carries_no_such_note(world: World) -> None:
    leave_request(world.members["A"], start=dt.date(2026, 11, 25), days=3, status="approved")
    assert services.leave_requests_flag_missing_report_back(now=dt.datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI)) == 1
    note = Notification.objects.get(recipient=world.personas["township"], title__contains="未销假")
    assert note.body == ""
