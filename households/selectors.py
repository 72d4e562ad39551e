"""Reads of households and visits. Each function issues a fixed number of queries whatever the number
of households or visits (issue 14: ~2 million households, ~16 million visits a year): the due list is
one indexed, set-based query on ``Household.last_visit_on`` (kept by the visit service), coverage is one
aggregate over the visits of a village prefix. Scope comes from zhucun.scoping."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import BooleanField, Count, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Substr
from django.utils import timezone

from cadres.models import Region, Team
from zhucun import scoping
from zhucun.policy import profile_on

from . import rules
from .models import Household, Visit

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


def cutoffs_on(today: dt.date | None = None) -> rules.Cutoffs:
    today = today or timezone.localdate()
    return rules.cutoffs(today=today, profile=profile_on(today))


def households(*, user: User | AnonymousUser, today: dt.date | None = None) -> QuerySet[Household]:
    """The households the user sees, each with its village's name and whether its visit is due and
    overdue today (annotated in SQL: the rows of a page cost no further query)."""
    cut = cutoffs_on(today)
    return scoping.restrict(Household.objects.all(), user).annotate(
        village_name=Subquery(Region.objects.filter(code=OuterRef("village_code")).values("name")[:1]),
        is_due=ExpressionWrapper(cut.due_q(), output_field=BooleanField()),
        is_overdue=ExpressionWrapper(cut.overdue_q(), output_field=BooleanField()),
    )


def due(queryset: QuerySet[Household], *, today: dt.date | None = None) -> QuerySet[Household]:
    """第六条7–8: the households of ``queryset`` whose visit is due (overdue ones included)."""
    return queryset.filter(cutoffs_on(today).due_q())


def overdue(queryset: QuerySet[Household], *, today: dt.date | None = None) -> QuerySet[Household]:
    """The households of ``queryset`` that missed a whole period (rules.py)."""
    return queryset.filter(cutoffs_on(today).overdue_q())


def visits(*, user: User | AnonymousUser) -> QuerySet[Visit]:
    """The visits the user sees, with the household and the cadre joined."""
    return scoping.restrict(Visit.objects.all(), user).select_related("household", "cadre")


# --- overviews: the team, the township, the county (and one level down above) ---------------------------


@dataclasses.dataclass
class PlaceRow:
    """One village (or child region) of an overview: its households and visits due today."""

    code: str
    name: str
    team_id: int | None = None
    households: int = 0
    poor: int = 0
    resident_non_poor: int = 0
    due: int = 0
    overdue: int = 0


def child_length(region: Region) -> int:
    """The code length of an overview's rows: villages for a county or township, else the next level."""
    return {Region.Level.PROVINCE: 4, Region.Level.CITY: 6}.get(Region.Level(region.level), 12)


def _counts(cut: rules.Cutoffs) -> dict[str, Count]:
    return {
        "households": Count("pk"),
        "poor": Count("pk", filter=Q(kind=rules.POOR)),
        "resident_non_poor": Count("pk", filter=Q(kind=rules.NON_POOR, resident=True)),
        "due": Count("pk", filter=cut.due_q()),
        "overdue": Count("pk", filter=cut.overdue_q()),
    }


def place_rows(*, user: User | AnonymousUser, region: Region, today: dt.date | None = None) -> list[PlaceRow]:
    """Per team village of a county or township, per child region above: the households, and how many
    are due and overdue (第六条7–8). Two queries, whatever the size of the region (one GROUP BY over
    the region's households, one for the names)."""
    cut = cutoffs_on(today)
    length = child_length(region)
    rows = scoping.restrict(Household.objects.all(), user).filter(village_code__startswith=region.code)
    counted: dict[str, dict[str, Any]] = {
        row["child"]: dict(row)
        for row in rows.annotate(child=Substr("village_code", 1, length))
        .values("child")
        .annotate(**_counts(cut))
        .order_by()
    }
    if length == 12:
        teams = scoping.restrict(Team.objects.all(), user).filter(village__code__startswith=region.code)
        places = [
            PlaceRow(code=code, name=name, team_id=team_id)
            for team_id, code, name in teams.values_list("pk", "village__code", "village__name").order_by("village_id")
        ]
        known = {place.code for place in places}
        # households of a village without a team (yet) are shown too
        extra = sorted(set(counted) - known)
        names = dict(Region.objects.filter(code__in=extra).values_list("code", "name")) if extra else {}
        places += [PlaceRow(code=code, name=names.get(code, code)) for code in extra]
    else:
        children = scoping.restrict(Region.objects.filter(parent=region), user).order_by("code")
        places = [PlaceRow(code=code, name=name) for code, name in children.values_list("code", "name")]
    for place in places:
        found = counted.get(place.code)
        if found:
            for field in ("households", "poor", "resident_non_poor", "due", "overdue"):
                setattr(place, field, found[field])
    return places


def totals(rows: list[PlaceRow]) -> PlaceRow:
    total = PlaceRow(code="", name="合计")
    for row in rows:
        for field in ("households", "poor", "resident_non_poor", "due", "overdue"):
            setattr(total, field, getattr(total, field) + getattr(row, field))
    return total


@dataclasses.dataclass(frozen=True)
class Coverage:
    """The visits' coverage by month (第六条7–8), as shares of the households subject to each rule."""

    months: list[str]
    poor: list[float | None]
    non_poor: list[float | None]

    def as_chart(self) -> dict[str, Any]:
        return {"months": self.months, "poor": self.poor, "non_poor": self.non_poor}


def coverage_by_month(
    *, user: User | AnonymousUser, prefix: str, today: dt.date | None = None, months: int = 12
) -> Coverage:
    """For each of the last ``months`` calendar months: the share of the poor households visited in
    that month (第六条7), and of the resident non-poor households visited within the profile's window
    ending that month (第六条8: two months). The households counted are those registered by the end of
    the month, by their kind today. Two aggregate queries over the prefix's households and visits
    (indexed by village code and date), whatever the number of rows."""
    today = today or timezone.localdate()
    profile = profile_on(today)
    window = max(1, profile.non_poor_household_visit_months)
    starts = [rules.month_start(today, back) for back in range(months - 1, -1, -1)]
    ends = [rules.month_start(start, -1) for start in starts]  # the first day of the next month
    households = scoping.restrict(Household.objects.all(), user).filter(village_code__startswith=prefix)
    subject = households.aggregate(
        **{f"p{i}": Count("pk", filter=Q(kind=rules.POOR, registered_on__lt=end)) for i, end in enumerate(ends)},
        **{
            f"n{i}": Count("pk", filter=Q(kind=rules.NON_POOR, resident=True, registered_on__lt=end))
            for i, end in enumerate(ends)
        },
    )
    first = rules.month_start(starts[0], window - 1)
    visits = scoping.restrict(Visit.objects.all(), user).filter(
        village_code__startswith=prefix, date__gte=first, date__lt=ends[-1]
    )
    visited = visits.aggregate(
        **{
            f"p{i}": Count(
                "household", distinct=True, filter=Q(household__kind=rules.POOR, date__gte=start, date__lt=end)
            )
            for i, (start, end) in enumerate(zip(starts, ends, strict=True))
        },
        **{
            f"n{i}": Count(
                "household",
                distinct=True,
                filter=Q(
                    household__kind=rules.NON_POOR,
                    household__resident=True,
                    date__gte=rules.month_start(start, window - 1),
                    date__lt=end,
                ),
            )
            for i, (start, end) in enumerate(zip(starts, ends, strict=True))
        },
    )

    def share(key: str) -> float | None:
        whole = subject[key] or 0
        return round(100 * min(visited[key] or 0, whole) / whole, 1) if whole else None

    return Coverage(
        months=[f"{start:%Y-%m}" for start in starts],
        poor=[share(f"p{i}") for i in range(months)],
        non_poor=[share(f"n{i}") for i in range(months)],
    )


def overdue_by_village(*, today: dt.date | None = None) -> dict[str, int]:
    """The number of overdue households per village, province-wide, for the daily flag job. One
    GROUP BY query."""
    rows = (
        overdue(Household.objects.all(), today=today)
        .values("village_code")
        .annotate(n=Count("pk"))
        .order_by("village_code")
    )
    return {row["village_code"]: row["n"] for row in rows}
