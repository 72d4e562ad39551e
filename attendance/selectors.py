"""Attendance reads for the dashboards, the register and the public board. Every function issues a
fixed number of queries, whatever the number of cadres, villages or days."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import connections
from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, When
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone

from cadres.models import Cadre, CountyTally, Region, Team
from leave.models import LeaveRequest
from leave.selectors import (
    LEAVE,
    approved_leave_days,
    away_at,
    covered_slots,
    excused_halves,
    official_business_cadres,
    official_business_halves,
)
from zhucun import scoping
from zhucun.db import prefix_range
from zhucun.policy import PolicyProfile, profile_on
from zhucun.workcalendar import month_bounds

from . import rules
from .models import (
    AbsenceFinding,
    CountyDay,
    CountyMonthDays,
    SignIn,
    SignInMonth,
    Whereabouts,
    WorkLog,
    visits_prefetch,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

PRESENT = rules.PRESENT


def leave_days(
    *, cadre_ids: list[int] | QuerySet[Any], start: dt.date, end: dt.date
) -> dict[int, dict[dt.date, Decimal]]:
    """Days of approved leave per cadre (the leave capability owns leave; attendance only reads it)."""
    return approved_leave_days(cadre_ids=cadre_ids, start=start, end=end)


@dataclasses.dataclass(frozen=True)
class Credit:
    """A cadre's credited days (第五条 驻村工作时间) over a span: days present in the village, and whole
    days of official business without a sign-in (rules.credited_days)."""

    counted: int = 0
    today: bool = False
    present: int = 0
    business: int = 0


NO_CREDIT = Credit()


def _credits(
    *, signins: QuerySet[SignIn], cadre_ids: list[int] | QuerySet[Any], start: dt.date, end: dt.date, today: dt.date
) -> dict[int, Credit]:
    """Credited days per cadre in ``[start, end]`` (``end`` not after today), counted in SQL: sign-ins
    grouped by cadre over ``signins`` (already scoped to the region), and the whole days of official
    business read from leave — plus, only when there is official business, the sign-ins on those days
    so that no day counts twice. Two queries (three with official business)."""
    if end < start:
        return {}
    # Counting a column of the (date, village) index, not the id, keeps the scan inside the index.
    counted = (
        signins.filter(date__range=(start, end), status__in=PRESENT)
        .values_list("cadre_id")
        .annotate(n=Count("date"), today=Count("date", filter=Q(date=today)))
        .order_by()
    )
    return _with_business(counted, cadre_ids=cadre_ids, start=start, end=end, today=today)


def _month_credits(
    *, months: QuerySet[SignInMonth], cadre_ids: list[int] | QuerySet[Any], start: dt.date, end: dt.date, today: dt.date
) -> dict[int, Credit]:
    """``_credits`` from the monthly rollup (decision 0177): the same figures for whole months, one row
    per cadre and month instead of one per day. ``start`` is a month's first day and ``end`` is today
    or the month's last day — no sign-in lies after today, so the months' totals are the span's."""
    if end < start:
        return {}
    counted = (
        months.filter(month__range=(start.replace(day=1), end))
        .values_list("cadre_id")
        .annotate(n=Sum("days_present"), today=Count("cadre_id", filter=Q(last_present=today)))
        .order_by()
    )
    return _with_business(counted, cadre_ids=cadre_ids, start=start, end=end, today=today)


def _with_business(
    counted: Any, *, cadre_ids: list[int] | QuerySet[Any], start: dt.date, end: dt.date, today: dt.date
) -> dict[int, Credit]:
    """Days present per cadre (``counted``: rows of cadre, days, days today) with the whole days of
    official business of ``[start, end]`` added: the credit of both ``_credits`` and ``_month_credits``."""
    present = {pk: (n, signed > 0) for pk, n, signed in counted}
    business = _business_credit(cadre_ids=cadre_ids, start=start, end=end)
    result = {}
    for pk in present.keys() | business.keys():
        n, signed_today = present.get(pk, (0, False))
        extra = business.get(pk, set())
        result[pk] = Credit(
            counted=n + len(extra), today=signed_today or today in extra, present=n, business=len(extra)
        )
    return result


def _business_credit(*, cadre_ids: list[int] | QuerySet[Any], start: dt.date, end: dt.date) -> dict[int, set[dt.date]]:
    """Per cadre, the whole days of official business in ``[start, end]`` without a sign-in in the
    village that day (those are counted as present already). One query, two with official business."""
    business = {
        pk: whole
        for pk, days in official_business_halves(cadre_ids=cadre_ids, start=start, end=end).items()
        if (whole := rules.whole_days(days))
    }
    if not business:
        return {}
    first, last = min(min(days) for days in business.values()), max(max(days) for days in business.values())
    for pk, day in SignIn.objects.filter(
        cadre_id__in=list(business), date__range=(first, last), status__in=PRESENT
    ).values_list("cadre_id", "date"):
        business[pk].discard(day)
    return business


@dataclasses.dataclass(frozen=True)
class CadreMonth:
    """One cadre's month against 第五条 (or the profile's yearly minimum)."""

    cadre: Cadre
    days_present: int
    days_on_leave: Decimal
    days_on_business: int
    verdict: rules.MinimumDaysVerdict
    days: dict[dt.date, str]  # date → present / business / leave / outside / absent / upcoming / none
    #: today's roll call (``rules.roll_call``) when the month holds today and the cadre is in post today
    today: str | None = None
    #: what excuses (part of) today: ``rules.excuse_note``
    today_note: str = ""

    @property
    def meets_25_days(self) -> bool:
        return self.verdict.meets

    @property
    def can_still_meet(self) -> bool:
        return self.verdict.can_still_meet


def cadres_in_month(*, user: User | AnonymousUser, region: Region, first: dt.date, last: dt.date) -> QuerySet[Cadre]:
    """The region's cadres in post on at least one day of ``[first, last]`` (第五条 is judged on the days
    in post, docs/decisions/0072): active ones whose term overlaps it, and those who left within it — a
    term that ended, a recall or an adjustment ends the term that day."""
    return (
        scoping.restrict(Cadre.objects.all(), user)
        .filter(**prefix_range("team__village_id", region.code), term_start__lte=last, term_end__gte=first)
        .filter(Q(status=Cadre.Status.ACTIVE) | Q(term_end__lte=last))
        .select_related("team__village__parent", "unit")
        .order_by("team__village_id", "role", "name")
    )


def _day_state(*, signed: str | None, excuse: dict[str, str], day: dt.date, today: dt.date, in_post: bool) -> str:
    if not in_post:
        return "none"
    if signed is not None and rules.counts_as_present(signed):
        return "present"
    if excuse:
        return "leave" if LEAVE in excuse.values() else "business"
    if signed is not None:
        return "outside"
    return "upcoming" if day >= today else "absent"


def attendance_month(
    *, user: User | AnonymousUser, region: Region, month: dt.date, today: dt.date, cadre: Cadre | None = None
) -> list[CadreMonth]:
    """Each cadre in post in the region during the month (only ``cadre``, when given) with days present,
    on leave and on official business (第五条, 第十三条4), the verdict of ``rules.minimum_days_verdict``,
    and a day-by-day state for the heat-map. Four queries (two or three more under a yearly minimum,
    for the year before the month)."""
    first, last = month_bounds(month)
    profile = profile_on(last if last < today else today)
    period = rules.judged_period(month=first, profile=profile)
    in_month = cadres_in_month(user=user, region=region, first=first, last=last)
    cadres = list(in_month.filter(pk=cadre.pk) if cadre is not None else in_month)
    ids = [cadre.pk for cadre in cadres]
    signins: dict[int, dict[dt.date, str]] = {}
    for cadre_id, day, status in SignIn.objects.filter(cadre_id__in=ids, date__range=(first, last)).values_list(
        "cadre_id", "date", "status"
    ):
        signins.setdefault(cadre_id, {})[day] = status
    excused = excused_halves(cadre_ids=ids, start=first, end=last)
    earlier: dict[int, Credit] = {}
    if period.yearly and ids:
        earlier = _credits(
            signins=SignIn.objects.filter(cadre_id__in=ids),
            cadre_ids=ids,
            start=period.first,
            end=min(first - dt.timedelta(days=1), today),
            today=today,
        )
    cutoff = min(last, today)
    rows = []
    for cadre in cadres:
        own, excuses = signins.get(cadre.pk, {}), excused.get(cadre.pk, {})
        days: dict[dt.date, str] = {}
        day = first
        while day <= last:
            days[day] = _day_state(
                signed=own.get(day),
                excuse=excuses.get(day, {}),
                day=day,
                today=today,
                in_post=cadre.term_start <= day <= cadre.term_end,
            )
            day += dt.timedelta(days=1)
        present = {d for d, state in days.items() if state == "present"}
        business = {d for d in rules.whole_days(excuses) if d <= cutoff and LEAVE not in excuses[d].values()}
        credited = {d for d in rules.credited_days(present=present, business=business) if d <= cutoff}
        before = earlier.get(cadre.pk, NO_CREDIT)
        leave_halves = sum(1 for halves in excuses.values() for reason in halves.values() if reason == LEAVE)
        in_post_today = cadre.status == Cadre.Status.ACTIVE and cadre.term_start <= today <= cadre.term_end
        roll = None
        if first <= today <= last and in_post_today:
            roll = rules.roll_call(signed=own.get(today), excused=excuses.get(today, {}))
        rows.append(
            CadreMonth(
                cadre=cadre,
                days_present=len(present),
                days_on_leave=Decimal(leave_halves) / 2,
                days_on_business=len(business - present),
                verdict=rules.minimum_days_verdict(
                    profile=profile,
                    month=first,
                    today=today,
                    term_start=cadre.term_start,
                    term_end=cadre.term_end,
                    counted=before.counted + len(credited),
                    counted_today=today in credited,
                ),
                days=days,
                today=roll,
                today_note=rules.excuse_note(excuses.get(today, {})) if roll else "",
            )
        )
    return rows


@dataclasses.dataclass(frozen=True)
class RollCallEntry:
    """A cadre in post today who is not present (第五条): who, where, the phone to call, and why."""

    cadre_id: int
    name: str
    phone: str
    village: str
    township: str
    state: str  # rules.ROLL_MISSING / ROLL_OUTSIDE / ROLL_EXCUSED
    note: str  # what excuses (part of) the day, rules.excuse_note

    @property
    def label(self) -> str:
        return rules.ROLL_LABELS[self.state]


@dataclasses.dataclass(frozen=True)
class RollCall:
    """Today's roll call of a region (decision 0160): those not signed in (missing, or signed in outside
    the geofence) and, apart, those whom approved leave or official business excuses for the whole day.
    ``truncated``: more cadres than listed are not present (a county lists its first ``limit``)."""

    absent: list[RollCallEntry]
    excused: list[RollCallEntry]
    truncated: bool = False


def roll_call_of_rows(rows: list[CadreMonth]) -> RollCall:
    """The township's roll call from its month rows (``attendance_month`` of this month): no query."""
    entries = [
        RollCallEntry(
            cadre_id=row.cadre.pk,
            name=row.cadre.name,
            phone=row.cadre.phone,
            village=row.cadre.team.village.name,
            township=row.cadre.team.village.parent.name if row.cadre.team.village.parent else "",
            state=row.today,
            note=row.today_note,
        )
        for row in rows
        if row.today is not None and row.today != rules.ROLL_PRESENT
    ]
    return _roll_call(entries)


def _roll_call(entries: list[RollCallEntry], truncated: bool = False) -> RollCall:
    return RollCall(
        absent=[entry for entry in entries if entry.state != rules.ROLL_EXCUSED],
        excused=[entry for entry in entries if entry.state == rules.ROLL_EXCUSED],
        truncated=truncated,
    )


def roll_call_today(*, user: User | AnonymousUser, region: Region, day: dt.date, limit: int = 200) -> RollCall:
    """The roll call of a county (or any region) without reading its month: the cadres in post on
    ``day`` with no sign-in that counts (``rules.PRESENT``), the first ``limit`` by village, with the
    status of a sign-in outside the geofence and the day's excuses (``rules.roll_call``). Three queries
    (one when everybody is present)."""
    signed = SignIn.objects.filter(cadre_id=OuterRef("pk"), date=day)
    found = list(
        scoping.restrict(Cadre.objects.all(), user)
        .filter(
            team__village__code__startswith=region.code,
            status=Cadre.Status.ACTIVE,
            term_start__lte=day,
            term_end__gte=day,
        )
        .filter(~Exists(signed.filter(status__in=PRESENT)))
        .annotate(signed=Subquery(signed.values("status")[:1]))
        .order_by("team__village_id", "role", "name")
        .values_list("pk", "name", "phone", "team__village__name", "team__village__parent__name", "signed")[: limit + 1]
    )
    listed = found[:limit]
    excused = excused_halves(cadre_ids=[pk for pk, *_ in listed], start=day, end=day)
    entries = []
    for pk, name, phone, village, township, status in listed:
        mine = excused.get(pk, {}).get(day, {})
        entries.append(
            RollCallEntry(
                cadre_id=pk,
                name=name,
                phone=phone,
                village=village,
                township=township,
                state=rules.roll_call(signed=status, excused=mine),
                note=rules.excuse_note(mine),
            )
        )
    return _roll_call(entries, truncated=len(found) > limit)


@dataclasses.dataclass(frozen=True)
class CadreDay:
    """One day of one cadre, as the cadre's attendance page opens it from a heat-map cell: the sign-in,
    the whereabouts posted, the work logs written and the findings of that day."""

    day: dt.date
    signin: SignIn | None
    whereabouts: Whereabouts | None
    logs: list[WorkLog]
    findings: list[AbsenceFinding]


def cadre_day(*, cadre: Cadre, day: dt.date) -> CadreDay:
    """The records of ``cadre`` on ``day`` (the cadre is already read through the caller's scope). Five
    queries."""
    return CadreDay(
        day=day,
        signin=SignIn.objects.filter(cadre=cadre, date=day).first(),
        whereabouts=Whereabouts.objects.filter(cadre=cadre, date=day).first(),
        logs=list(WorkLog.objects.filter(author=cadre, date=day).prefetch_related(visits_prefetch()).order_by("id")),
        findings=list(AbsenceFinding.objects.filter(cadre=cadre, date=day).order_by("id")),
    )


def cadre_findings(*, cadre: Cadre, limit: int = 30) -> list[AbsenceFinding]:
    """The cadre's absence findings, newest first, whatever their status. One query."""
    return list(
        AbsenceFinding.objects.filter(cadre=cadre).select_related("decided_by").order_by("-date", "-id")[:limit]
    )


@dataclasses.dataclass(frozen=True)
class CadreMonthTotals:
    """One cadre's month against 第五条, without the day-by-day detail (the API and big regions)."""

    id: int
    name: str
    village: str
    days_present: int
    days_on_leave: Decimal
    days_on_business: int
    verdict: rules.MinimumDaysVerdict

    @property
    def meets_25_days(self) -> bool:
        return self.verdict.meets

    @property
    def can_still_meet(self) -> bool:
        return self.verdict.can_still_meet


def attendance_month_totals(
    *,
    user: User | AnonymousUser,
    region: Region,
    month: dt.date,
    today: dt.date,
    page: tuple[int, int] | None = None,
) -> list[CadreMonthTotals]:
    """The same verdicts as ``attendance_month`` for any region size, counted in SQL: days present are
    summed per cadre over the monthly rollup (decision 0177), found through the indexed
    ``village_code`` prefix, and the cadres are read as plain values — no model objects, no loop over
    days (docs/performance.md). ``page`` (offset, size): only those cadres, by village and then in the
    order they were registered — a province's or the nation's list is read a page at a time."""
    first, last = month_bounds(month)
    profile = profile_on(last if last < today else today)
    period = rules.judged_period(month=first, profile=profile)
    in_region = cadres_in_month(user=user, region=region, first=first, last=last)
    columns = ("pk", "name", "team__village__name", "term_start", "term_end")
    months = scoping.restrict(SignInMonth.objects.all(), user).filter(village_code__startswith=region.code)
    if page is None:
        cadres = list(in_region.values_list(*columns))
        ids: list[int] | QuerySet[Any] = in_region.order_by().values("pk")
    else:
        offset, size = page
        # In village order, then registration: the region's teams read through their village index from
        # its first village on, a few teams a page — not every cadre in id order through the provinces
        # registered before this one (80 ms for a province at the national size).
        cadres = list(in_region.order_by("team__village_id", "pk").values_list(*columns)[offset : offset + size])
        ids = [pk for pk, *_ in cadres]
        months = months.filter(cadre_id__in=ids)
    cutoff = min(last, today)
    month_credit = _month_credits(months=months, cadre_ids=ids, start=first, end=cutoff, today=today)
    period_credit = month_credit
    if period.yearly:
        period_credit = _month_credits(months=months, cadre_ids=ids, start=period.first, end=cutoff, today=today)
    leave = leave_days(cadre_ids=ids, start=first, end=last)
    no_leave = Decimal(0)
    rows = []
    for pk, name, village, term_start, term_end in cadres:
        credit, own = period_credit.get(pk, NO_CREDIT), month_credit.get(pk, NO_CREDIT)
        rows.append(
            CadreMonthTotals(
                id=pk,
                name=name,
                village=village,
                days_present=own.present,
                days_on_leave=rules.leave_days_total(leave[pk]) if pk in leave else no_leave,
                days_on_business=own.business,
                verdict=rules.minimum_days_verdict(
                    profile=profile,
                    month=first,
                    today=today,
                    term_start=term_start,
                    term_end=term_end,
                    counted=credit.counted,
                    counted_today=credit.today,
                ),
            )
        )
    return rows


def someone_present(day: dt.date, village_field: str = "village_id") -> Exists:
    """第五条 保证驻在村每天有驻村干部在岗: whether a cadre was present (``rules.PRESENT``) on ``day``
    in the village named by the outer row's ``village_field`` (a ``Team``'s by default). Every coverage
    count uses it: the dashboards, the home page and the coverage alerts (decision 0075: every village
    with a team, also one whose cadres were all recalled or whose terms ended)."""
    return Exists(SignIn.objects.filter(village_code=OuterRef(village_field), date=day, status__in=PRESENT))


def uncovered_villages(*, user: User | AnonymousUser, region: Region, day: dt.date) -> QuerySet[Team]:
    """第五条: teams of the region where no cadre is present today (no sign-in inside the geofence), in
    village order. A city's or a province's, seen whole, only in the counties whose counters (decision
    0180) show a village uncovered: the counters make the dashboard's count of them, and a morning's
    few uncovered villages no longer cost a probe of each of a province's 9,000 villages."""
    teams = (
        scoping.restrict(Team.objects.all(), user)
        .filter(**prefix_range("village_id", region.code))  # in village order through the teams' index
        .filter(~someone_present(day))
    )
    if region.level in (Region.Level.PROVINCE, Region.Level.CITY) and scoping.region_in_scope(user, region.code):
        # read first (a list, not a subquery: joined to the teams, the planner hashed it and lost the
        # village order, probing every village to sort the first few)
        covered = CountyDay.objects.filter(county_code=OuterRef("county_code"), day=day).values("covered")
        short = list(
            CountyTally.objects.filter(county_code__startswith=region.code)
            .alias(covered=Coalesce(Subquery(covered[:1]), 0))
            .filter(teams__gt=F("covered"))
            .values_list("county_code", flat=True)
        )
        length = Region.length_of(Region.Level.COUNTY)
        teams = teams.alias(county=Substr("village_id", 1, length)).filter(county__in=short)
    return teams.select_related("village__parent").prefetch_related("cadres").order_by("village_id")


@dataclasses.dataclass(frozen=True)
class Coverage:
    """Today's coverage of the villages in a user's scope (第五条), the cadres in post and signed in,
    and the findings awaiting them."""

    villages: int
    uncovered: int
    pending_findings: int
    cadres: int = 0
    signed_in: int = 0


def coverage_today(*, user: User | AnonymousUser, day: dt.date) -> Coverage:
    """The villages with a team in ``user``'s scope, how many have nobody present on ``day``, the
    cadres in post on ``day`` and how many of them signed in (``rules.PRESENT``), and the pending
    absence findings — by the same rules as the dashboards (``someone_present``). Three queries."""
    villages = scoping.restrict(Team.objects.all(), user).aggregate(
        n=Count("pk"), uncovered=Count("pk", filter=~someone_present(day))
    )
    present = SignIn.objects.filter(cadre_id=OuterRef("pk"), date=day, status__in=PRESENT)
    cadres = (
        scoping.restrict(Cadre.objects.all(), user)
        .filter(status=Cadre.Status.ACTIVE, term_start__lte=day, term_end__gte=day)
        .aggregate(n=Count("pk"), signed_in=Count("pk", filter=Exists(present)))
    )
    return Coverage(
        villages=villages["n"],
        uncovered=villages["uncovered"],
        pending_findings=scoping.restrict(AbsenceFinding.objects.all(), user)
        .filter(status=AbsenceFinding.Status.PENDING)
        .count(),
        cadres=cadres["n"],
        signed_in=cadres["signed_in"],
    )


def pending_findings(*, user: User | AnonymousUser, region: Region) -> QuerySet[AbsenceFinding]:
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


def regrouped(per_key: QuerySet[Any], length: int, *, via_team: bool = False) -> list[tuple[str, int, int]]:
    """Counts per village (or per team, ``via_team``) summed per child region: (child code, sum of
    ``n``, villages or teams counted). ``per_key`` is a scoped queryset of ``values(key).annotate(n=…)``;
    it runs as a subquery, so the region's rows are aggregated once, in the index's order, and only
    the villages are grouped by prefix — the big dashboards' shape (national bench, decision 0177)."""
    inner, params = per_key.order_by().query.sql_with_params()
    if via_team:
        sql = (
            f"SELECT substr(t.village_id, 1, {length:d}), sum(x.n), count(*) FROM ({inner}) x "  # noqa: S608
            "JOIN cadres_team t ON t.id = x.team_id GROUP BY 1"
        )
    else:
        sql = f"SELECT substr(x.village_code, 1, {length:d}), sum(x.n), count(*) FROM ({inner}) x GROUP BY 1"  # noqa: S608
    with connections[per_key.db].cursor() as cursor:
        cursor.execute(sql, params)
        return [(child, int(n), int(keys)) for child, n, keys in cursor.fetchall()]


def children_summary(
    *, user: User | AnonymousUser, region: Region, day: dt.date, profile: PolicyProfile
) -> list[RegionDay]:
    """The region's children with today's coverage and the month's shortfalls, grouped in SQL by the
    child's code prefix. A region whose children are whole counties (a city, a province, the nation),
    seen whole by ``user``, is counted from the per-county counters the triggers keep (decision 0180):
    its statements read one row per county, not one per cadre. A county's townships are counted from
    the rows themselves (six queries)."""
    # the nation (``cadres.selectors.nation``, code "") has the provinces as its children
    children = list(scoping.restrict(Region.objects.filter(parent_id=region.code or None), user).order_by("code"))
    if not children:
        return []
    child_level = children[0].level
    length = Region.length_of(child_level)
    summary = {child.code: RegionDay(region=child) for child in children}
    counted = length <= Region.length_of(Region.Level.COUNTY) and scoping.region_in_scope(user, region.code)

    def grouped(queryset: QuerySet[Any], field: str, **aggregate: Any) -> list[dict[str, Any]]:
        return list(queryset.annotate(child=Substr(field, 1, length)).values("child").annotate(**aggregate).order_by())

    def in_region(queryset: QuerySet[Any], field: str) -> QuerySet[Any]:
        # the nation's empty prefix is no filter at all (a LIKE '%' still costs a join and a test per row)
        return queryset.filter(**{f"{field}__startswith": region.code}) if region.code else queryset

    cadres = in_region(scoping.restrict(Cadre.objects.filter(status=Cadre.Status.ACTIVE), user), "team__village__code")
    months = in_region(scoping.restrict(SignInMonth.objects.all(), user), "village_code")
    if counted:
        tallies = in_region(scoping.restrict(CountyTally.objects.all(), user), "county_code")
        for row in grouped(tallies, "county_code", teams=Sum("teams"), active=Sum("active_cadres")):
            if row["child"] in summary:
                summary[row["child"]].villages = row["teams"]
                summary[row["child"]].cadres = row["active"]
        today = in_region(scoping.restrict(CountyDay.objects.filter(day=day), user), "county_code")
        for row in grouped(today, "county_code", present=Sum("present"), covered=Sum("covered")):
            if row["child"] in summary:
                summary[row["child"]].signed_in = row["present"]
                summary[row["child"]].covered = row["covered"]
    else:
        teams = in_region(scoping.restrict(Team.objects.all(), user), "village__code")
        for row in grouped(teams, "village_id", n=Count("id")):
            if row["child"] in summary:
                summary[row["child"]].villages = row["n"]
        # counted per team first, then per child through the teams: the region's cadres are read once
        for child, n, _ in regrouped(cadres.values("team_id").annotate(n=Count("id")), length, via_team=True):
            if child in summary:
                summary[child].cadres = n
        # Today's presence from the monthly rollup (decision 0177): a cadre present today has the month's
        # row with today as its last day present — one row per cadre, never one per sign-in. Counted per
        # village first (the index's order), then per child: covered villages are the villages counted.
        present_today = months.filter(month=day.replace(day=1), last_present=day)
        for child, n, villages in regrouped(present_today.values("village_code").annotate(n=Count("cadre_id")), length):
            if child in summary:
                summary[child].signed_in = n
                summary[child].covered = villages
    findings = scoping.restrict(AbsenceFinding.objects.all(), user).filter(
        village_code__startswith=region.code, status=AbsenceFinding.Status.PENDING
    )
    for row in grouped(findings, "village_code", n=Count("id")):
        if row["child"] in summary:
            summary[row["child"]].pending_findings = row["n"]
    # Cadres who can no longer reach the minimum (第五条; a yearly one under its profile): the credited
    # days before today plus every day left in post, today included, fall short (a sign-in today moves
    # a day from one to the other). Cadres in post the whole period without official business — nearly
    # all — are counted in SQL against one threshold; the few others (a term starting or ending within
    # the period, official business) are judged one by one with the same rule (decision 0072).
    period = rules.judged_period(month=day, profile=profile)
    yesterday = day - dt.timedelta(days=1)
    business = list(official_business_cadres(start=period.first, end=period.last).values_list("cadre_id", flat=True))
    regular = Q(term_start__lte=period.first, term_end__gte=period.last) & ~Q(pk__in=business)
    # the few others, found through the indexes on the terms and the ids (no join to the sign-ins over
    # the whole region, no scan of every cadre) …
    irregular = list(
        cadres.filter(Q(term_start__gt=period.first) | Q(term_end__lt=period.last) | Q(pk__in=business)).values_list(
            "pk", "team__village_id", "term_start", "term_end"
        )
    )
    irregular_ids = [pk for pk, *_ in irregular]
    # … and their days present before today from the rollup, wherever they served (one row per month)
    before_today: dict[int, int] = {}
    if irregular_ids:
        before_today = dict(
            SignInMonth.objects.filter(cadre_id__in=irregular_ids, month__range=(period.first, day))
            .values_list("cadre_id")
            .annotate(n=Sum("days_present") - Count("cadre_id", filter=Q(last_present=day)))
            .order_by()
        )
    extra = _business_credit(cadre_ids=irregular_ids, start=period.first, end=yesterday) if irregular_ids else {}
    others: dict[str, int] = {}  # irregular cadres per child
    behind: dict[str, int] = {}  # … of whom behind
    for pk, village_code, term_start, term_end in irregular:
        n = before_today.get(pk, 0)
        child = Region.prefix_of(village_code, child_level)
        verdict = rules.minimum_days_verdict(
            profile=profile,
            month=day,
            today=day,
            term_start=term_start,
            term_end=term_end,
            counted=n + len(extra.get(pk, ())),
            counted_today=False,
        )
        others[child] = others.get(child, 0) + 1
        behind[child] = behind.get(child, 0) + (0 if verdict.can_still_meet else 1)
    made: dict[str, int] = {}
    needed = rules.days_needed_before_today(profile=profile, today=day)
    if needed > 0:
        # Counted the other way round, from the monthly rollup: the regular cadres who have already made
        # ``needed`` days before today (the period's days present, less today's); every other regular
        # cadre is behind.
        if not period.yearly:
            # A month has one row per cadre: the rows that made it are counted per child where they are,
            # leaving out the cadres judged one by one above and those no longer in post — no join to
            # the cadres over the whole region (a cadre who moved is counted where they last signed in).
            left = Cadre.objects.exclude(status=Cadre.Status.ACTIVE).filter(term_end__gte=period.first)
            if counted:
                made = _made_from_counters(
                    user=user, months=months.filter(month=period.first), month=period.first, day=day, needed=needed,
                    left_out=[*irregular_ids, *left.order_by().values_list("pk", flat=True)], grouped=grouped,
                    in_region=in_region, child_level=child_level,
                )  # fmt: skip
            else:
                qualifying = (
                    months.filter(month=period.first)
                    .exclude(cadre_id__in=irregular_ids)
                    .exclude(cadre_id__in=left.values("pk"))
                    .annotate(before=F("days_present") - Case(When(last_present=day, then=1), default=0))
                    .filter(before__gte=needed)
                )
                made = {row["child"]: row["n"] for row in grouped(qualifying, "village_code", n=Count("cadre_id"))}
        else:
            made_it = (
                months.filter(month__range=(period.first, day))
                .values("cadre_id")
                .annotate(n=Sum("days_present") - Count("cadre_id", filter=Q(last_present=day)))
                .filter(n__gte=needed)
                .values("cadre_id")
            )
            made = {
                row["child"]: row["n"]
                for row in grouped(cadres.filter(regular, pk__in=made_it), "team__village_id", n=Count("id"))
            }
    for code, entry in summary.items():
        regular_behind = entry.cadres - others.get(code, 0) - made.get(code, 0) if needed > 0 else 0
        entry.below_days = regular_behind + behind.get(code, 0)
    return list(summary.values())


def _made_from_counters(
    *,
    user: User | AnonymousUser,
    months: QuerySet[SignInMonth],
    month: dt.date,
    day: dt.date,
    needed: int,
    left_out: list[int],
    grouped: Any,
    in_region: Any,
    child_level: str,
) -> dict[str, int]:
    """Per child, ``month``'s rollup rows whose days before ``day`` reach ``needed``, from the per-county
    counts of rows by days present (``CountyMonthDays``, decision 0180) — three small queries:

    * a row counts when ``days_present - (1 if its last day present is today else 0) >= needed``: every
      row with at least ``needed`` days, less those present today with exactly ``needed`` (one index
      range, ``signin_month_last_idx``);
    * less the rows of ``left_out`` (the cadres judged one by one, and those no longer in post) that
      would count — read by their keys."""
    counts = in_region(
        scoping.restrict(CountyMonthDays.objects.filter(month=month, days_present__gte=needed), user), "county_code"
    )
    made = {row["child"]: row["n"] for row in grouped(counts, "county_code", n=Sum("cadres"))}
    for row in grouped(months.filter(last_present=day, days_present=needed), "village_code", n=Count("cadre_id")):
        made[row["child"]] = made.get(row["child"], 0) - row["n"]
    if left_out:
        for village_code, days, last in months.filter(cadre_id__in=left_out).values_list(
            "village_code", "days_present", "last_present"
        ):
            if days - (1 if last == day else 0) >= needed:
                child = Region.prefix_of(village_code, child_level)
                made[child] = made.get(child, 0) - 1
    return made


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


def whereabouts_board(*, team: Team, now: dt.datetime) -> list[tuple[Cadre, str]]:
    """第十九条3 去向公示牌: each active cadre's whereabouts now, by ``rules.board_status`` — approved
    leave or official business for the half of the day it covers (第十九条2), else what was posted,
    else 在村 after a sign-in inside the geofence or a 销假 today, else 未公示 (treated as absent).
    Five queries."""
    day = timezone.localdate(now)
    cadres = list(team.cadres.filter(status=Cadre.Status.ACTIVE).order_by("role", "name"))
    ids = [cadre.pk for cadre in cadres]
    posted = dict(Whereabouts.objects.filter(cadre_id__in=ids, date=day).values_list("cadre_id", "status"))
    signed = set(
        SignIn.objects.filter(cadre_id__in=ids, date=day, status__in=PRESENT).values_list("cadre_id", flat=True)
    )
    away = away_at(cadre_ids=ids, moment=now)
    labels = {**dict(Whereabouts.Status.choices), rules.UNPOSTED: "未公示"}
    board = []
    for cadre in cadres:
        mine = away.get(cadre.pk)
        status = rules.board_status(
            away=mine.reason if mine else None,
            posted=posted.get(cadre.pk),
            present=cadre.pk in signed,
            back_today=bool(mine and mine.back_at),
        )
        board.append((cadre, labels[status]))
    return board


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


# --- What a leave would do (第五条, 第十九条2; docs/decisions/0074) ---------------------------------------


@dataclasses.dataclass(frozen=True)
class PeriodImpact:
    """The applicant's period (month, or year under a yearly minimum) with and without the leave."""

    period: str
    label: str
    days_counted: int
    days_required: int
    days_of_this_leave: Decimal
    best_without: int
    best_with: int

    @property
    def can_still_meet(self) -> bool:
        return self.best_without >= self.days_required

    @property
    def can_still_meet_if_approved(self) -> bool:
        return self.best_with >= self.days_required


@dataclasses.dataclass(frozen=True)
class LeaveImpact:
    """What approving a leave would do: to the applicant's days in the village (第十九条2 在保证驻村工作
    时间前提下) and to the village's daily coverage (第五条 保证驻在村每天有驻村干部在岗). The approver
    reads it before deciding; it decides nothing."""

    periods: list[PeriodImpact]
    #: dates (and their halves) of the leave on which no other cadre of the team would be in the village
    uncovered: list[tuple[dt.date, frozenset[str]]]
    #: other cadres of the team with pending requests over the same days: (name, from, to)
    pending: list[tuple[str, str, str]]

    def warnings(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for period in self.periods:
            if period.can_still_meet_if_approved:
                continue
            if period.can_still_meet:
                message = (
                    f"批准后{period.label}最多在村 {period.best_with} 天，达不到应在村的 {period.days_required} 天"
                    f"（第五条；已计 {period.days_counted} 天）。"
                )
            else:
                message = (
                    f"{period.label}已无法达到应在村的 {period.days_required} 天"
                    f"（第五条；已计 {period.days_counted} 天），批准后差距更大。"
                )
            found.append({"kind": "month_minimum", "message": message, "period": period.period})
        if self.uncovered:
            days = "、".join(
                f"{day.month}月{day.day}日"
                + ("" if len(halves) == 2 else f"（{rules.HALF_LABELS[next(iter(halves))]}）")
                for day, halves in self.uncovered
            )
            found.append(
                {
                    "kind": "village_uncovered",
                    "message": (
                        f"批准后有 {len(self.uncovered)} 天无其他驻村干部在村（第五条 每天有驻村干部在岗）：{days}。"
                    ),
                    "dates": [day.isoformat() for day, _ in self.uncovered],
                }
            )
        for name, start, end in self.pending:
            found.append(
                {
                    "kind": "others_pending",
                    "message": f"同队{name}另有待审批的请假（{start} 至 {end}），与本次时间重叠。",
                }
            )
        return found

    def payload(self) -> dict[str, Any]:
        """The JSON the leave API adds to a pending request (``month_impact``, ``coverage_warnings``)."""
        return {
            "month_impact": [
                {
                    "period": p.period,
                    "days_counted": p.days_counted,
                    "days_required": p.days_required,
                    "days_of_this_leave": float(p.days_of_this_leave),
                    "can_still_meet": p.can_still_meet,
                    "can_still_meet_if_approved": p.can_still_meet_if_approved,
                }
                for p in self.periods
            ],
            "coverage_warnings": self.warnings(),
        }


def _periods_of(*, start: dt.date, end: dt.date, today: dt.date, profile: PolicyProfile) -> list[rules.Period]:
    periods: list[rules.Period] = []
    day = max(start, today)
    while day <= end:
        period = rules.judged_period(month=day, profile=profile)
        periods.append(period)
        day = period.last + dt.timedelta(days=1)
    return periods


def _verdict_with_leave(
    *, cadre: Cadre, period: rules.Period, today: dt.date, credited: set[dt.date], away: set[dt.date]
) -> rules.MinimumDaysVerdict:
    """``rules.minimum_days_verdict`` for the period as of today, with the whole days ``away`` ahead
    (approved leave, and this one when asked "if approved") not available to be in the village."""
    profile = profile_on(today)
    unavailable = {d for d in away if cadre.term_start <= d <= cadre.term_end and d >= today and d not in credited}
    return rules.minimum_days_verdict(
        profile=profile,
        month=max(period.first, today.replace(day=1)),
        today=today,
        term_start=cadre.term_start,
        term_end=cadre.term_end,
        counted=len(credited),
        counted_today=today in credited,
        unavailable=len(unavailable),
    )


def leave_impact(*, request: LeaveRequest, today: dt.date) -> LeaveImpact:
    """How ``request`` would change its applicant's period(s) and the village's coverage, with
    ``rules.minimum_days_verdict`` (with and without the leave's whole days) and the team's approved
    leave and official business, in a fixed number of queries whatever the leave's length."""
    cadre = Cadre.objects.select_related("team").get(pk=request.cadre_id)
    profile = profile_on(today)
    periods = _periods_of(start=request.start, end=request.end, today=today, profile=profile)
    team = list(
        Cadre.objects.filter(team_id=cadre.team_id, status=Cadre.Status.ACTIVE)
        .exclude(pk=cadre.pk)
        .values_list("pk", "term_start", "term_end")
    )
    first = min([p.first for p in periods] + [request.start])
    last = max([p.last for p in periods] + [request.end])
    excused = excused_halves(cadre_ids=[cadre.pk, *(pk for pk, _, _ in team)], start=first, end=last)
    mine = excused.get(cadre.pk, {})
    present = set(
        SignIn.objects.filter(cadre=cadre, date__range=(first, today), status__in=PRESENT).values_list(
            "date", flat=True
        )
    )
    this: dict[dt.date, set[str]] = {}
    for day, half in covered_slots(
        start=request.start, start_half=request.start_half, end=request.end, end_half=request.end_half,
        ended_at=None, first=max(request.start, today), last=request.end,
    ):  # fmt: skip
        this.setdefault(day, set()).add(half)
    business = {d for d in rules.whole_days(mine) if LEAVE not in mine[d].values()}
    on_leave = {d for d in rules.whole_days(mine) if LEAVE in mine[d].values()}
    impacts = []
    for period in periods:
        credited = {
            d
            for d in rules.credited_days(present=present, business=business)
            if period.first <= d <= min(today, period.last)
        }
        taken = {d for d in on_leave if period.first <= d <= period.last}
        # An official trip is credited like the days in the village (decision 0071): it costs the period
        # nothing, only the village its cover.
        ahead = set()
        if request.kind != LeaveRequest.Kind.BUSINESS:
            ahead = {d for d in rules.whole_days(this) if period.first <= d <= period.last and d not in credited}
        without = _verdict_with_leave(cadre=cadre, period=period, today=today, credited=credited, away=taken)
        with_leave = _verdict_with_leave(cadre=cadre, period=period, today=today, credited=credited, away=taken | ahead)
        impacts.append(
            PeriodImpact(
                period=period.label,
                label=f"{period.first.year}年" if period.yearly else f"{period.first.month}月",
                days_counted=without.counted,
                days_required=without.required_by_period_end,
                days_of_this_leave=Decimal(sum(len(h) for d, h in this.items() if period.first <= d <= period.last))
                / 2,
                best_without=without.counted + without.remaining,
                best_with=with_leave.counted + with_leave.remaining,
            )
        )
    uncovered = []
    for day, halves in sorted(this.items()):
        others = [pk for pk, start, end in team if start <= day <= end]
        alone = frozenset(half for half in halves if all(half in excused.get(pk, {}).get(day, {}) for pk in others))
        if alone:
            uncovered.append((day, alone))
    pending = [
        (name, f"{start:%m-%d}", f"{end:%m-%d}")
        for name, start, end in LeaveRequest.objects.filter(
            cadre__team_id=cadre.team_id,
            status=LeaveRequest.Status.PENDING,
            start__lte=request.end,
            end__gte=request.start,
        )
        .exclude(pk=request.pk)
        .exclude(cadre=cadre)
        .values_list("cadre__name", "start", "end")
    ]
    return LeaveImpact(periods=impacts, uncovered=uncovered, pending=pending)


def leave_impact_payload(request: LeaveRequest, today: dt.date) -> dict[str, Any]:
    """``leave_impact`` as the leave API shows it; registered with leave at start-up (attendance/apps.py)."""
    return leave_impact(request=request, today=today).payload()
