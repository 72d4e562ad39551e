"""Monthly partitions of the sign-ins (issue 16 item 2, decision 0178): on PostgreSQL a month's rows live
in the month's partition, the one-per-day rule still holds, months are created ahead by a job, a month
that fell into the default partition is moved out with its rollup exact, and old months detach.
On SQLite (make run) the same calls do nothing and sign-ins work as before."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from typing import Any

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from attendance import partitions, rollup
from attendance.models import SignIn
from attendance.tasks import ensure_partitions
from zhucun.jobs import SCHEDULED_JOBS
from zhucun.testing.world import World

postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions are PostgreSQL's")


def _signin(cadre: Any, day: dt.date, client_id: uuid.UUID | None = None) -> SignIn:
    return SignIn.objects.create(
        cadre=cadre,
        village_code=cadre.team.village_id,
        date=day,
        client_id=client_id or uuid.uuid4(),
        status="ok",
        inside_geofence=True,
        distance_m=50,
    )


def _table_of(signin: SignIn) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM attendance_signin WHERE id = %s", [signin.pk])
        return str(cursor.fetchone()[0])


def test_the_nightly_job_keeps_the_months_ahead() -> None:
    assert "attendance.ensure_partitions" in dict(SCHEDULED_JOBS)
    assert partitions.months(dt.date(2026, 11, 30), dt.date(2027, 2, 1)) == [
        dt.date(2026, 11, 1),
        dt.date(2026, 12, 1),
        dt.date(2027, 1, 1),
        dt.date(2027, 2, 1),
    ]
    assert partitions.name_of(dt.date(2027, 2, 1)) == "attendance_signin_y2027m02"


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite half")
def test_on_sqlite_the_table_is_plain_and_the_calls_do_nothing(world: World) -> None:
    assert partitions.ensure(dt.date(2020, 1, 1), dt.date(2020, 3, 1)) == []
    assert partitions.existing() == []
    assert _signin(world.leaders["A"], dt.date(2020, 1, 5)).pk


@postgresql
def test_a_sign_in_lands_in_its_months_partition(world: World) -> None:
    partitions.ensure(dt.date(2026, 11, 1), dt.date(2026, 12, 1))
    assert _table_of(_signin(world.leaders["A"], dt.date(2026, 11, 26))) == "attendance_signin_y2026m11"
    assert _table_of(_signin(world.leaders["A"], dt.date(2026, 12, 1))) == "attendance_signin_y2026m12"


@postgresql
def test_one_sign_in_per_cadre_per_day_is_still_enforced_by_the_database(world: World) -> None:
    _signin(world.leaders["A"], dt.date(2026, 11, 26))
    with pytest.raises(IntegrityError), transaction.atomic():
        _signin(world.leaders["A"], dt.date(2026, 11, 26))
    # the client id is unique within its day (PostgreSQL needs the partition key in every unique key)
    reused = uuid.uuid4()
    _signin(world.members["A"], dt.date(2026, 11, 26), client_id=reused)
    with pytest.raises(IntegrityError), transaction.atomic():
        _signin(world.leaders["B"], dt.date(2026, 11, 26), client_id=reused)


@postgresql
def test_a_month_not_created_ahead_loses_nothing_and_is_moved_out_of_the_default(world: World) -> None:
    far = dt.date(2031, 5, 4)  # no partition: the default partition catches it
    stray = _signin(world.leaders["A"], far)
    _signin(world.members["A"], far.replace(day=5))
    assert _table_of(stray) == partitions.DEFAULT
    assert partitions.ensure(far, far) == ["attendance_signin_y2031m05"]
    assert _table_of(stray) == "attendance_signin_y2031m05"
    assert SignIn.objects.filter(date__month=5, date__year=2031).count() == 2
    assert rollup.differences(far, far) == []  # the move took the days out and the rebuild put them back
    assert partitions.ensure(far, far) == []  # idempotent


@postgresql
def test_the_job_creates_the_next_three_months(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: dt.date(2032, 1, 15))
    assert ensure_partitions.apply().get() == 4
    names = {p.name for p in partitions.existing()}
    assert {"attendance_signin_y2032m01", "attendance_signin_y2032m04"} <= names
    assert "attendance_signin_y2032m05" not in names


@postgresql
def test_a_month_query_reads_only_that_months_partition(world: World) -> None:
    partitions.ensure(dt.date(2026, 10, 1), dt.date(2026, 12, 1))
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN SELECT count(*) FROM attendance_signin WHERE village_code LIKE '1301%%' "
            "AND date BETWEEN '2026-11-01' AND '2026-11-30'"
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "attendance_signin_y2026m11" in plan
    assert "attendance_signin_y2026m10" not in plan and "attendance_signin_y2026m12" not in plan
    assert partitions.DEFAULT not in plan


@postgresql
def test_an_old_month_detaches_and_keeps_its_rollup(world: World) -> None:
    old = dt.date(2025, 1, 1)
    partitions.ensure(old, old)
    _signin(world.leaders["A"], dt.date(2025, 1, 7))
    out = io.StringIO()
    call_command("signin_partitions", "--detach", "2025-01", stdout=out)
    assert "attendance_signin_y2025m01" in out.getvalue()
    assert not SignIn.objects.filter(date__year=2025).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM attendance_signin_y2025m01")
        assert cursor.fetchone()[0] == 1  # archived, not lost
        cursor.execute("SELECT days_present FROM attendance_signin_month WHERE month = '2025-01-01'")
        assert cursor.fetchone()[0] == 1  # the dashboards above the county still have the month's totals
    with pytest.raises(ValueError, match="2025年01月"):
        partitions.detach(old)
