"""Monthly partitions of the sign-ins on PostgreSQL (issue 16 item 2, decision 0178).

``attendance_signin`` is partitioned by range on ``date``, one partition a month
(``attendance_signin_y2026m11``), with a default partition that should stay empty: it only catches a
sign-in whose month was not created ahead, so a missed job never loses a sign-in. Every query of the
application has a date range, so PostgreSQL reads only the months asked for; old months are detached
(``detach``) and archived as plain tables. The one-per-day rule still holds in the database: the unique
``(cadre_id, date)`` includes the partition key.

The job ``attendance.ensure_partitions`` creates the months ahead every night. On SQLite (``make run``)
the table is not partitioned and every function here is a no-op.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.db import connection, transaction

from zhucun.workcalendar import month_bounds

from . import rollup

PARENT = "attendance_signin"
DEFAULT = "attendance_signin_default"
#: how many months after the current one the nightly job keeps ready
MONTHS_AHEAD = 3


def partitioned() -> bool:
    return connection.vendor == "postgresql"


def name_of(month: dt.date) -> str:
    return f"{PARENT}_y{month:%Y}m{month:%m}"


def _next(month: dt.date) -> dt.date:
    return month_bounds(month)[1] + dt.timedelta(days=1)


def months(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first days of the months from ``first``'s to ``last``'s."""
    result, month = [], first.replace(day=1)
    while month <= last:
        result.append(month)
        month = _next(month)
    return result


@dataclasses.dataclass(frozen=True)
class Partition:
    name: str
    bounds: str  # PostgreSQL's own words: FOR VALUES FROM ('2026-11-01') TO ('2026-12-01'), or DEFAULT
    rows: int  # the planner's estimate (reltuples), -1 before the first ANALYZE


def existing() -> list[Partition]:
    """The partitions attached to the sign-ins, by name. One query."""
    if not partitioned():
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid), c.reltuples::bigint "
            "FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass ORDER BY c.relname",
            [PARENT],
        )
        return [Partition(name, bounds, rows) for name, bounds, rows in cursor.fetchall()]


@transaction.atomic
def ensure(first: dt.date, last: dt.date) -> list[str]:
    """Create the monthly partitions covering ``[first, last]`` that do not exist yet; returns their
    names. A month whose sign-ins already fell into the default partition is moved out of it into its
    own partition, and its rollup rebuilt. Idempotent."""
    if not partitioned():
        return []
    have = {partition.name for partition in existing()}
    created = []
    with connection.cursor() as cursor:
        for month in months(first, last):
            name = name_of(month)
            if name in have:
                continue
            end = _next(month)
            cursor.execute(f"SELECT count(*) FROM {DEFAULT} WHERE date >= %s AND date < %s", [month, end])  # noqa: S608
            (stray,) = cursor.fetchone()
            if not stray:
                cursor.execute(f"CREATE TABLE {name} PARTITION OF {PARENT} FOR VALUES FROM (%s) TO (%s)", [month, end])
            else:
                # PostgreSQL refuses a partition for rows the default holds: they move first.
                cursor.execute(f"CREATE TABLE {name} (LIKE {PARENT} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
                cursor.execute(
                    f"INSERT INTO {name} SELECT * FROM {DEFAULT} WHERE date >= %s AND date < %s",  # noqa: S608
                    [month, end],
                )
                cursor.execute(f"DELETE FROM {DEFAULT} WHERE date >= %s AND date < %s", [month, end])  # noqa: S608
                cursor.execute(
                    f"ALTER TABLE {PARENT} ATTACH PARTITION {name} FOR VALUES FROM (%s) TO (%s)", [month, end]
                )
                rollup.rebuild(month, month)  # the delete above took the moved days out of the rollup
            created.append(name)
    return created


def ensure_ahead(today: dt.date, months_ahead: int = MONTHS_AHEAD) -> list[str]:
    """The nightly job: this month and the next ``months_ahead`` exist."""
    last = today.replace(day=1)
    for _ in range(months_ahead):
        last = _next(last)
    return ensure(today, last)


def detach(month: dt.date) -> str:
    """Detach a month: its sign-ins leave the table (and every page that reads sign-ins) and stay in the
    plain table of the same name, to archive (pg_dump -t) and drop. The month's rollup rows stay, so
    the dashboards above the county still show its totals. Returns the table's name."""
    name = name_of(month)
    if not partitioned() or name not in {partition.name for partition in existing()}:
        raise ValueError(f"没有 {month:%Y年%m月} 的签到分区。")
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {PARENT} DETACH PARTITION {name}")
    return name
