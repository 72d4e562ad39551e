"""The rules of leave — THE one place where they are decided (第十九条2, 第二十九条; SPEC.md "Leave").

* ``leave_days`` — how long a leave is: calendar days counted in half-days (cadres live in the
  village on weekends and holidays too), so Friday morning to Monday noon is 3.5 days.
* ``approval_chain`` — who approves, in order (第十九条2; 第二十九条 for paid annual leave), with the
  thresholds of the policy profile (``zhucun.policy``), never hard-coded.
* ``BODIES`` — who answers for an approving body: one matcher per body, read as the Python check
  (``answers_for``, ``may_decide``), the filter of accounts (``accounts_q``) and of requests
  (``requests_q``, ``awaiting_q``).
* ``superior_of`` — whom a missed deadline is escalated to.

Every function here is pure or reads only what it is given, so routing is tested exhaustively
(tests/leave/test_policies.py) without a database.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from accounts.models import Role
from cadres.models import Cadre, Region
from zhucun.policy import PolicyProfile

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

    from .models import LeaveRequest

HALF = Decimal("0.5")

TEAM_LEADER = "team_leader"
TOWNSHIP = "township"
COUNTY_OFFICE = "county_office"
UNIT_HR = "unit_hr"

#: the applicant roles 第十九条2 names together: 第一书记和驻村工作队队长
LEADING_ROLES = frozenset({Cadre.Role.FIRST_SECRETARY, Cadre.Role.LEADER, Cadre.Role.FIRST_SECRETARY_LEADER})
#: cadres who lead a team and approve its members' short leave (队长批准)
TEAM_LEADER_ROLES = frozenset(Cadre.LEADER_ROLES)


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
    return {TEAM_LEADER: TOWNSHIP, TOWNSHIP: COUNTY_OFFICE, COUNTY_OFFICE: CITY_ORG, UNIT_HR: UNIT_ORG}[approver]


# --- Who answers for an approving body ------------------------------------------------------------
#
# One matcher per body (``BODIES``), read three ways that cannot disagree (tests/leave/test_answerers.py):
# ``answers_for`` checks one account against one request in Python; ``accounts_q`` filters the accounts
# that answer for a body on a request (notifications); ``requests_q`` filters the requests on which an
# account answers for a body (the inbox). Only the account's own region, unit or cadre counts: a region
# lent for inspection (a guardian grant) lends no authority to approve.


@dataclasses.dataclass(frozen=True)
class Body:
    """Accounts of ``roles`` whose ``field`` (``region_id``, ``unit_id`` or ``cadre_id``) equals the value
    the request names for this body (``named_by``: None names nobody)."""

    roles: frozenset[str]
    field: str
    named_by: Callable[[LeaveRequest], Any]
    #: the requests naming ``value`` (the inverse of ``named_by``)
    naming: Callable[[Any], Q]
    #: a further condition on the account itself (the team leader must still lead a team)
    account_q: Q = dataclasses.field(default_factory=Q)
    account_ok: Callable[[Any], bool] = lambda user: True
    #: the level a region ``field`` must be of (a township account answers for the township)
    level: str = ""

    def value_of(self, user: User | AnonymousUser) -> Any:
        """What the account names: its own region (of the body's level), unit or cadre; None for nothing."""
        if getattr(user, "role", "") not in self.roles or not self.account_ok(user):
            return None
        value = getattr(user, self.field, None)
        if self.level and not Region.is_code_of(value, self.level):
            return None
        return value


def _leader_named_by(request: LeaveRequest) -> int | None:
    """第十九条2 队长批准 a member's leave — never the leader's own: the applicant answers for none of
    their own steps."""
    return request.team_leader_id if request.team_leader_id != request.cadre_id else None


def _unit_org_named_by(request: LeaveRequest) -> str:
    """The organization department of the dispatching unit's level (第十二条); a central unit's is the
    province's."""
    return request.unit.region_id or Region.province_of(request.village_code)


def _unit_org_naming(region_id: Any) -> Q:
    central = Q(unit__region__isnull=True) if Region.is_code_of(region_id, Region.Level.PROVINCE) else Q(pk__in=[])
    return Q(unit__region_id=region_id) | central


def _region_body(role: str, level: str) -> Body:
    return Body(
        roles=frozenset({role}),
        field="region_id",
        level=level,
        named_by=lambda request: Region.prefix_of(request.village_code, level),
        naming=lambda code: Q(village_code__startswith=code),
    )


#: ``superior_of``'s escalation targets beyond the approving bodies (notified, never a step)
CITY_ORG = "city_org"
UNIT_ORG = "unit_org"

BODIES: dict[str, Body] = {
    TEAM_LEADER: Body(
        roles=frozenset({Role.CADRE}),
        field="cadre_id",
        named_by=_leader_named_by,
        naming=lambda cadre_id: Q(team_leader_id=cadre_id) & ~Q(cadre_id=cadre_id),
        account_q=Q(cadre__role__in=TEAM_LEADER_ROLES),
        account_ok=lambda user: getattr(getattr(user, "cadre", None), "role", "") in TEAM_LEADER_ROLES,
    ),
    TOWNSHIP: _region_body(Role.TOWNSHIP, Region.Level.TOWNSHIP),
    COUNTY_OFFICE: _region_body(Role.COUNTY_ORG, Region.Level.COUNTY),
    CITY_ORG: _region_body(Role.CITY_ORG, Region.Level.CITY),
    UNIT_HR: Body(
        roles=frozenset({Role.UNIT}),
        field="unit_id",
        named_by=lambda request: request.unit_id,
        naming=lambda unit_id: Q(unit_id=unit_id),
    ),
    UNIT_ORG: Body(
        roles=frozenset({Role.PROVINCE_ORG, Role.CITY_ORG, Role.COUNTY_ORG}),
        field="region_id",
        named_by=_unit_org_named_by,
        naming=_unit_org_naming,
    ),
}
#: the bodies that approve (a step's ``approver``)
APPROVERS = (TEAM_LEADER, TOWNSHIP, COUNTY_OFFICE, UNIT_HR)


def answers_for(user: User | AnonymousUser, request: LeaveRequest, body: str) -> bool:
    """Whether ``user`` answers for ``body`` on ``request``."""
    matcher = BODIES.get(body)
    if matcher is None:
        return False
    value = matcher.value_of(user)
    return value is not None and value == matcher.named_by(request)


def accounts_q(request: LeaveRequest, body: str) -> Q:
    """Filter of accounts (``accounts.User``) that answer for ``body`` on ``request``."""
    matcher = BODIES.get(body)
    value = matcher.named_by(request) if matcher else None
    if matcher is None or value is None:
        return Q(pk__in=[])
    return Q(role__in=sorted(matcher.roles), **{matcher.field: value}) & matcher.account_q


def requests_q(user: User | AnonymousUser, body: str) -> Q:
    """Filter of ``LeaveRequest`` rows on which ``user`` answers for ``body``."""
    matcher = BODIES.get(body)
    value = matcher.value_of(user) if matcher else None
    if matcher is None or value is None:
        return Q(pk__in=[])
    return matcher.naming(value)


def approver_of(user: User | AnonymousUser) -> tuple[str, ...]:
    """The approving bodies ``user`` answers for: a team leader's cadre account for 队长, a township
    account for the township party committee, a county organization account for the county 驻村工作
    办公室 (docs/decisions/0002-org-bodies.md), a unit account for the unit's HR department."""
    return tuple(body for body in APPROVERS if BODIES[body].value_of(user) is not None)


def may_decide(user: User | AnonymousUser, request: LeaveRequest, approver: str) -> bool:
    """Whether ``user`` answers for the approving body ``approver`` on ``request``."""
    return approver in APPROVERS and answers_for(user, request, approver)


def awaiting_q(user: User | AnonymousUser) -> Q:
    """Filter of ``LeaveRequest`` rows whose pending step ``user`` answers for (the inbox). The join on
    ``steps`` is single-valued here because a request has at most one pending step."""
    parts = Q(pk__in=[])
    for approver in approver_of(user):
        parts |= Q(steps__status="pending", steps__approver=approver) & requests_q(user, approver)
    return parts
