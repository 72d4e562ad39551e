"""The monthly rollup of sign-ins (issue 16 item 1, decision 0177): ``SignInMonth`` rows, one per cadre
and month, with the days present, the last of them and that day's village.

The rows are kept by a database trigger on the sign-ins (migration 0006): the sign-in's own INSERT
updates its month in the same statement, so the service keeps its two queries and no writer can forget
it. This module owns the rest: rebuilding months from the sign-ins (after a bulk load, or to repair),
and checking the rollup against them. Only days present count (``rules.PRESENT``: 正常, 迟到).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper

from zhucun.workcalendar import month_bounds

from . import rules

#: The trigger on attendance_signin (PostgreSQL; on SQLite, four triggers with this prefix).
TRIGGER = "attendance_signin_rollup"
#: Every trigger on attendance_signin that this module's rebuild stands in for (PostgreSQL): the rollup's
#: and the per-county day counts' (``CountyDay``, migration 0008, decision 0180; one per statement kind).
SIGNIN_TRIGGERS = (TRIGGER, *(f"attendance_signin_county_day_{event}" for event in ("insert", "update", "delete")))
#: The trigger on the rollup that keeps ``CountyMonthDays`` (PostgreSQL; on SQLite, three triggers).
MONTH_DAYS_TRIGGER = "attendance_signin_month_days"

_PRESENT = ", ".join(f"'{status}'" for status in rules.PRESENT)


def _month_sql() -> str:
    """The first day of a sign-in's month, in the database's own dialect."""
    if connection.vendor == "postgresql":
        return "date_trunc('month', date)::date"
    return "date(date, 'start of month')"


def _span(first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
    """The whole months that hold ``first`` and ``last``."""
    return first.replace(day=1), month_bounds(last)[1]


def _grouped(month: str) -> str:
    """The rollup's rows as the sign-ins of ``[%s, %s]`` give them: one per cadre and month."""
    return f"""
        SELECT g.cadre_id, g.month,
               (SELECT s.village_code FROM attendance_signin s WHERE s.cadre_id = g.cadre_id AND s.date = g.last_day)
                   AS village_code,
               g.days, g.last_day
          FROM (SELECT cadre_id, {month} AS month, count(*) AS days, max(date) AS last_day
                  FROM attendance_signin WHERE date BETWEEN %s AND %s AND status IN ({_PRESENT})
                 GROUP BY cadre_id, {month}) g
    """  # noqa: S608 - only constants are formatted in


def _county_days() -> str:
    """Per county and day of ``[%s, %s]``: the cadres present and the villages with one of them."""
    return f"""
        SELECT substr(village_code, 1, 6), date, count(*), count(DISTINCT village_code) FROM attendance_signin
         WHERE date BETWEEN %s AND %s AND status IN ({_PRESENT}) GROUP BY 1, 2
    """  # noqa: S608 - only constants are formatted in


#: Per county and month of ``[%s, %s]``: the rollup's rows by their days present.
_MONTH_DAYS = """
    SELECT substr(village_code, 1, 6), month, days_present, count(*) FROM attendance_signin_month
     WHERE month BETWEEN %s AND %s GROUP BY 1, 2, 3
"""


@transaction.atomic
def rebuild(first: dt.date, last: dt.date) -> int:
    """Recompute the months holding ``[first, last]`` from the sign-ins — the rollup, then the county
    counters of those months (decision 0180); returns the rollup rows written. Six statements (delete
    and insert grouped, three times), in one transaction; on PostgreSQL the rollup's own trigger is off
    meanwhile (its counters are rebuilt whole instead)."""
    start, end = _span(first, last)
    with connection.cursor() as cursor, _month_days_trigger_off(cursor):
        cursor.execute("DELETE FROM attendance_signin_month WHERE month BETWEEN %s AND %s", [start, end])
        cursor.execute(
            "INSERT INTO attendance_signin_month (cadre_id, month, village_code, days_present, last_present) "
            + _grouped(_month_sql()),
            [start, end],
        )
        written = cursor.rowcount
        cursor.execute("DELETE FROM attendance_county_month_days WHERE month BETWEEN %s AND %s", [start, end])
        cursor.execute(
            "INSERT INTO attendance_county_month_days (county_code, month, days_present, cadres) " + _MONTH_DAYS,
            [start, end],
        )
        cursor.execute("DELETE FROM attendance_county_day WHERE day BETWEEN %s AND %s", [start, end])
        cursor.execute(
            "INSERT INTO attendance_county_day (county_code, day, present, covered) " + _county_days(), [start, end]
        )
        return written


@contextlib.contextmanager
def _month_days_trigger_off(cursor: CursorWrapper) -> Iterator[None]:
    if connection.vendor != "postgresql":  # SQLite's triggers keep counting; the rebuild overwrites them
        yield
        return
    cursor.execute(f"ALTER TABLE attendance_signin_month DISABLE TRIGGER {MONTH_DAYS_TRIGGER}")
    yield
    cursor.execute(f"ALTER TABLE attendance_signin_month ENABLE TRIGGER {MONTH_DAYS_TRIGGER}")


def counter_differences(first: dt.date, last: dt.date) -> list[tuple[object, ...]]:
    """Where the county counters (decision 0180) disagree with the sign-ins and the rollup over the
    months holding ``[first, last]``: (table, county, day or month[, days], kept, counted), a missing
    row counting as zero. Empty when they are exact. Four queries."""
    start, end = _span(first, last)
    found: list[tuple[object, ...]] = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT county_code, day, present, covered FROM attendance_county_day WHERE day BETWEEN %s AND %s",
            [start, end],
        )
        kept = {(county, day): (present, covered) for county, day, present, covered in cursor.fetchall()}
        cursor.execute(_county_days(), [start, end])
        counted = {(county, day): (present, covered) for county, day, present, covered in cursor.fetchall()}
        for key in sorted(set(kept) | set(counted)):
            if kept.get(key, (0, 0)) != counted.get(key, (0, 0)):
                found.append(("county_day", *key, kept.get(key), counted.get(key)))
        cursor.execute(
            "SELECT county_code, month, days_present, cadres FROM attendance_county_month_days "
            "WHERE month BETWEEN %s AND %s",
            [start, end],
        )
        kept_days = {(county, month, days): n for county, month, days, n in cursor.fetchall()}
        cursor.execute(_MONTH_DAYS, [start, end])
        counted_days = {(county, month, days): n for county, month, days, n in cursor.fetchall()}
        for bucket in sorted(set(kept_days) | set(counted_days)):
            if kept_days.get(bucket, 0) != counted_days.get(bucket, 0):
                found.append(("month_days", *bucket, kept_days.get(bucket), counted_days.get(bucket)))
    return found


def differences(first: dt.date, last: dt.date) -> list[tuple[object, ...]]:
    """Where the rollup and the sign-ins disagree over the months holding ``[first, last]``: rows of
    (cadre, month, village, days, last day) by the rollup, then the same by the sign-ins. Empty when
    the rollup is exact. One query; the suite's check and ``manage.py signin_partitions --check-rollup``."""
    start, end = _span(first, last)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH counted AS ({_grouped(_month_sql())}),
            kept AS (
                SELECT cadre_id, month, village_code, days_present AS days, last_present AS last_day
                  FROM attendance_signin_month WHERE month BETWEEN %s AND %s
            )
            SELECT k.cadre_id, k.month, k.village_code, k.days, k.last_day, c.village_code, c.days, c.last_day
              FROM kept k LEFT JOIN counted c ON c.cadre_id = k.cadre_id AND c.month = k.month
             WHERE c.days IS NULL OR c.days <> k.days OR c.last_day <> k.last_day OR c.village_code <> k.village_code
            UNION ALL
            SELECT c.cadre_id, c.month, NULL, NULL, NULL, c.village_code, c.days, c.last_day
              FROM counted c LEFT JOIN kept k ON c.cadre_id = k.cadre_id AND c.month = k.month
             WHERE k.days IS NULL
            """,  # noqa: S608 - only constants are formatted in
            [start, end, start, end],
        )
        return [tuple(row) for row in cursor.fetchall()]


@contextlib.contextmanager
def bulk_load(first: dt.date, last: dt.date) -> Iterator[None]:
    """For loading many sign-ins at once (a COPY of a month, the benchmark's seed): the triggers are off
    while the block runs, then on again, and the months holding ``[first, last]`` are rebuilt in
    grouped statements — faster than a trigger call per row. On PostgreSQL only; elsewhere the trigger
    stays on. Not for a live system: a sign-in made meanwhile is counted by the rebuild only if it lies
    within the range."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        for trigger in SIGNIN_TRIGGERS:
            cursor.execute(f"ALTER TABLE attendance_signin DISABLE TRIGGER {trigger}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            # the loaded rows' deferred foreign-key checks run now: a table with pending trigger events
            # cannot be altered
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for trigger in SIGNIN_TRIGGERS:
                cursor.execute(f"ALTER TABLE attendance_signin ENABLE TRIGGER {trigger}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    rebuild(first, last)
