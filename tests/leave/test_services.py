"""Writes of leave (leave/services.py): requests routed by the policy (第十九条2, 第二十九条), decisions by
the current step's approver only, withdraw and 销假 by the applicant; every refusal writes nothing and
every change leaves an audit row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from accounts.models import User
from leave import services
from leave.models import LeaveRequest, LeaveStep
from tests.leave.conftest import NOW, TODAY
from tests.leave.factories import leave_request, org_account
from zhucun.api.errors import Conflict
from zhucun.models import AuditEvent, Notification
from zhucun.testing.world import World

MONDAY = dt.date(2026, 11, 30)


def ask(actor: User, *, start: dt.date = MONDAY, days: int = 1, kind: str = "personal", **kwargs: Any) -> LeaveRequest:
    values: dict[str, Any] = {
        "kind": kind,
        "start": start,
        "start_half": "am",
        "end": start + dt.timedelta(days=days - 1),
        "end_half": "pm",
        "reason": "家中老人住院",
    }
    values.update(kwargs)
    return services.leave_request_create(actor=actor, now=NOW, **values)


def chain_of(request: LeaveRequest) -> list[tuple[str, str]]:
    return [(step.approver, step.status) for step in request.steps.order_by("position")]


def notified(user: User) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


# --- Requests and their routing --------------------------------------------------------------------


def test_member_asks_one_day_and_their_team_leader_is_asked_within_half_a_day_第十九条(
    world: World, member_a: User
) -> None:
    request = ask(member_a)
    assert request.status == "pending"
    assert request.days == Decimal("1")
    assert request.village_code == world.village("A")
    assert request.team_leader == world.leaders["A"]
    assert chain_of(request) == [("team_leader", "pending")]
    step = request.steps.get()
    assert step.received_at == NOW
    assert step.due_at == dt.datetime(2026, 11, 26, 16, 30, tzinfo=NOW.tzinfo)  # 4 office hours, lunch excluded
    assert any("半日内答复" in title for title in notified(world.personas["cadre"]))
    event = AuditEvent.objects.get(action="leave.request_create")
    assert event.actor == member_a
    assert event.region_code == world.village("A")
    assert event.after is not None and event.after["chain"] == ["team_leader"]


def test_member_asks_four_days_and_the_county_office_decides_第十九条(world: World, member_a: User) -> None:
    request = ask(member_a, days=4)
    assert chain_of(request) == [("county_office", "pending")]
    assert request.team_leader is None
    assert notified(world.personas["county"])


def test_leader_asks_two_days_township_consents_then_county_office_approves_第十九条(world: World) -> None:
    request = ask(world.personas["cadre"], days=2)
    assert chain_of(request) == [("township", "pending"), ("county_office", "waiting")]


def test_annual_leave_goes_to_township_then_the_units_hr_第二十九条(world: World, member_a: User) -> None:
    request = ask(member_a, days=5, kind="annual")
    assert chain_of(request) == [("township", "pending"), ("unit_hr", "waiting")]


def test_member_short_leave_goes_to_the_township_when_the_team_leader_has_no_account_第十九条(
    world: World, member_b: User
) -> None:
    """docs/decisions/0007: nobody can answer as 队长 in the system, so the next body up does."""
    request = ask(member_b)
    assert chain_of(request) == [("township", "pending")]
    assert request.team_leader is None
    assert notified(world.township_accounts["B"])


def test_member_short_leave_goes_to_the_township_when_the_team_leader_is_on_leave_第十九条(
    world: World, member_a: User
) -> None:
    leave_request(world.leaders["A"], start=TODAY, days=3, status=LeaveRequest.Status.APPROVED)
    request = ask(member_a)
    assert chain_of(request) == [("township", "pending")]


def test_half_days_are_counted_and_friday_to_monday_noon_is_three_and_a_half_days(member_a: User) -> None:
    friday = dt.date(2026, 11, 27)
    request = ask(member_a, start=friday, days=4, end_half="am")
    assert request.days == Decimal("3.5")
    assert chain_of(request) == [("county_office", "pending")]


# --- Refusals write nothing --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"start": TODAY - dt.timedelta(days=1)}, "start"),
        ({"end": MONDAY - dt.timedelta(days=1)}, "end"),
        ({"start_half": "pm", "end": MONDAY, "end_half": "am"}, "end"),
        ({"reason": "   "}, "reason"),
        ({"kind": "holiday"}, "kind"),
        ({"start_half": "noon"}, "start_half"),
    ],
)
def test_bad_requests_are_refused_in_chinese_and_write_nothing(
    member_a: User, changes: dict[str, Any], field: str
) -> None:
    audits = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        ask(member_a, **changes)
    assert field in refused.value.message_dict
    assert any("\u4e00" <= ch <= "\u9fff" for ch in refused.value.message_dict[field][0])
    assert LeaveRequest.objects.count() == 0
    assert AuditEvent.objects.count() == audits


def test_overlapping_an_own_pending_leave_is_refused(member_a: User) -> None:
    ask(member_a, days=2)
    audits = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match="重叠"):
        ask(member_a, start=MONDAY + dt.timedelta(days=1))
    assert LeaveRequest.objects.count() == 1
    assert AuditEvent.objects.count() == audits


def test_adjacent_half_days_do_not_overlap(member_a: User) -> None:
    ask(member_a, end_half="am")
    afternoon = ask(member_a, start_half="pm")
    assert afternoon.days == Decimal("0.5")


def test_a_withdrawn_leave_does_not_block_a_new_one(member_a: User) -> None:
    first = ask(member_a)
    services.leave_request_withdraw(actor=member_a, request_id=first.pk, now=NOW)
    assert ask(member_a).status == "pending"


@pytest.mark.parametrize("persona", ["province", "city", "county", "township", "unit"])
def test_only_cadres_ask_for_leave(world: World, persona: str) -> None:
    with pytest.raises(PermissionDenied):
        ask(world.personas[persona])
    assert LeaveRequest.objects.count() == 0
    assert not AuditEvent.objects.filter(action="leave.request_create").exists()


# --- Decisions ---------------------------------------------------------------------------------------


def test_township_consents_then_county_office_approves_and_the_applicant_is_told_第十九条(world: World) -> None:
    leader = world.personas["cadre"]
    request = ask(leader, days=2)
    later = NOW + dt.timedelta(hours=1)
    services.leave_request_approve(actor=world.personas["township"], request_id=request.pk, comment="同意", now=later)
    township_step, county_step = request.steps.order_by("position")
    assert (township_step.status, township_step.decided_by, township_step.decided_at, township_step.comment) == (
        "approved",
        world.personas["township"],
        later,
        "同意",
    )
    assert county_step.status == "pending"
    assert county_step.received_at == later
    assert county_step.due_at == dt.datetime(2026, 11, 26, 17, 30, tzinfo=NOW.tzinfo)
    request.refresh_from_db()
    assert request.status == "pending"

    services.leave_request_approve(actor=world.personas["county"], request_id=request.pk, now=later)
    request.refresh_from_db()
    assert request.status == "approved"
    assert request.decided_at == later
    assert any("已批准" in title for title in notified(leader))
    assert set(AuditEvent.objects.values_list("action", flat=True)) >= {
        "leave.request_create",
        "leave.step_approve",
        "leave.request_approve",
    }


def test_team_leader_approves_a_members_short_leave_第十九条(world: World, member_a: User) -> None:
    request = ask(member_a)
    services.leave_request_approve(actor=world.personas["cadre"], request_id=request.pk, now=NOW)
    request.refresh_from_db()
    assert request.status == "approved"


def test_annual_leave_needs_the_units_hr_after_the_township_第二十九条(world: World, member_a: User) -> None:
    request = ask(member_a, days=5, kind="annual")
    services.leave_request_approve(actor=world.personas["township"], request_id=request.pk, now=NOW)
    request.refresh_from_db()
    assert request.status == "pending"
    services.leave_request_approve(actor=world.personas["unit"], request_id=request.pk, now=NOW)
    request.refresh_from_db()
    assert request.status == "approved"


def test_out_of_scope_is_not_found_and_changes_nothing(world: World, member_a: User) -> None:
    request = ask(member_a, days=2)  # the township of A decides
    audits = AuditEvent.objects.count()
    with pytest.raises(Http404):
        services.leave_request_approve(actor=world.township_accounts["B"], request_id=request.pk, now=NOW)
    assert chain_of(request) == [("township", "pending")]
    assert AuditEvent.objects.count() == audits


@pytest.mark.parametrize("persona", ["province", "city", "county", "unit", "cadre"])
def test_in_scope_but_not_the_approver_is_forbidden_and_changes_nothing(
    world: World, member_a: User, persona: str
) -> None:
    request = ask(member_a, days=2)  # the township of A decides
    audits = AuditEvent.objects.count()
    with pytest.raises((PermissionDenied, Http404)) as refused:
        services.leave_request_approve(actor=world.personas[persona], request_id=request.pk, now=NOW)
    # the cadre persona (队长 of A) does not even see a request not routed to them
    assert refused.type is (Http404 if persona == "cadre" else PermissionDenied)
    assert chain_of(request) == [("township", "pending")]
    assert AuditEvent.objects.count() == audits


def test_the_county_office_may_not_approve_before_the_townships_consent_第十九条(world: World) -> None:
    request = ask(world.personas["cadre"], days=3)
    with pytest.raises(PermissionDenied, match="尚未轮到您"):
        services.leave_request_approve(actor=world.personas["county"], request_id=request.pk, now=NOW)
    assert chain_of(request) == [("township", "pending"), ("county_office", "waiting")]


def test_a_second_decision_on_a_decided_step_is_a_conflict_and_changes_nothing(world: World, member_a: User) -> None:
    request = ask(member_a, days=2)
    second_township = org_account("t_A2", "township", world.township("A"))
    services.leave_request_approve(actor=world.personas["township"], request_id=request.pk, comment="同意", now=NOW)
    audits = AuditEvent.objects.count()
    for decide in (services.leave_request_approve, services.leave_request_reject):
        with pytest.raises(Conflict):
            decide(actor=second_township, request_id=request.pk, comment="不同意", now=NOW)
    step = request.steps.get()
    assert (step.status, step.decided_by, step.comment) == ("approved", world.personas["township"], "同意")
    assert AuditEvent.objects.count() == audits


def test_a_grant_to_inspect_another_township_lends_no_authority_to_approve(world: World, member_b: User) -> None:
    """A guardian region grant widens what a township sees, never what it approves."""
    from django.contrib.auth.models import Permission

    from accounts.models import RegionGrant

    request = ask(member_b, days=2)  # township B decides
    RegionGrant.objects.create(
        user=world.personas["township"],
        permission=Permission.objects.get(codename="inspect_region"),
        content_object_id=world.township("B"),
    )
    township_a = User.objects.get(pk=world.personas["township"].pk)
    with pytest.raises(PermissionDenied):
        services.leave_request_approve(actor=township_a, request_id=request.pk, now=NOW)


def test_reject_needs_a_reason_and_ends_the_chain(world: World) -> None:
    request = ask(world.personas["cadre"], days=2)
    audits = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match="理由"):
        services.leave_request_reject(actor=world.personas["township"], request_id=request.pk, comment=" ", now=NOW)
    assert AuditEvent.objects.count() == audits
    services.leave_request_reject(
        actor=world.personas["township"], request_id=request.pk, comment="近期有考核，请改期", now=NOW
    )
    request.refresh_from_db()
    assert request.status == "rejected"
    assert chain_of(request) == [("township", "rejected"), ("county_office", "skipped")]
    assert any("未获批准" in title for title in notified(world.personas["cadre"]))
    assert AuditEvent.objects.filter(action="leave.step_reject").exists()


# --- Withdraw and 销假 ----------------------------------------------------------------------------------


def test_the_applicant_withdraws_a_pending_request_and_the_approver_is_told(world: World, member_a: User) -> None:
    request = ask(member_a, days=2)
    services.leave_request_withdraw(actor=member_a, request_id=request.pk, now=NOW)
    request.refresh_from_db()
    assert request.status == "withdrawn"
    assert chain_of(request) == [("township", "skipped")]
    assert any("撤回" in title for title in notified(world.personas["township"]))
    assert AuditEvent.objects.filter(action="leave.request_withdraw").exists()


def test_nobody_else_withdraws_and_a_decided_request_cannot_be_withdrawn(world: World, member_a: User) -> None:
    request = ask(member_a, days=2)
    with pytest.raises(PermissionDenied):
        services.leave_request_withdraw(actor=world.personas["township"], request_id=request.pk, now=NOW)
    services.leave_request_approve(actor=world.personas["township"], request_id=request.pk, now=NOW)
    with pytest.raises(Conflict):
        services.leave_request_withdraw(actor=member_a, request_id=request.pk, now=NOW)


def test_report_back_after_an_approved_leave_第十九条(world: World) -> None:
    """请假期满后，应及时销假."""
    leader = world.personas["cadre"]
    request = leave_request(world.leaders["A"], start=TODAY - dt.timedelta(days=2), status="approved")
    services.leave_request_report_back(actor=leader, request_id=request.pk, now=NOW)
    request.refresh_from_db()
    assert request.status == "reported_back"
    assert request.reported_back_at == NOW
    assert AuditEvent.objects.filter(action="leave.request_report_back", actor=leader).exists()


@pytest.mark.parametrize(
    ("make", "error"),
    [
        (
            lambda w: leave_request(w.leaders["A"], start=TODAY + dt.timedelta(days=3), status="approved"),
            ValidationError,
        ),
        (lambda w: leave_request(w.leaders["A"]), Conflict),
    ],
)
def test_report_back_before_the_leave_or_before_approval_is_refused(
    world: World, make: Callable[[World], LeaveRequest], error: type[Exception]
) -> None:
    request = make(world)
    status = request.status
    with pytest.raises(error):
        services.leave_request_report_back(actor=world.personas["cadre"], request_id=request.pk, now=NOW)
    request.refresh_from_db()
    assert request.status == status


def test_step_rows_keep_who_when_and_comment(world: World) -> None:
    request = ask(world.personas["cadre"])
    services.leave_request_approve(actor=world.personas["township"], request_id=request.pk, comment="同意", now=NOW)
    step = LeaveStep.objects.get(request=request)
    assert step.decided_by == world.personas["township"]
    assert step.decided_at == NOW
    assert step.comment == "同意"
    assert step.on_time is True
