"""Leave requests for tests, made directly (any dates, any status) with the chain the policy decides.
Feature tests that exercise the service itself call ``leave.services`` instead."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from accounts.services import account_create
from cadres.models import Cadre
from leave import policies
from leave.models import LeaveRequest, LeaveStep
from zhucun import workcalendar as working_calendar
from zhucun.policy import HEBEI_2018
from zhucun.testing.world import PASSWORD


def leave_request(
    cadre: Cadre,
    *,
    start: dt.date | None = None,
    days: int = 1,
    kind: str = "personal",
    status: str = LeaveRequest.Status.PENDING,
    received_at: dt.datetime | None = None,
    team_leader: Cadre | None = None,
    reason: str = "家中有事",
) -> LeaveRequest:
    """A request of ``days`` whole days from ``start`` (tomorrow by default). Pending: the first step
    is pending with its deadline; approved or reported back: every step approved."""
    start = start or timezone.localdate() + dt.timedelta(days=1)
    end = start + dt.timedelta(days=days - 1)
    total = policies.leave_days(start, "am", end, "pm")
    chain = policies.approval_chain(
        applicant_role=cadre.role, kind=kind, days=total, profile=HEBEI_2018, team_leader_available=bool(team_leader)
    )
    received_at = received_at or timezone.now()
    request = LeaveRequest.objects.create(
        cadre=cadre,
        village_code=cadre.team.village_id,
        unit_id=cadre.unit_id,
        team_leader=team_leader if policies.TEAM_LEADER in chain else None,
        kind=kind,
        start=start,
        start_half="am",
        end=end,
        end_half="pm",
        days=total,
        reason=reason,
        status=status,
        decided_at=None if status == LeaveRequest.Status.PENDING else received_at,
    )
    done = status != LeaveRequest.Status.PENDING
    due = working_calendar.due_at(received_at, HEBEI_2018.office_hours, Decimal("4"))
    LeaveStep.objects.bulk_create(
        [
            LeaveStep(
                request=request,
                position=position,
                approver=approver,
                status=(
                    LeaveStep.Status.APPROVED
                    if done
                    else LeaveStep.Status.PENDING
                    if position == 0
                    else LeaveStep.Status.WAITING
                ),
                received_at=received_at if done or position == 0 else None,
                due_at=due if done or position == 0 else None,
                decided_at=received_at if done else None,
            )
            for position, approver in enumerate(chain)
        ]
    )
    return request


def cadre_account(cadre: Cadre, username: str | None = None) -> User:
    """The cadre's account, made when missing (the world gives only leader A one)."""
    existing = User.objects.filter(cadre=cadre).first()
    if existing is not None:
        return existing
    return account_create(
        actor=None, username=username or f"c_{cadre.pk}", password=PASSWORD, role="cadre", scope=str(cadre.pk)
    )


def org_account(username: str, role: str, scope: str) -> User:
    return account_create(actor=None, username=username, password=PASSWORD, role=role, scope=scope)
