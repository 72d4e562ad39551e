"""Jobs of leave: reminders before the half-day deadline, escalation to the approver's superior on a
breach (第十九条2), missing 销假 flagged to the township the next working day. Each runs once per
item however often it runs."""

from __future__ import annotations

import datetime as dt
from io import StringIO

from django.core.management import call_command

from accounts.models import User
from leave import services
from leave.models import LeaveRequest
from leave.tasks import escalate_overdue, flag_missing_report_back, remind_deadlines
from tests.leave.factories import leave_request, org_account
from zhucun.jobs import SCHEDULED_JOBS
from zhucun.models import AuditEvent, Notification
from zhucun.testing.world import World
from zhucun.workcalendar import SHANGHAI

RECEIVED = dt.datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)  # due 16:30 the same day


def titles(user: User) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


def test_an_approver_is_reminded_once_in_the_hour_before_the_deadline(world: World) -> None:
    request = leave_request(world.members["A"], days=4, received_at=RECEIVED)
    county = world.personas["county"]
    assert services.leave_steps_remind(now=RECEIVED + dt.timedelta(hours=5)) == 0  # 15:00: not yet
    assert remind_deadlines((RECEIVED + dt.timedelta(hours=5, minutes=45)).isoformat()) == 1
    assert remind_deadlines((RECEIVED + dt.timedelta(hours=6)).isoformat()) == 0  # once
    assert [t for t in titles(county) if "到期" in t] == [
        f"{request.cadre.name}的请假申请将于11月26日 16:30到期，请及时答复"
    ]


def test_a_breach_is_escalated_once_to_the_superior_and_the_approver_is_told(world: World) -> None:
    leave_request(world.members["A"], days=2, received_at=RECEIVED)  # the township of A
    city = world.personas["city"]
    assert escalate_overdue((RECEIVED + dt.timedelta(hours=6)).isoformat()) == 0
    assert escalate_overdue((RECEIVED + dt.timedelta(hours=7)).isoformat()) == 1
    assert escalate_overdue((RECEIVED + dt.timedelta(hours=8)).isoformat()) == 0
    assert any("超时未答复" in t for t in titles(world.personas["county"]))  # the superior
    assert any("超时未答复" in t for t in titles(world.personas["township"]))  # the approver
    assert not titles(city)
    assert AuditEvent.objects.filter(action="leave.step_escalate").count() == 1


def test_the_county_offices_breach_goes_to_the_city(world: World) -> None:
    leave_request(world.members["A"], days=4, received_at=RECEIVED)
    services.leave_steps_escalate(now=RECEIVED + dt.timedelta(days=1))
    assert any("超时未答复" in t for t in titles(world.personas["city"]))


def test_the_units_breach_goes_to_its_organization_department(world: World) -> None:
    request = leave_request(world.members["A"], days=2, kind="annual", received_at=RECEIVED)
    step = request.steps.get(approver="township")
    services.leave_request_approve(actor=world.personas["township"], request_id=request.pk, now=RECEIVED)
    step.refresh_from_db()
    services.leave_steps_escalate(now=RECEIVED + dt.timedelta(days=1))
    assert any("超时未答复" in t for t in titles(world.personas["county"]))  # the unit is a 甲县 unit


def test_missing_report_back_is_flagged_to_the_township_the_next_working_day(world: World) -> None:
    """第十九条2: 请假期满后，应及时销假. Leave ending Friday 27 November → flagged on Monday 30."""
    leave_request(world.members["A"], start=dt.date(2026, 11, 25), days=3, status="approved")
    township = world.personas["township"]
    saturday = dt.datetime(2026, 11, 28, 9, 0, tzinfo=SHANGHAI)
    monday = dt.datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI)
    assert flag_missing_report_back(saturday.isoformat()) == 0
    assert flag_missing_report_back(monday.isoformat()) == 1
    assert flag_missing_report_back(monday.isoformat()) == 0
    assert any("未销假" in t for t in titles(township))
    assert not any("未销假" in t for t in titles(world.township_accounts["B"]))


def test_a_reported_back_leave_is_not_flagged(world: World) -> None:
    leave_request(world.members["A"], start=dt.date(2026, 11, 20), days=1, status="reported_back")
    assert services.leave_requests_flag_missing_report_back(now=dt.datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI)) == 0


def test_the_jobs_are_scheduled_and_run_by_run_jobs(world: World) -> None:
    names = [name for name, _ in SCHEDULED_JOBS]
    assert {"leave.remind_deadlines", "leave.escalate_overdue", "leave.flag_missing_report_back"} <= set(names)
    leave_request(world.members["A"], start=dt.date(2026, 1, 5), days=1, status="approved")
    out = StringIO()
    call_command("run_jobs", stdout=out)
    assert "leave.flag_missing_report_back: 1" in out.getvalue()
    assert LeaveRequest.objects.get().report_back_flagged_at is not None


def test_many_overdue_steps_are_escalated_in_one_run(world: World) -> None:
    for target in ("A", "B", "C", "D"):
        leave_request(world.members[target], days=2, received_at=RECEIVED)
    org_account("t_A_2", "township", world.township("A"))
    assert services.leave_steps_escalate(now=RECEIVED + dt.timedelta(days=2)) == 4
