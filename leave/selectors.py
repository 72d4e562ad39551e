"""Reads of leave. Each returns a fixed number of queries whatever the number of rows: the joins a
page needs are owned here (``select_related``/``prefetch_related``), never added by a view.

``approved_leave_days``, ``approved_leave_halves``, ``official_business_halves``, ``excused_halves``,
``away_at`` and ``is_on_approved_leave`` are the interface other capabilities use: the attendance
capability excuses the half days of approved leave and official business from absence findings, counts
official business toward the month's days and shows 请假 on the whereabouts board (第十九条2, 第十九条3,
第十三条4). Keep their signatures. Leave never imports attendance: what attendance knows about a leave
(its effect on the month and on the village's coverage) is registered here by attendance at start-up.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from cadres.models import Region
from zhucun import scoping
from zhucun.workcalendar import month_bounds

from . import policies
from .models import Half, LeaveRequest, LeaveStep, OfficialBusiness

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

ZERO = Decimal("0")
#: a day's two halves, in slot order (``policies.half_day_index``)
HALVES = (Half.AM.value, Half.PM.value)
#: what ``excused_halves`` and ``away_at`` call approved leave (official business: its kind)
LEAVE = "leave"

CadreIds = Iterable[int] | QuerySet[Any]


def _ids(cadre_ids: CadreIds) -> list[int] | QuerySet[Any]:
    """A queryset of ids stays a subquery (a province's 22,000 ids are not sent as parameters)."""
    return cadre_ids if isinstance(cadre_ids, QuerySet) else list(dict.fromkeys(cadre_ids))


def _granted_q(*, start: dt.date, end: dt.date) -> Q:
    """Granted leave over ``[start, end]`` — not official business, which is not leave (decision 0071)."""
    return Q(status__in=LeaveRequest.GRANTED, start__lte=end, end__gte=start) & ~Q(kind=LeaveRequest.Kind.BUSINESS)


def slot_of(moment: dt.datetime) -> int:
    """The half-day slot ``moment`` falls in (Asia/Shanghai): the morning until noon, then the afternoon."""
    local = timezone.localtime(moment)
    return policies.half_day_index(local.date(), Half.PM if local.hour >= 12 else Half.AM)


def covered_slots(
    *, start: dt.date, start_half: str, end: dt.date, end_half: str, ended_at: dt.datetime | None, first: dt.date,
    last: dt.date,
) -> Iterator[tuple[dt.date, str]]:  # fmt: skip
    """The (date, half) pairs of ``[first, last]`` an absence covers. Ended early (销假) at ``ended_at``,
    it still covers the half in which the cadre came back, not the halves after (第十九条2; decision 0073)."""
    low, high = policies.leave_slots(start, start_half, end, end_half)
    if ended_at is not None:
        high = min(high, slot_of(ended_at) + 1)
    low, high = max(low, first.toordinal() * 2), min(high, last.toordinal() * 2 + 2)
    for slot in range(low, high):
        yield dt.date.fromordinal(slot // 2), HALVES[slot % 2]


def _back_at(request: LeaveRequest) -> dt.datetime | None:
    return request.reported_back_at if request.status == LeaveRequest.Status.REPORTED_BACK else None


def approved_leave_halves(*, cadre_ids: CadreIds, start: dt.date, end: dt.date) -> dict[int, dict[dt.date, set[str]]]:
    """For each cadre with approved leave in ``[start, end]``, the halves (``am``/``pm``) of each date it
    covers (statuses approved and reported_back; 销假 ends it after the half it was made in). One query."""
    ids = _ids(cadre_ids)
    if not isinstance(ids, QuerySet) and not ids:
        return {}
    result: dict[int, dict[dt.date, set[str]]] = defaultdict(lambda: defaultdict(set))
    rows = LeaveRequest.objects.filter(_granted_q(start=start, end=end), cadre_id__in=ids).only(
        "cadre_id", "start", "start_half", "end", "end_half", "status", "reported_back_at"
    )
    for request in rows:
        for day, half in covered_slots(
            start=request.start, start_half=request.start_half, end=request.end, end_half=request.end_half,
            ended_at=_back_at(request), first=start, last=end,
        ):  # fmt: skip
            result[request.cadre_id][day].add(half)
    return {cadre_id: dict(days) for cadre_id, days in result.items()}


def approved_leave_days(*, cadre_ids: CadreIds, start: dt.date, end: dt.date) -> dict[int, dict[dt.date, Decimal]]:
    """For each cadre, the dates in ``[start, end]`` covered by approved leave: 1 for a whole day, 0.5
    for a half day (statuses approved and reported_back). Cadres without leave are absent from the
    result. One query. ``cadre_ids`` may be a queryset of cadre ids (``values("pk")``), used as a
    subquery: a province's 22,000 ids are not sent as parameters."""
    return {
        cadre_id: {day: Decimal(len(halves)) / 2 for day, halves in days.items()}
        for cadre_id, days in approved_leave_halves(cadre_ids=cadre_ids, start=start, end=end).items()
    }


def is_on_approved_leave(*, cadre_id: int, day: dt.date) -> bool:
    """Whether the cadre is on approved leave for (part of) ``day``. One query."""
    return day in approved_leave_halves(cadre_ids=[cadre_id], start=day, end=day).get(cadre_id, {})


def _business_rows(*, cadre_ids: CadreIds, start: dt.date, end: dt.date) -> QuerySet[OfficialBusiness]:
    return OfficialBusiness.objects.filter(
        cadre_id__in=cadre_ids, start__lte=end, end__gte=start, cancelled_at__isnull=True
    ).only("cadre_id", "kind", "start", "start_half", "end", "end_half", "ended_at")


def official_business_halves(
    *, cadre_ids: CadreIds, start: dt.date, end: dt.date
) -> dict[int, dict[dt.date, dict[str, str]]]:
    """For each cadre on official business in ``[start, end]`` (第十三条4 training, meetings, approved
    trips; not cancelled), each date's covered halves → the kind. One query."""
    ids = _ids(cadre_ids)
    if not isinstance(ids, QuerySet) and not ids:
        return {}
    result: dict[int, dict[dt.date, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
    for business in _business_rows(cadre_ids=ids, start=start, end=end):
        for day, half in covered_slots(
            start=business.start, start_half=business.start_half, end=business.end, end_half=business.end_half,
            ended_at=business.ended_at, first=start, last=end,
        ):  # fmt: skip
            result[business.cadre_id][day][half] = business.kind
    return {cadre_id: dict(days) for cadre_id, days in result.items()}


def excused_halves(*, cadre_ids: CadreIds, start: dt.date, end: dt.date) -> dict[int, dict[dt.date, dict[str, str]]]:
    """Each cadre's halves in ``[start, end]`` excused from being in the village, and why: ``"leave"``
    (approved leave) or the kind of official business (``training``, ``meeting``, ``trip``). Approved
    leave and official business are the only excuses (第十九条2/3, 第二十条2; decision 0070). Two queries."""
    result = official_business_halves(cadre_ids=cadre_ids, start=start, end=end)
    for cadre_id, days in approved_leave_halves(cadre_ids=cadre_ids, start=start, end=end).items():
        mine = result.setdefault(cadre_id, {})
        for day, halves in days.items():
            mine.setdefault(day, {}).update(dict.fromkeys(halves, LEAVE))
    return result


def official_business_cadres(*, start: dt.date, end: dt.date) -> QuerySet[Any]:
    """Ids of the cadres with official business in ``[start, end]``, as a subquery."""
    return (
        OfficialBusiness.objects.filter(start__lte=end, end__gte=start, cancelled_at__isnull=True)
        .values("cadre_id")
        .order_by()
    )


@dataclasses.dataclass(frozen=True)
class AwayNow:
    """A cadre's absence at a moment, for the whereabouts board (第十九条3)."""

    #: ``"leave"`` or a kind of official business, while it covers the moment; None when not away
    reason: str | None
    #: the 销假 made earlier the same day (the cadre is back), else None
    back_at: dt.datetime | None


def away_at(*, cadre_ids: CadreIds, moment: dt.datetime) -> dict[int, AwayNow]:
    """What keeps each cadre away at ``moment``: approved leave or official business covering its half
    — ended at once by a 销假 or an early end — and whether the cadre reported back earlier that day.
    Cadres with neither are absent from the result. Two queries."""
    ids = _ids(cadre_ids)
    if not isinstance(ids, QuerySet) and not ids:
        return {}
    slot = slot_of(moment)
    day = dt.date.fromordinal(slot // 2)
    midnight = dt.datetime.combine(day, dt.time(0), tzinfo=timezone.get_current_timezone())
    reason: dict[int, str] = {}
    back: dict[int, dt.datetime] = {}

    def covers(start: dt.date, start_half: str, end: dt.date, end_half: str, ended: dt.datetime | None) -> bool:
        low, high = policies.leave_slots(start, start_half, end, end_half)
        return low <= slot < high and (ended is None or ended > moment)

    leave = LeaveRequest.objects.filter(
        Q(status__in=LeaveRequest.GRANTED, start__lte=day, end__gte=day)
        | Q(status=LeaveRequest.Status.REPORTED_BACK, reported_back_at__range=(midnight, moment)),
        cadre_id__in=ids,
    ).only("cadre_id", "kind", "start", "start_half", "end", "end_half", "status", "reported_back_at")
    for request in leave:
        ended = _back_at(request)
        if ended is not None and midnight <= ended <= moment:
            back[request.cadre_id] = ended
        if request.kind != LeaveRequest.Kind.BUSINESS and covers(
            request.start, request.start_half, request.end, request.end_half, ended
        ):
            reason[request.cadre_id] = LEAVE
    for business in _business_rows(cadre_ids=ids, start=day, end=day):
        if business.cadre_id not in reason and covers(
            business.start, business.start_half, business.end, business.end_half, business.ended_at
        ):
            reason[business.cadre_id] = business.kind
    return {
        cadre_id: AwayNow(reason=reason.get(cadre_id), back_at=back.get(cadre_id))
        for cadre_id in reason.keys() | back.keys()
    }


def leave_days_over(*, start: dt.date, end: dt.date, limit: Decimal) -> dict[int, Decimal]:
    """Cadres whose approved leave in ``[start, end]`` (every kind but official business; 销假 counted)
    is more than ``limit`` days, with their days. The sum of whole requests picks the candidates in SQL
    (it can only overstate the period's days); their days are then counted exactly. Two queries."""
    candidates = (
        LeaveRequest.objects.filter(_granted_q(start=start, end=end))
        .values("cadre_id")
        .annotate(total=Sum("days"))
        .filter(total__gt=limit)
        .values("cadre_id")
        .order_by()
    )
    days = approved_leave_days(cadre_ids=candidates, start=start, end=end)
    totals = {cadre_id: sum(by_day.values(), ZERO) for cadre_id, by_day in days.items()}
    return {cadre_id: total for cadre_id, total in totals.items() if total > limit}


# --- What attendance knows about a leave ---------------------------------------------------------------

#: ``(request, today) → {"month_impact": [...], "coverage_warnings": [...]}``: how a leave would change its
#: applicant's month (第五条, 第十九条2 在保证驻村工作时间前提下) and the village's daily coverage.
#: Attendance owns those rules and registers the function (attendance/apps.py); leave calls it without
#: importing attendance (decision 0074).
LeaveImpact = Callable[[LeaveRequest, dt.date], dict[str, Any]]
_impact: list[LeaveImpact] = []


def register_leave_impact(provider: LeaveImpact) -> None:
    _impact[:] = [provider]


def leave_impact(*, request: LeaveRequest, today: dt.date) -> dict[str, Any]:
    """The registered provider's answer, or empty lists when none is registered."""
    if not _impact:
        return {"month_impact": [], "coverage_warnings": []}
    return _impact[0](request, today)


#: a step with who decided it, named by office and person (leave/templatetags/leave_labels.signer_label)
_STEPS = LeaveStep.objects.select_related("decided_by__region", "decided_by__unit", "decided_by__cadre__team__village")


def leave_requests(*, user: User | AnonymousUser) -> QuerySet[LeaveRequest]:
    """The requests ``user`` may see, with what a list row shows."""
    return (
        scoping.restrict(LeaveRequest.objects.all(), user)
        .select_related("cadre__team__village__parent", "unit")
        .prefetch_related(Prefetch("steps", queryset=_STEPS))
    )


def inbox(*, user: User | AnonymousUser, search: str = "", region: str = "", kind: str = "") -> QuerySet[LeaveRequest]:
    """Requests awaiting ``user``'s answer, the oldest deadline first (第十九条2: 半日内作出答复),
    optionally only the applicants whose name contains ``search``, under ``region`` (a township of
    ``region_choices``) or of ``kind``.

    Each row carries its pending step's ``current_due_at``/``current_received_at``/``current_approver``/
    ``current_step_id``.
    The scope filter comes first (out of scope is never in the inbox), then who answers for the pending
    step (``leave.policies.awaiting_q``).
    """
    rows = leave_requests(user=user)
    if search:
        rows = rows.filter(cadre__name__contains=search)
    if region:
        rows = rows.filter(village_code__startswith=region)
    if kind:
        rows = rows.filter(kind=kind)
    return (
        rows.filter(policies.awaiting_q(user), status=LeaveRequest.Status.PENDING)
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


class MonthPresence(Protocol):
    """``{cadre_id: (present_days, findings)}`` between ``start`` and ``end``, in a fixed number of
    queries: attendance owns presence and registers its selector at start-up (attendance/apps.py), so
    leave shows it without importing attendance (the layering of decision 0100)."""

    def __call__(self, *, cadre_ids: list[int], start: dt.date, end: dt.date) -> dict[int, tuple[int, int]]: ...


_presence: list[MonthPresence] = []


def register_month_presence(provider: MonthPresence) -> None:
    _presence[:] = [provider]


def month_presence(*, cadre_ids: list[int], start: dt.date, end: dt.date) -> dict[int, tuple[int, int]]:
    """The registered provider's answer, or nothing (the glance then shows leave days only)."""
    return _presence[0](cadre_ids=cadre_ids, start=start, end=end) if _presence else {}


def month_glances(*, cadre_ids: Iterable[int], day: dt.date) -> dict[int, MonthGlance]:
    """The month of ``day`` at a glance for each cadre, in a fixed number of queries."""
    ids = list(dict.fromkeys(cadre_ids))
    first, last = month_bounds(day)
    leave = approved_leave_days(cadre_ids=ids, start=first, end=last)
    presence = month_presence(cadre_ids=ids, start=first, end=last)
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


def on_time_rates(*, user: User | AnonymousUser, since: dt.date, now: dt.datetime | None = None) -> list[OnTimeRate]:
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


def recipients(pairs: list[tuple[LeaveRequest, str]]) -> list[list[int]]:
    """For each (request, body) pair, the ids of the active accounts of that body — in one query
    however many pairs (the jobs notify many requests at once)."""
    from accounts.models import User

    if not pairs:
        return []
    condition = Q(pk__in=[])
    for request, body in pairs:
        condition |= policies.accounts_q(request, body)
    users = list(
        User.objects.filter(condition, is_active=True)
        .select_related("cadre")
        .only("pk", "role", "region_id", "unit_id", "cadre_id", "cadre__role")
    )
    return [[user.pk for user in users if policies.answers_for(user, request, body)] for request, body in pairs]


def approver_user_ids(*, request: LeaveRequest, approver: str) -> list[int]:
    """The active accounts that answer for ``approver`` on ``request``. One query."""
    return recipients([(request, approver)])[0]


def applicant_user_ids(*, request: LeaveRequest) -> list[int]:
    from accounts.models import User

    return list(User.objects.filter(cadre_id=request.cadre_id, is_active=True).values_list("pk", flat=True))


def register_rows(
    *, user: User | AnonymousUser, region: str = "", start: dt.date, end: dt.date
) -> QuerySet[LeaveRequest]:
    """The leave register (请假销假登记): requests in ``user``'s scope (optionally under ``region``)
    overlapping ``[start, end]``, in date order."""
    rows = leave_requests(user=user).filter(start__lte=end, end__gte=start)
    if region:
        rows = rows.filter(village_code__startswith=region)
    return rows.order_by("village_code", "start", "id")


_LEVELS = [level.value for level in Region.Level]


def region_choices(*, user: User | AnonymousUser, levels: Iterable[str]) -> list[tuple[str, str]]:
    """The regions of ``levels`` in ``user``'s scope, as ``(code, name)`` in tree order, for the filters
    of the inbox and the register (names, not codes to type; issue 15 item 12). An official's own
    region and its ancestors are left out: only what lies below can narrow the list. One query."""
    wanted = list(levels)
    rows = scoping.restrict(Region.objects.filter(level__in=wanted), user)
    own = getattr(user, "region_id", None)
    if own:
        rows = rows.filter(code__startswith=own).exclude(code=own)
    top = min((_LEVELS.index(level) for level in wanted), default=0)
    return [
        (region.code, "\u3000" * (_LEVELS.index(region.level) - top) + region.name)
        for region in rows.order_by("code").only("code", "name", "level")
    ]


def levels_below(user: User | AnonymousUser, depth: int) -> list[str]:
    """The ``depth`` region levels under ``user``'s own (a county: townships, then villages); an account
    without a region (a unit) gets the counties and townships."""
    own = getattr(user, "region_id", None)
    if not own:
        return [Region.Level.COUNTY.value, Region.Level.TOWNSHIP.value]
    level = next(level for level in _LEVELS if Region.is_code_of(own, level))
    start = _LEVELS.index(level) + 1
    return _LEVELS[start : start + depth]
