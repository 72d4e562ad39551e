"""Attendance reads for the dashboards, the register and the public board. Every function issues a
fixed number of queries, whatever the number of cadres, villages or days."""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Substr

from cadres.models import Cadre, Region, Team
from zhucun import scoping
from zhucun.policy import PolicyProfile, profile_on

from . import rules
from .models import AbsenceFinding, CoverageAlert, SignIn, Whereabouts

PRESENT = [SignIn.Status.OK, SignIn.Status.LATE]


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def leave_days(
    *, cadre_ids: list[int] | QuerySet[Any], start: dt.date, end: dt.date
) -> dict[int, dict[dt.date, Decimal]]:
    """Days of approved leave per cadre (the leave capability owns leave; attendance only reads it)."""
    from leave.selectors import approved_leave_days

    return approved_leave_days(cadre_ids=cadre_ids, start=start, end=end)


@dataclasses.dataclass(frozen=True)
class CadreMonth:
    """One cadre's month against 第五条."""

    cadre: Cadre
    days_present: int
    days_on_leave: Decimal
    meets_25_days: bool
    can_still_meet: bool
    days: dict[dt.date, str]  # date → present / outside / leave / absent / upcoming


def cadres_in_region(*, user: Any, region: Region) -> QuerySet[Cadre]:
    return (
        scoping.restrict(Cadre.objects.all(), user)
        .filter(team__village__code__startswith=region.code, status=Cadre.Status.ACTIVE)
        .select_related("team__village__parent", "unit")
        .order_by("team__village_id", "role", "name")
    )


def attendance_month(*, user: Any, region: Region, month: dt.date, today: dt.date) -> list[CadreMonth]:
    """Each active cadre of the region with days present and on leave this month (第五条), and a
    day-by-day status for the heat-map. Three queries."""
    first, last = month_bounds(month)
    profile = profile_on(last if last < today else today)
    cadres = list(cadres_in_region(user=user, region=region))
    ids = [cadre.pk for cadre in cadres]
    signins: dict[int, dict[dt.date, str]] = {}
    for cadre_id, day, status in SignIn.objects.filter(cadre_id__in=ids, date__range=(first, last)).values_list(
        "cadre_id", "date", "status"
    ):
        signins.setdefault(cadre_id, {})[day] = status
    leave = leave_days(cadre_ids=ids, start=first, end=last)
    rows = []
    for cadre in cadres:
        own = signins.get(cadre.pk, {})
        on_leave = leave.get(cadre.pk, {})
        days: dict[dt.date, str] = {}
        day = first
        while day <= last:
            signed = own.get(day)
            if signed is not None and rules.counts_as_present(signed):
                days[day] = "present"
            elif day in on_leave:
                days[day] = "leave"
            elif signed is not None:
                days[day] = "outside"
            elif day >= today or day < cadre.term_start:
                days[day] = "upcoming" if day >= today else "none"
            else:
                days[day] = "absent"
            day += dt.timedelta(days=1)
        present = sum(1 for value in days.values() if value == "present")
        left = rules.days_left_in_month(month=first, today=today, signed_today=days.get(today) == "present")
        rows.append(
            CadreMonth(
                cadre=cadre,
                days_present=present,
                days_on_leave=rules.leave_days_total(on_leave),
                meets_25_days=rules.meets_monthly_days(days_present=present, profile=profile),
                can_still_meet=rules.can_still_meet_monthly_days(days_present=present, days_left=left, profile=profile),
                days=days,
            )
        )
    return rows


@dataclasses.dataclass(frozen=True)
class CadreMonthTotals:
    """One cadre's month against 第五条, without the day-by-day detail (the API and big regions)."""

    id: int
    name: str
    village: str
    days_present: int
    days_on_leave: Decimal
    meets_25_days: bool
    can_still_meet: bool


def attendance_month_totals(*, user: Any, region: Region, month: dt.date, today: dt.date) -> list[CadreMonthTotals]:
    """The same verdicts as ``attendance_month`` for any region size, counted in SQL: days present are
    grouped by cadre over the region's sign-ins, found through the indexed ``village_code`` prefix, and
    the cadres are read as plain values — no model objects, no loop over days (docs/performance.md)."""
    first, last = month_bounds(month)
    profile = profile_on(last if last < today else today)
    in_region = cadres_in_region(user=user, region=region)
    cadres = list(in_region.values_list("pk", "name", "team__village__name"))
    signins = scoping.restrict(SignIn.objects.all(), user).filter(
        village_code__startswith=region.code, date__range=(first, last), status__in=PRESENT
    )
    # Counting a column of the (date, village) index, not the id, keeps the scan inside the index.
    counted = signins.values_list("cadre_id").annotate(n=Count("date"), today=Count("date", filter=Q(date=today)))
    present = {pk: (n, signed > 0) for pk, n, signed in counted.order_by()}
    leave = leave_days(cadre_ids=in_region.order_by().values("pk"), start=first, end=last)
    # Days left depend only on whether the cadre signed in today: two values for the whole month.
    left = {signed: rules.days_left_in_month(month=first, today=today, signed_today=signed) for signed in (False, True)}
    no_leave = Decimal(0)
    rows = []
    for pk, name, village in cadres:
        days, signed_today = present.get(pk, (0, False))
        rows.append(
            CadreMonthTotals(
                id=pk,
                name=name,
                village=village,
                days_present=days,
                days_on_leave=rules.leave_days_total(leave[pk]) if pk in leave else no_leave,
                meets_25_days=rules.meets_monthly_days(days_present=days, profile=profile),
                can_still_meet=rules.can_still_meet_monthly_days(
                    days_present=days, days_left=left[signed_today], profile=profile
                ),
            )
        )
    return rows


def uncovered_villages(*, user: Any, region: Region, day: dt.date) -> QuerySet[Team]:
    """第五条: teams of the region where no cadre is present today (no sign-in inside the geofence)."""
    present = SignIn.objects.filter(village_code=OuterRef("village_id"), date=day, status__in=PRESENT)
    return (
        scoping.restrict(Team.objects.all(), user)
        .filter(village__code__startswith=region.code)
        .filter(~Exists(present))
        .select_related("village__parent")
        .prefetch_related("cadres")
        .order_by("village_id")
    )


def pending_findings(*, user: Any, region: Region) -> QuerySet[AbsenceFinding]:
    return (
        scoping.restrict(AbsenceFinding.objects.all(), user)
        .filter(village_code__startswith=region.code, status=AbsenceFinding.Status.PENDING)
        .select_related("cadre__team__village")
        .order_by("date", "cadre__name")
    )


@dataclasses.dataclass
class RegionDay:
    """Today's coverage of one child region, for the aggregated dashboards of county and above."""

    region: Region
    villages: int = 0
    covered: int = 0
    cadres: int = 0
    signed_in: int = 0
    pending_findings: int = 0
    below_days: int = 0

    @property
    def uncovered(self) -> int:
        return self.villages - self.covered


def children_summary(*, user: Any, region: Region, day: dt.date, profile: PolicyProfile) -> list[RegionDay]:
    """The region's children with today's coverage and the month's shortfalls: six queries, grouped in
    SQL by the child's code prefix."""
    children = list(scoping.restrict(Region.objects.filter(parent=region), user).order_by("code"))
    if not children:
        return []
    length = len(children[0].code)
    summary = {child.code: RegionDay(region=child) for child in children}

    def grouped(queryset: QuerySet[Any], field: str, **aggregate: Any) -> list[dict[str, Any]]:
        return list(queryset.annotate(child=Substr(field, 1, length)).values("child").annotate(**aggregate).order_by())

    teams = scoping.restrict(Team.objects.all(), user).filter(village__code__startswith=region.code)
    for row in grouped(teams, "village_id", n=Count("id")):
        if row["child"] in summary:
            summary[row["child"]].villages = row["n"]
    cadres = scoping.restrict(Cadre.objects.all(), user).filter(
        team__village__code__startswith=region.code, status=Cadre.Status.ACTIVE
    )
    for row in grouped(cadres, "team__village_id", n=Count("id")):
        if row["child"] in summary:
            summary[row["child"]].cadres = row["n"]
    signins = scoping.restrict(SignIn.objects.all(), user).filter(
        village_code__startswith=region.code, date=day, status__in=PRESENT
    )
    for row in grouped(
        signins, "village_code", n=Count("cadre_id", distinct=True), v=Count("village_code", distinct=True)
    ):
        if row["child"] in summary:
            summary[row["child"]].signed_in = row["n"]
            summary[row["child"]].covered = row["v"]
    findings = scoping.restrict(AbsenceFinding.objects.all(), user).filter(
        village_code__startswith=region.code, status=AbsenceFinding.Status.PENDING
    )
    for row in grouped(findings, "village_code", n=Count("id")):
        if row["child"] in summary:
            summary[row["child"]].pending_findings = row["n"]
    # Cadres who can no longer reach the month's minimum (第五条): the days present before today plus
    # every day left, today included, fall short (a sign-in today moves a day from one to the other).
    first, _ = month_bounds(day)
    days_left = rules.days_left_in_month(month=first, today=day, signed_today=False)
    needed = profile.min_days_in_village_per_month - days_left
    if needed > 0:
        # Counted the other way round, through the (date, village) index: the cadres who have already
        # made ``needed`` days this month; everyone else is behind.
        made_it = (
            scoping.restrict(SignIn.objects.all(), user)
            .filter(
                village_code__startswith=region.code,
                date__range=(first, day - dt.timedelta(days=1)),
                status__in=PRESENT,
            )
            .values("cadre_id")
            .annotate(n=Count("date"))  # a column of the index: the scan stays inside it
            .filter(n__gte=needed)
            .values("cadre_id")
        )
        for row in grouped(cadres.filter(pk__in=made_it), "team__village_id", n=Count("id")):
            if row["child"] in summary:
                summary[row["child"]].below_days = -row["n"]
        for entry in summary.values():
            entry.below_days += entry.cadres
    return list(summary.values())


def region_today_totals(rows: list[RegionDay]) -> RegionDay | None:
    if not rows:
        return None
    total = RegionDay(region=rows[0].region.parent or rows[0].region)
    for row in rows:
        total.villages += row.villages
        total.covered += row.covered
        total.cadres += row.cadres
        total.signed_in += row.signed_in
        total.pending_findings += row.pending_findings
        total.below_days += row.below_days
    return total


def whereabouts_board(*, team: Team, day: dt.date) -> list[tuple[Cadre, str]]:
    """第十九条3 去向公示牌: each active cadre's whereabouts today — posted on the board, else 在村 after
    a sign-in inside the geofence, else 请假 on approved leave, else 未公示 (treated as absent). Three
    queries."""
    cadres = list(team.cadres.filter(status=Cadre.Status.ACTIVE).order_by("role", "name"))
    ids = [cadre.pk for cadre in cadres]
    posted = dict(Whereabouts.objects.filter(cadre_id__in=ids, date=day).values_list("cadre_id", "status"))
    signed = set(
        SignIn.objects.filter(cadre_id__in=ids, date=day, status__in=PRESENT).values_list("cadre_id", flat=True)
    )
    on_leave = leave_days(cadre_ids=ids, start=day, end=day)
    labels = dict(Whereabouts.Status.choices)
    board = []
    for cadre in cadres:
        if cadre.pk in posted:
            label = labels[posted[cadre.pk]]
        elif cadre.pk in on_leave:
            label = labels[Whereabouts.Status.LEAVE]
        elif cadre.pk in signed:
            label = labels[Whereabouts.Status.IN_VILLAGE]
        else:
            label = "未公示"
        board.append((cadre, label))
    return board


def open_coverage_alerts(*, user: Any, region: Region, day: dt.date) -> QuerySet[CoverageAlert]:
    return scoping.restrict(CoverageAlert.objects.all(), user).filter(
        village_code__startswith=region.code, date=day, resolved_at__isnull=True
    )


def month_presence(*, cadre_ids: list[int], start: dt.date, end: dt.date) -> dict[int, tuple[int, int]]:
    """For the leave inbox's "month at a glance": each cadre's days present (第五条) and absence
    findings (pending or confirmed) between ``start`` and ``end``. Two queries."""
    present = dict(
        SignIn.objects.filter(cadre_id__in=cadre_ids, date__range=(start, end), status__in=PRESENT)
        .values("cadre_id")
        .annotate(n=Count("id"))
        .values_list("cadre_id", "n")
    )
    findings = dict(
        AbsenceFinding.objects.filter(cadre_id__in=cadre_ids, date__range=(start, end))
        .exclude(status=AbsenceFinding.Status.DISMISSED)
        .values("cadre_id")
        .annotate(n=Count("id"))
        .values_list("cadre_id", "n")
    )
    return {cadre_id: (present.get(cadre_id, 0), findings.get(cadre_id, 0)) for cadre_id in cadre_ids}
