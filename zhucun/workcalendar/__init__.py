"""The official working calendar: which days offices work (第十九条2: 半日内作出答复, counted in office
hours; 请假期满后应及时销假, checked on the next working day). One place for every capability that
counts working days (leave, attendance, jobs).

A working day is Monday to Friday, except the public holidays of the table (``WorkCalendarDay`` of
kind ``holiday``), plus the 调休 Saturdays and Sundays of the table (kind ``makeup_workday``). The
table is the State Council's yearly arrangement: seeded from the ``chinesecalendar`` package for
every year it knows (zhucun/workcalendar/services.py, run after ``migrate``) and entered by provincial
staff for later years (the 节假日与调休 page).

Never a silent guess (docs/decisions/0085): a year whose table is not published
(``WorkCalendarYear.published_at``) counts Monday to Friday plus whatever has been entered so far,
``is_provisional`` says so, pages mark such deadlines 暂定, and provincial staff are warned from
October 1 of the year before.

The approval hot path computes a deadline on every submission and decision, so reads are cached per
process: a year's rows are loaded once (two queries) and kept for a minute; saving or deleting a row
clears the cache (zhucun/apps.py), so the editing process sees a change at once and the others within
the minute — like the policy profile (zhucun/policy.py).
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import time
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: no deadline looks further than this many calendar days ahead (the longest holiday is 9 days)
_HORIZON_DAYS = 60
#: (month, day) from which next year's table is expected: the State Council publishes it in the
#: autumn (usually November), and a missing table warns provincial staff from this day on.
WARN_FROM = (10, 1)


@dataclasses.dataclass(frozen=True)
class YearTable:
    """One year of the table: whether it is published, and the days that differ from Monday–Friday."""

    year: int
    published: bool
    holidays: frozenset[dt.date]
    makeup_workdays: frozenset[dt.date]


#: year → (monotonic expiry, table)
_CACHE: dict[int, tuple[float, YearTable]] = {}
_CACHE_SECONDS = 60.0


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of ``day``'s month."""
    first = day.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def cache_clear(**_: Any) -> None:
    _CACHE.clear()


def year_table(year: int) -> YearTable:
    """The table of ``year``, from the per-process cache or loaded at once (two queries)."""
    now = time.monotonic()
    cached = _CACHE.get(year)
    if cached is not None and cached[0] > now:
        return cached[1]
    table = _load(year)
    _CACHE[year] = (now + _CACHE_SECONDS, table)
    return table


def _load(year: int) -> YearTable:
    from zhucun.models import WorkCalendarDay, WorkCalendarYear

    published = WorkCalendarYear.objects.filter(year=year, published_at__isnull=False).exists()
    holidays: set[dt.date] = set()
    makeup: set[dt.date] = set()
    rows = WorkCalendarDay.objects.filter(date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31))
    for day, kind in rows.values_list("date", "kind"):
        (makeup if kind == WorkCalendarDay.Kind.MAKEUP_WORKDAY else holidays).add(day)
    return YearTable(year=year, published=published, holidays=frozenset(holidays), makeup_workdays=frozenset(makeup))


def is_workday(day: dt.date) -> bool:
    """Whether ``day`` is an official working day (调休 make-up days included, holidays excluded).
    For a year without a published table the answer is provisional (``is_provisional``)."""
    table = year_table(day.year)
    if day in table.makeup_workdays:
        return True
    if day in table.holidays:
        return False
    return day.weekday() < 5


def is_published(year: int) -> bool:
    """Whether provincial staff (or the seed) marked ``year``'s table complete."""
    return year_table(year).published


def is_provisional(first: dt.date, last: dt.date | None = None) -> bool:
    """Whether a count over the days ``first``…``last`` used a year whose table is not published."""
    last = last or first
    return any(not is_published(year) for year in range(first.year, max(first.year, last.year) + 1))


def deadline_is_provisional(received_at: dt.datetime | None, due: dt.datetime | None) -> bool:
    """Whether a deadline from ``received_at`` to ``due`` was counted on an unpublished year."""
    if received_at is None or due is None:
        return False
    return is_provisional(received_at.astimezone(SHANGHAI).date(), due.astimezone(SHANGHAI).date())


def years_missing(today: dt.date) -> list[int]:
    """Years whose table provincial staff must enter now: this year while it is not published, and
    next year from October 1 (``WARN_FROM``) while it is not."""
    years = [today.year]
    if (today.month, today.day) >= WARN_FROM:
        years.append(today.year + 1)
    return [year for year in years if not is_published(year)]


def next_workday(day: dt.date) -> dt.date:
    """The first working day after ``day``."""
    candidate = day + dt.timedelta(days=1)
    for _ in range(_HORIZON_DAYS):
        if is_workday(candidate):
            return candidate
        candidate += dt.timedelta(days=1)
    return candidate


@lru_cache(maxsize=16)
def parse_office_hours(office_hours: str) -> tuple[tuple[dt.time, dt.time], ...]:
    """``"08:30-12:00,14:30-18:00"`` → ((08:30, 12:00), (14:30, 18:00)), sorted; ValueError if malformed."""
    intervals = []
    for part in office_hours.split(","):
        begin, _, finish = part.strip().partition("-")
        start, end = dt.time.fromisoformat(begin.strip()), dt.time.fromisoformat(finish.strip())
        if end <= start:
            raise ValueError(f"office hours interval {part!r} ends before it starts")
        intervals.append((start, end))
    if not intervals:
        raise ValueError("no office hours")
    return tuple(sorted(intervals))


def due_at(received_at: dt.datetime, office_hours: str, hours: Decimal = Decimal("4")) -> dt.datetime:
    """The moment ``hours`` office hours after ``received_at`` on the working calendar (Asia/Shanghai).

    A request received outside office hours starts its clock at the next opening: received on Friday at
    17:00 with 4 hours to go, the deadline is Monday 11:30 (1 hour on Friday, 3 on Monday) — or the
    Tuesday when Monday is a holiday, or the Sunday when that Sunday is a 调休 working day.
    """
    if received_at.tzinfo is None:
        raise ValueError("received_at must be timezone-aware")
    intervals = parse_office_hours(office_hours)
    local = received_at.astimezone(SHANGHAI)
    remaining = dt.timedelta(seconds=float(hours) * 3600)
    day = local.date()
    for _ in range(_HORIZON_DAYS):
        if is_workday(day):
            for begin, finish in intervals:
                opens = dt.datetime.combine(day, begin, tzinfo=SHANGHAI)
                closes = dt.datetime.combine(day, finish, tzinfo=SHANGHAI)
                start = max(opens, local)
                if start >= closes:
                    continue
                if remaining <= closes - start:
                    return start + remaining
                remaining -= closes - start
        day += dt.timedelta(days=1)
    raise ValueError("no working time within the horizon; check the office hours setting")
