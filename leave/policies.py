"""The rules of leave — THE one place where they are decided (第十九条2, 第二十九条; SPEC.md "Leave").

* ``leave_days`` — how long a leave is: calendar days counted in half-days (cadres live in the
  village on weekends and holidays too), so Friday morning to Monday noon is 3.5 days.
* ``approval_chain`` — who approves, in order (第十九条2; 第二十九条 for paid annual leave), with the
  thresholds of the policy profile (``zhucun.policy``), never hard-coded.
* ``may_decide`` / ``awaiting_q`` — which account answers for an approving body.
* ``superior_of`` — whom a missed deadline is escalated to.

Every function here is pure or reads only what it is given, so routing is tested exhaustively
(tests/leave/test_policies.py) without a database.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from zhucun.policy import PolicyProfile

if TYPE_CHECKING:
    from .models import LeaveRequest

HALF = Decimal("0.5")

TEAM_LEADER = "team_leader"
TOWNSHIP = "township"
COUNTY_OFFICE = "county_office"
UNIT_HR = "unit_hr"

#: the applicant roles 第十九条2 names together: 第一书记和驻村工作队队长
LEADING_ROLES = frozenset({"first_secretary", "leader", "first_secretary_leader"})
#: cadres who lead a team and approve its members' short leave (队长批准)
TEAM_LEADER_ROLES = frozenset({"leader", "first_secretary_leader"})


def half_day_index(day: dt.date, half: str) -> int:
    """The half-day slot a leave starts in: each date has two slots, am then pm."""
    return day.toordinal() * 2 + (1 if half == "pm" else 0)


def leave_slots(start: dt.date, start_half: str, end: dt.date, end_half: str) -> tuple[int, int]:
    """The half-open range of half-day slots ``[first, after_last)``. ``end_half="am"`` ends at noon."""
    first = half_day_index(start, start_half)
    after_last = end.toordinal() * 2 + (1 if end_half == "am" else 2)
    return first, after_last


def leave_days(start: dt.date, start_half: str, end: dt.date, end_half: str) -> Decimal:
    """Calendar days of the leave in half-days (SPEC.md "Leave"): weekends and holidays count, because
    the cadre is away from the village on them too. Zero or negative means the dates are inverted."""
    first, after_last = leave_slots(start, start_half, end, end_half)
    return Decimal(after_last - first) * HALF


def approval_chain(
    *, applicant_role: str, kind: str, days: Decimal, profile: PolicyProfile, team_leader_available: bool = True
) -> tuple[str, ...]:
    """The approving bodies of a leave, in order.

    第二十九条: paid annual leave (带薪年休假) is arranged by the team and approved by the township party
    committee and the dispatching unit's HR department (the unit step is a profile flag).

    第十九条2, for every other kind:

    * a team member (队员): ≤ 1 day the team leader (1天以内由队长批准); > 1 and ≤ 3 days the township
      party committee (2至3天由乡镇党委批准; the overlap at 3 goes to the township, the more specific
      clause); > 3 days the county 驻村工作办公室 (3天以上);
    * a 第一书记 or 队长: the township's consent always (须经乡镇党委同意), and from 2 days on
      ("2天以上" includes 2) also the county office's approval, after the township.

    ``team_leader_available=False`` (the team has no leader who can answer: none, none with an account,
    the leader is the applicant or is on leave) sends a member's short leave to the township, the next
    body up (docs/decisions/0007-leave-routing-edge-cases.md).
    """
    if days <= 0:
        raise ValueError("a leave lasts at least half a day")
    if kind == "annual":
        return (TOWNSHIP, UNIT_HR) if profile.annual_leave_needs_unit_hr else (TOWNSHIP,)
    if kind == "business":
        return official_business_chain(days=days, profile=profile)
    if applicant_role in LEADING_ROLES:
        if days >= profile.leader_leave_county_from_days:
            # 须经乡镇党委同意 … 由县驻村工作办公室批准; a profile without the consent step (the 2021
            # national template: the county beyond 5 days) goes to the county office alone.
            return (TOWNSHIP, COUNTY_OFFICE) if profile.leader_leave_township_consent else (COUNTY_OFFICE,)
        return (TOWNSHIP,)
    if days <= profile.member_leave_team_leader_max_days:
        return (TEAM_LEADER,) if team_leader_available else (TOWNSHIP,)
    if days <= profile.member_leave_township_max_days:
        return (TOWNSHIP,)
    return (COUNTY_OFFICE,)


def official_business_chain(*, days: Decimal, profile: PolicyProfile) -> tuple[str, ...]:
    """A trip on the village's business (公务外出, docs/decisions/0077) is not the team's leave to grant:
    the bodies that manage the cadres' days (第十三条 县乡党委承担…日常管理, 第十五条) approve it, with
    the township's band of the leave thresholds — the township up to ``member_leave_township_max_days``
    (3; the 2021 template 5), the county 驻村工作办公室 beyond — for every role."""
    return (TOWNSHIP,) if days <= profile.member_leave_township_max_days else (COUNTY_OFFICE,)


def superior_of(approver: str) -> str:
    """Whom a missed deadline is escalated to (第十四条, 第十五条: the county oversees the townships and
    teams; the city the counties): team leader → township, township → county office, county office →
    city organization department, unit HR → the unit's organization department (第十二条)."""
    return {TEAM_LEADER: TOWNSHIP, TOWNSHIP: COUNTY_OFFICE, COUNTY_OFFICE: "city_org", UNIT_HR: "unit_org"}[approver]


# --- Who answers for an approving body ------------------------------------------------------------


def approver_of(user: Any) -> tuple[str, ...]:
    """The approving bodies ``user`` answers for: a team leader's cadre account for 队长, a township
    account for the township party committee, a county organization account for the county 驻村工作
    办公室 (docs/decisions/0002-org-bodies.md), a unit account for the unit's HR department."""
    role = getattr(user, "role", "")
    if role == "cadre":
        cadre = getattr(user, "cadre", None)
        return (TEAM_LEADER,) if cadre is not None and cadre.role in TEAM_LEADER_ROLES else ()
    return {"township": (TOWNSHIP,), "county_org": (COUNTY_OFFICE,), "unit": (UNIT_HR,)}.get(role, ())


def may_decide(user: Any, request: LeaveRequest, approver: str) -> bool:
    """Whether ``user`` answers for ``approver`` on ``request``. Only the account's own region counts:
    a region lent for inspection (a guardian grant) lends no authority to approve."""
    if approver not in approver_of(user):
        return False
    if approver == TEAM_LEADER:
        return bool(user.cadre_id) and user.cadre_id == request.team_leader_id != request.cadre_id
    if approver == TOWNSHIP:
        return bool(user.region_id) and request.village_code[:9] == user.region_id
    if approver == COUNTY_OFFICE:
        return bool(user.region_id) and request.village_code[:6] == user.region_id
    if approver == UNIT_HR:
        return bool(user.unit_id) and request.unit_id == user.unit_id
    return False


_REGION_LENGTH = {TOWNSHIP: 9, COUNTY_OFFICE: 6}


def awaiting_q(user: Any) -> Q:
    """Filter of ``LeaveRequest`` rows whose pending step ``user`` answers for (the inbox). The join on
    ``steps`` is single-valued here because a request has at most one pending step."""
    parts = Q(pk__in=[])
    for approver in approver_of(user):
        step = Q(steps__status="pending", steps__approver=approver)
        if approver == TEAM_LEADER:
            parts |= step & Q(team_leader_id=user.cadre_id) & ~Q(cadre_id=user.cadre_id)
        elif approver in (TOWNSHIP, COUNTY_OFFICE) and len(user.region_id or "") == _REGION_LENGTH[approver]:
            parts |= step & Q(village_code__startswith=user.region_id)
        elif approver == UNIT_HR and user.unit_id:
            parts |= step & Q(unit_id=user.unit_id)
    return parts
