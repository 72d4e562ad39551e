"""Reads of the working calendar's pages. The table is province-wide (not scoped by region): who may
see and edit it is the ``calendar.manage`` action (zhucun/scoping.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.db.models.query import QuerySet

from zhucun.models import WorkCalendarDay, WorkCalendarYear

from .services import FIRST_YEAR


@dataclasses.dataclass(frozen=True)
class YearRow:
    year: int
    marker: WorkCalendarYear | None
    holidays: int
    makeup_workdays: int

    @property
    def published(self) -> bool:
        return self.marker is not None and self.marker.published_at is not None


def year_rows(*, last_year: int) -> list[YearRow]:
    """Every year from ``last_year`` back to the first, with its marker and day counts (two queries)."""
    markers = {row.year: row for row in WorkCalendarYear.objects.filter(year__lte=last_year)}
    counts: dict[tuple[int, str], int] = {
        (row["year"], row["kind"]): row["n"]
        for row in WorkCalendarDay.objects.annotate(year=ExtractYear("date"))
        .values("year", "kind")
        .annotate(n=Count("id"))
        .order_by()
    }
    first = min([FIRST_YEAR, *markers])
    return [
        YearRow(
            year=year,
            marker=markers.get(year),
            holidays=counts.get((year, WorkCalendarDay.Kind.HOLIDAY), 0),
            makeup_workdays=counts.get((year, WorkCalendarDay.Kind.MAKEUP_WORKDAY), 0),
        )
        for year in range(last_year, first - 1, -1)
    ]


def year_days(*, year: int) -> QuerySet[WorkCalendarDay]:
    return WorkCalendarDay.objects.filter(date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31)).order_by(
        "date"
    )


def year_marker(*, year: int) -> WorkCalendarYear | None:
    return WorkCalendarYear.objects.select_related("published_by").filter(year=year).first()
