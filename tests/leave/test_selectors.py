"""Reads of leave: the interface attendance uses (approved days, on leave today), the inbox in deadline
order for each approving body, and a fixed number of queries however many requests wait."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from leave import selectors, services
from leave.models import LeaveRequest
from tests.leave.conftest import NOW
from tests.leave.factories import leave_request
from tests.test_query_counts import PINNED
from zhucun.testing.world import World

D = dt.date(2026, 12, 1)


def test_approved_leave_days_counts_whole_and_half_days_of_approved_and_reported_back_leave(world: World) -> None:
    member, leader = world.members["A"], world.leaders["A"]
    approved = leave_request(member, start=D, days=3, status="approved")
    approved.start_half, approved.end_half = "pm", "am"  # 1 Dec afternoon → 3 Dec noon
    approved.save()
    leave_request(leader, start=D, days=1, status="reported_back")
    leave_request(member, start=D + dt.timedelta(days=5), days=1)  # pending: not counted
    leave_request(member, start=D + dt.timedelta(days=7), days=1, status="rejected")

    days = selectors.approved_leave_days(cadre_ids=[member.pk, leader.pk], start=D, end=D + dt.timedelta(days=9))

    assert days[member.pk] == {
        D: Decimal("0.5"),
        D + dt.timedelta(days=1): Decimal("1"),
        D + dt.timedelta(days=2): Decimal("0.5"),
    }
    assert days[leader.pk] == {D: Decimal("1")}


def test_approved_leave_days_is_clipped_to_the_period_and_omits_cadres_without_leave(world: World) -> None:
    leave_request(world.members["A"], start=D, days=10, status="approved")
    days = selectors.approved_leave_days(
        cadre_ids=[world.members["A"].pk, world.members["B"].pk],
        start=D + dt.timedelta(days=8),
        end=D + dt.timedelta(days=20),
    )
    assert list(days) == [world.members["A"].pk]
    assert sorted(days[world.members["A"].pk]) == [D + dt.timedelta(days=8), D + dt.timedelta(days=9)]


def test_reporting_back_early_ends_the_leave_that_day(world: World) -> None:
    request = leave_request(world.members["A"], start=D, days=5, status="reported_back")
    request.reported_back_at = timezone.make_aware(dt.datetime(2026, 12, 3, 9, 0))
    request.save()
    days = selectors.approved_leave_days(cadre_ids=[world.members["A"].pk], start=D, end=D + dt.timedelta(days=10))
    assert max(days[world.members["A"].pk]) == dt.date(2026, 12, 3)


def test_is_on_approved_leave(world: World) -> None:
    leave_request(world.members["A"], start=D, days=2, status="approved")
    assert selectors.is_on_approved_leave(cadre_id=world.members["A"].pk, day=D + dt.timedelta(days=1))
    assert not selectors.is_on_approved_leave(cadre_id=world.members["A"].pk, day=D + dt.timedelta(days=2))
    assert not selectors.is_on_approved_leave(cadre_id=world.members["B"].pk, day=D)


def test_the_inbox_holds_what_awaits_me_oldest_deadline_first(world: World) -> None:
    later = leave_request(world.members["A"], days=4, received_at=NOW)
    earlier = leave_request(world.members["B"], days=4, received_at=NOW - dt.timedelta(hours=3))
    leave_request(world.members["C"], days=4)  # another county
    leave_request(world.members["A"], days=2, start=D + dt.timedelta(days=20))  # the township's
    inbox = list(selectors.inbox(user=world.personas["county"]))
    assert [row.pk for row in inbox] == [earlier.pk, later.pk]
    assert inbox[0].current_approver == "county_office"  # type: ignore[attr-defined]
    assert [row.pk for row in selectors.inbox(user=world.township_accounts["A"])] == [
        LeaveRequest.objects.get(days=2).pk
    ]


def test_the_team_leaders_inbox_holds_their_members_short_leave(world: World) -> None:
    short = leave_request(world.members["A"], team_leader=world.leaders["A"])
    assert [row.pk for row in selectors.inbox(user=world.personas["cadre"])] == [short.pk]
    assert list(selectors.inbox(user=world.personas["township"])) == []


def test_on_time_rates_count_answers_by_their_deadline(world: World) -> None:
    on_time = leave_request(world.members["A"], days=4, status="approved")
    late = leave_request(world.members["B"], days=4, status="approved")
    late_step = late.steps.get()
    assert late_step.due_at is not None
    late_step.decided_at = late_step.due_at + dt.timedelta(minutes=5)
    late_step.save()
    assert on_time.steps.get().on_time
    rates = {
        rate.approver: rate
        for rate in selectors.on_time_rates(user=world.personas["county"], since=D - dt.timedelta(days=365))
    }
    assert (rates["county_office"].decided, rates["county_office"].on_time, rates["county_office"].rate) == (2, 1, 50)


def _inbox_queries(user: User) -> int:
    client = Client()
    client.force_login(user)
    client.get(reverse("leave-inbox"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("leave-inbox"))
    assert response.status_code == 200
    return len(queries)


def _requests(world: World, count: int, offset: int) -> None:
    for i in range(count):
        cadre = world.members["A"] if i % 2 else world.members["B"]
        request = leave_request(cadre, days=4, start=D + dt.timedelta(days=10 * (offset + i)))
        if i % 3 == 0:  # some applicants already had leave this month
            leave_request(cadre, days=1, start=dt.date(2026, 11, 2 + (i % 20)), status="approved")
        assert request.status == "pending"


def test_inbox_query_count_is_pinned_and_does_not_grow_with_requests(world: World) -> None:
    """UI.md's headline page: 2 requests or 40, the same queries (the month glance and the chain are
    fetched for the whole page at once)."""
    _requests(world, 2, 0)
    small = _inbox_queries(world.personas["county"])
    _requests(world, 38, 10)
    assert LeaveRequest.objects.filter(status="pending").count() == 40
    large = _inbox_queries(world.personas["county"])
    assert small == large
    # pinned with the list pages' counts (tests/query_counts.json), so a re-pin is one place
    assert large == PINNED["county"]["leave-inbox(with requests)"], large


def test_approving_does_not_touch_other_requests(world: World) -> None:
    first = leave_request(world.members["A"], days=4)
    other = leave_request(world.members["B"], days=4)
    services.leave_request_approve(actor=world.personas["county"], request_id=first.pk)
    other.refresh_from_db()
    assert other.status == "pending"
