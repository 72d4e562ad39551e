"""Two cadres of one village signing in at the same moment (PostgreSQL, decision 0180): the village is
counted as covered once. A file of its own: its test is transactional (decision 0101)."""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
import uuid

import pytest
from django.db import connection, transaction

from attendance.models import CountyDay, SignIn
from cadres.models import Cadre
from zhucun.testing.world import World

DAY = dt.date(2026, 11, 26)


def _signin(cadre: Cadre, day: dt.date = DAY) -> None:
    SignIn.objects.create(
        cadre=cadre, village_code=cadre.team.village_id, date=day, client_id=uuid.uuid4(), status="ok",
        inside_geofence=True, distance_m=50,
    )  # fmt: skip


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_first_sign_ins_of_a_village_at_once_cover_it_once(world: World) -> None:
    """The first sign-in's transaction is still open when the second arrives: neither sees the other's
    row, and only the lock on the county's row (taken before the test "is anyone else here") makes the
    second wait and then find the first."""
    if connection.vendor != "postgresql":
        if os.environ.get("ZHUCUN_REQUIRE_POSTGRES"):
            pytest.fail("this test must run on PostgreSQL in CI")
        pytest.skip("real concurrency needs PostgreSQL")
    # the two rollup rows fall in different days-present counts: nothing else the sign-ins write is shared
    _signin(world.leaders["A"], DAY - dt.timedelta(days=2))
    _signin(world.leaders["A"], DAY - dt.timedelta(days=1))
    second_done = threading.Event()

    def second() -> None:
        try:
            with transaction.atomic():
                _signin(world.members["A"])
        finally:
            second_done.set()
            connection.close()

    thread = threading.Thread(target=second)
    with transaction.atomic():
        _signin(world.leaders["A"])
        thread.start()
        time.sleep(0.5)  # the second is inside its INSERT, waiting for the county's row
        assert not second_done.is_set()
    thread.join(timeout=10)
    assert second_done.is_set()
    day = CountyDay.objects.get(county_code=world.village("A")[:6], day=DAY)
    assert (day.present, day.covered) == (2, 1)
