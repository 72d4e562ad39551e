"""Official business (公务, 第十三条4, 第五条): training the organization department requires, meetings
it calls and trips approved in the system. A trip is asked for and approved like leave; training is
recorded by the organization department (the service issue 14's training events will call)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import User
from leave import selectors, services
from leave.models import OfficialBusiness
from tests.leave.conftest import NOW
from tests.leave.factories import org_account
from zhucun.models import AuditEvent
from zhucun.testing.world import World

MONDAY = dt.date(2026, 11, 30)


def _trip(actor: User, *, days: int = 2) -> int:
    request = services.leave_request_create(
        actor=actor, kind="business", start=MONDAY, start_half="am", end=MONDAY + dt.timedelta(days=days - 1),
        end_half="pm", reason="到县农业农村局对接产业项目", now=NOW,
    )  # fmt: skip
    return request.pk


def test_an_official_trip_is_asked_for_and_approved_like_leave_第十三条(world: World, member_a: User) -> None:
    """第五条/第十三条: a trip on the village's business, approved in the system, is official business —
    routed to the township (not to the team leader: it is not the team's leave to grant)."""
    pk = _trip(member_a)
    request = services.leave_request_approve(actor=world.personas["township"], request_id=pk, now=NOW)
    assert [step.approver for step in request.steps.all()] == ["township"]
    business = OfficialBusiness.objects.get(request_id=pk)
    assert (business.kind, business.source, business.start, business.end) == (
        "trip",
        "leave_request",
        MONDAY,
        MONDAY + dt.timedelta(days=1),
    )
    assert business.approved_by == world.personas["township"]
    # Official business is not leave: it is not in the leave days, it is in the official business days.
    assert selectors.approved_leave_days(cadre_ids=[world.members["A"].pk], start=MONDAY, end=MONDAY) == {}
    halves = selectors.official_business_halves(cadre_ids=[world.members["A"].pk], start=MONDAY, end=MONDAY)
    assert halves[world.members["A"].pk][MONDAY] == {"am": "trip", "pm": "trip"}


def test_a_long_trip_goes_to_the_county_office_第十五条(world: World, member_a: User) -> None:
    pk = _trip(member_a, days=5)
    from leave.models import LeaveRequest

    assert [s.approver for s in LeaveRequest.objects.get(pk=pk).steps.all()] == ["county_office"]


def test_the_organization_department_records_training_it_requires_第十三条(world: World) -> None:
    """第十三条4 每年至少对驻村干部轮训1次: recorded by the organization department (or the township for its
    own meetings, 第十五条3), audited; the cadre must be in the recorder's scope."""
    business = services.official_business_record(
        actor=world.personas["county"], cadre=world.members["A"], kind="training", start=MONDAY,
        end=MONDAY + dt.timedelta(days=2), title="全县驻村干部轮训",
    )  # fmt: skip
    assert (business.source, business.approved_by) == ("recorded", world.personas["county"])
    assert AuditEvent.objects.filter(action="official_business.record", object_id=str(business.pk)).exists()
    with pytest.raises(Http404):
        services.official_business_record(
            actor=world.township_accounts["B"], cadre=world.members["A"], kind="meeting", start=MONDAY,
            end=MONDAY, title="第一书记工作会议",
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.official_business_record(
            actor=world.personas["cadre"], cadre=world.members["A"], kind="meeting", start=MONDAY, end=MONDAY,
            title="自己开会",
        )  # fmt: skip
    unit = org_account("unit_a2", "unit", str(world.units["A"].pk))
    with pytest.raises(PermissionDenied):
        services.official_business_record(
            actor=unit, cadre=world.members["A"], kind="meeting", start=MONDAY, end=MONDAY, title="单位开会"
        )
    assert OfficialBusiness.objects.count() == 1


def test_a_cancelled_training_no_longer_excuses_第十三条(world: World) -> None:
    business = services.official_business_record(
        actor=world.personas["county"], cadre=world.members["A"], kind="training", start=MONDAY, end=MONDAY,
        title="轮训",
    )  # fmt: skip
    services.official_business_cancel(actor=world.personas["county"], business_id=business.pk, reason="培训延期")
    assert selectors.official_business_halves(cadre_ids=[world.members["A"].pk], start=MONDAY, end=MONDAY) == {}


def test_the_team_leader_asks_for_a_members_trip_but_not_for_their_leave_第十九条(world: World) -> None:
    """第五条/第十九条2: the leader organizes the team's work and may ask for a member's official trip;
    leave stays the member's own to ask for; a cadre of another team is not found (400)."""
    leader = world.personas["cadre"]
    trip = services.leave_request_create(
        actor=leader, kind="business", start=MONDAY, start_half="am", end=MONDAY, end_half="pm",
        reason="带队员到县里对接项目", cadre_id=world.members["A"].pk, now=NOW,
    )  # fmt: skip
    assert (trip.cadre, trip.team_leader) == (world.members["A"], world.leaders["A"])
    with pytest.raises(PermissionDenied):
        services.leave_request_create(
            actor=leader, kind="personal", start=MONDAY, start_half="am", end=MONDAY, end_half="pm",
            reason="替队员请假", cadre_id=world.members["A"].pk, now=NOW,
        )  # fmt: skip
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="不是本队队员"):
        services.leave_request_create(
            actor=leader, kind="business", start=MONDAY, start_half="am", end=MONDAY, end_half="pm",
            reason="外队", cadre_id=world.members["B"].pk, now=NOW,
        )  # fmt: skip
    services.leave_request_withdraw(actor=leader, request_id=trip.pk, now=NOW)  # the leader who asked may withdraw
