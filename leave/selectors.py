"""Reads of leave. Each returns a fixed number of queries whatever the number of rows: the joins a
page needs are owned here (``select_related``/``prefetch_related``), never added by a view.

``approved_leave_days`` and ``is_on_approved_leave`` are the interface other capabilities use: the
attendance capability excuses days of approved leave from absence findings and shows 请假 on the
whereabouts board (第十九条2, 第十九条3). Keep their signatures.
"""

from __future__ import annotations

import calendar as _calendar
import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from zhucun import scoping

from . import policies
from .models import LeaveRequest, LeaveStep

ZERO = Decimal("0")


def _granted_q(*, start: dt.date, end: dt.date) -> Q:
    return Q(status__in=LeaveRequest.GRANTED, start__lte=end, end__gte=start)


def _effective_end(request: LeaveRequest) -> dt.date:
    """The last day the leave covers: a cadre who reported back early (销假) is back from that day."""
    if request.status == LeaveRequest.Status.REPORTED_BACK and request.reported_back_at is not None:
        back = timezone.localtime(request.reported_back_at).date()
        return min(request.end, back)
    return request.end


def approved_leave_days(
    *, cadre_ids: Iterable[int] | QuerySet[Any], start: dt.date, end: dt.date
) -> dict[int, dict[dt.date, Decimal]]:
    """For each cadre, the dates in ``[start, end]`` covered by approved leave: 1 for a whole day, 0.5
    for a half day (statuses approved and reported_back). Cadres without leave are absent from the
    result. One query. ``cadre_ids`` may be a queryset of cadre ids (``values("pk")``), used as a
    subquery: a province's 22,000 ids are not sent as parameters."""
    ids: list[int] | QuerySet[Any]
    if isinstance(cadre_ids, QuerySet):
        ids = cadre_ids
    else:
        ids = list(dict.fromkeys(cadre_ids))
        if not ids:
            return {}
    result: dict[int, dict[dt.date, Decimal]] = defaultdict(dict)
    rows = LeaveRequest.objects.filter(_granted_q(start=start, end=end), cadre_id__in=ids).only(
        "cadre_id", "start", "start_half", "end", "end_half", "status", "reported_back_at"
    )
    for request in rows:
        day = max(request.start, start)
        last = min(_effective_end(request), end)
        while day <= last:
            covered = request.covers(day)
            if covered:
                days = result[request.cadre_id]
                days[day] = min(Decimal("1"), days.get(day, ZERO) + covered)
            day += dt.timedelta(days=1)
    return dict(result)


def is_on_approved_leave(*, cadre_id: int, day: dt.date) -> bool:
    """Whether the cadre is on approved leave for (part of) ``day``. One query."""
    return day in approved_leave_days(cadre_ids=[cadre_id], start=day, end=day).get(cadre_id, {})


def leave_requests(*, user: Any) -> QuerySet[LeaveRequest]:
    """The requests ``user`` may see, with what a list row shows."""
    return (
        scoping.restrict(LeaveRequest.objects.all(), user)
        .select_related("cadre__team__village__parent", "unit")
        .prefetch_related(Prefetch("steps", queryset=LeaveStep.objects.select_related("decided_by")))
    )


def inbox(*, user: Any) -> QuerySet[LeaveRequest]:
    """Requests awaiting ``user``'s answer, the oldest deadline first (第十九条2: 半日内作出答复).

    Each row carries its pending step's ``current_due_at``/``current_received_at``/``current_approver``/
    ``current_step_id``.
    The scope filter comes first (out of scope is never in the inbox), then who answers for the pending
    step (``leave.policies.awaiting_q``).
    """
    return (
        leave_requests(user=user)
        .filter(policies.awaiting_q(user), status=LeaveRequest.Status.PENDING)
        .annotate(
            current_due_at=F("steps__due_at"),
            current_received_at=F("steps__received_at"),
            current_approver=F("steps__approver"),
            current_step_id=F("steps__id"),
        )
        .order_by("current_due_at", "id")
    )


@dataclasses.dataclass(frozen=True)
class MonthGlance:
    """An applicant's month beside the request (UI.md "county inbox"): days on approved leave from this
    app; days present and absence findings from the attendance capability once it provides them."""

    leave_days: Decimal
    present_days: int | None = None
    findings: int | None = None


def attendance_month_hook(*, cadre_ids: list[int], month_start: dt.date, month_end: dt.date) -> dict[int, Any]:
    """``{cadre_id: (present_days, findings)}`` for the month, from attendance (which owns presence),
    in a fixed number of queries. Imported here, not at module level: attendance reads leave too."""
    from attendance.selectors import month_presence

    return dict(month_presence(cadre_ids=cadre_ids, start=month_start, end=month_end))


def month_glances(*, cadre_ids: Iterable[int], day: dt.date) -> dict[int, MonthGlance]:
    """The month of ``day`` at a glance for each cadre, in a fixed number of queries."""
    ids = list(dict.fromkeys(cadre_ids))
    first = day.replace(day=1)
    last = day.replace(day=_calendar.monthrange(day.year, day.month)[1])
    leave = approved_leave_days(cadre_ids=ids, start=first, end=last)
    presence = attendance_month_hook(cadre_ids=ids, month_start=first, month_end=last)
    glances = {}
    for cadre_id in ids:
        present, findings = presence.get(cadre_id, (None, None))
        glances[cadre_id] = MonthGlance(
            leave_days=sum(leave.get(cadre_id, {}).values(), ZERO), present_days=present, findings=findings
        )
    return glances


@dataclasses.dataclass(frozen=True)
class OnTimeRate:
    """第十九条2 (半日内作出答复): how an approving body keeps its deadline."""

    approver: str
    label: str
    decided: int
    on_time: int
    overdue_open: int

    @property
    def rate(self) -> int | None:
        return round(100 * self.on_time / self.decided) if self.decided else None


def on_time_rates(*, user: Any, since: dt.date, now: dt.datetime | None = None) -> list[OnTimeRate]:
    """Per approving body, within ``user``'s scope, since ``since``: steps answered, answered on time,
    and still open past their deadline. One query."""
    now = now or timezone.now()
    requests = scoping.restrict(LeaveRequest.objects.all(), user)
    rows = (
        LeaveStep.objects.filter(request__in=requests.values("pk"), received_at__date__gte=since)
        .values("approver")
        .annotate(
            n_decided=Count("pk", filter=Q(decided_at__isnull=False)),
            n_on_time=Count("pk", filter=Q(decided_at__isnull=False, decided_at__lte=F("due_at"))),
            n_overdue_open=Count("pk", filter=Q(status=LeaveStep.Status.PENDING, due_at__lt=now)),
        )
        .order_by()
    )
    by_approver: dict[str, Any] = {row["approver"]: row for row in rows}
    empty = {"n_decided": 0, "n_on_time": 0, "n_overdue_open": 0}
    return [
        OnTimeRate(
            approver=value,
            label=label,
            decided=by_approver.get(value, empty)["n_decided"],
            on_time=by_approver.get(value, empty)["n_on_time"],
            overdue_open=by_approver.get(value, empty)["n_overdue_open"],
        )
        for value, label in LeaveStep.Approver.choices
    ]


def _body_q(request: LeaveRequest, body: str) -> Q:
    """Accounts that answer for (or, for escalations, supervise) ``body`` on ``request``. ``city_org``
    and ``unit_org`` are the escalation targets of ``policies.superior_of``."""
    code = request.village_code
    if body == policies.TEAM_LEADER:
        return Q(cadre_id=request.team_leader_id) if request.team_leader_id else Q(pk__in=[])
    if body == policies.TOWNSHIP:
        return Q(role="township", region_id=code[:9])
    if body == policies.COUNTY_OFFICE:
        return Q(role="county_org", region_id=code[:6])
    if body == "city_org":
        return Q(role="city_org", region_id=code[:4])
    if body == policies.UNIT_HR:
        return Q(role="unit", unit_id=request.unit_id)
    if body == "unit_org":
        # The organization department of the unit's level (第十二条); central units: the province.
        region_id = request.unit.region_id
        if region_id:
            return Q(role__in=["province_org", "city_org", "county_org"], region_id=region_id)
        return Q(role="province_org")
    return Q(pk__in=[])


def _answers_for(user: Any, request: LeaveRequest, body: str) -> bool:
    """The same rule as ``_body_q``, in Python, to split one query's accounts among many requests."""
    code = request.village_code
    if body == policies.TEAM_LEADER:
        return bool(request.team_leader_id) and user.cadre_id == request.team_leader_id
    if body == policies.TOWNSHIP:
        return bool(user.role == "township" and user.region_id == code[:9])
    if body == policies.COUNTY_OFFICE:
        return bool(user.role == "county_org" and user.region_id == code[:6])
    if body == "city_org":
        return bool(user.role == "city_org" and user.region_id == code[:4])
    if body == policies.UNIT_HR:
        return bool(user.role == "unit" and user.unit_id == request.unit_id)
    if body == "unit_org":
        region_id = request.unit.region_id
        if region_id:
            return bool(user.role in ("province_org", "city_org", "county_org") and user.region_id == region_id)
        return bool(user.role == "province_org")
    return False


def recipients(pairs: list[tuple[LeaveRequest, str]]) -> list[list[int]]:
    """For each (request, body) pair, the ids of the active accounts of that body — in one query
    however many pairs (the jobs notify many requests at once)."""
    from accounts.models import User

    if not pairs:
        return []
    condition = Q(pk__in=[])
    for request, body in pairs:
        condition |= _body_q(request, body)
    users = list(User.objects.filter(condition, is_active=True).only("pk", "role", "region_id", "unit_id", "cadre_id"))
    return [[user.pk for user in users if _answers_for(user, request, body)] for request, body in pairs]


def approver_user_ids(*, request: LeaveRequest, approver: str) -> list[int]:
    """The active accounts that answer for ``approver`` on ``request``. One query."""
    return recipients([(request, approver)])[0]


def applicant_user_ids(*, request: LeaveRequest) -> list[int]:
    from accounts.models import User

    return list(User.objects.filter(cadre_id=request.cadre_id, is_active=True).values_list("pk", flat=True))


def register_rows(*, user: Any, region: str = "", start: dt.date, end: dt.date) -> QuerySet[LeaveRequest]:
    """The leave register (请假销假登记): requests in ``user``'s scope (optionally under ``region``)
    overlapping ``[start, end]``, in date order."""
    rows = leave_requests(user=user).filter(start__lte=end, end__gte=start)
    if region:
        rows = rows.filter(village_code__startswith=region)
    return rows.order_by("village_code", "start", "id")


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    return day.replace(day=1), day.replace(day=_calendar.monthrange(day.year, day.month)[1])
