"""The monthly rollup (issue 16 item 1, decision 0177): kept by the database whatever writes the sign-ins,
exact against them, and within the sign-in's two queries."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from accounts.services import token_issue
from attendance import rollup
from attendance.models import CountyDay, SignIn, SignInMonth
from tests.attendance.conftest import INSIDE
from zhucun.policy import profile_on
from zhucun.testing.world import World

NOV, DEC = dt.date(2026, 11, 1), dt.date(2026, 12, 1)


def _signin(cadre: Any, day: dt.date, status: str = "ok", village: str | None = None) -> SignIn:
    return SignIn.objects.create(
        cadre=cadre,
        village_code=village or cadre.team.village_id,
        date=day,
        client_id=uuid.uuid4(),
        status=status,
        inside_geofence=status != "outside_geofence",
        distance_m=50,
    )


def _rows() -> list[tuple[Any, ...]]:
    return list(
        SignInMonth.objects.order_by("cadre_id", "month", "village_code").values_list(
            "cadre_id", "month", "village_code", "days_present", "last_present"
        )
    )


def test_each_present_sign_in_counts_once_in_its_cadres_month(world: World) -> None:
    leader, member = world.leaders["A"], world.members["A"]
    _signin(leader, dt.date(2026, 11, 3))
    _signin(leader, dt.date(2026, 11, 5), status="late")  # 迟到 is present (第五条 counts the day)
    _signin(leader, dt.date(2026, 11, 6), status="outside_geofence")  # not in the village: not counted
    _signin(leader, dt.date(2026, 12, 1))
    _signin(member, dt.date(2026, 11, 4))
    village = leader.team.village_id
    assert _rows() == [
        (leader.pk, NOV, village, 2, dt.date(2026, 11, 5)),
        (leader.pk, DEC, village, 1, dt.date(2026, 12, 1)),
        (member.pk, NOV, village, 1, dt.date(2026, 11, 4)),
    ]
    assert rollup.differences(NOV, DEC) == []


def test_the_county_counts_each_day_its_cadres_present_and_its_villages_covered(world: World) -> None:
    """Decision 0180: per county and day, the cadres present and the villages with one of them — the
    second cadre of a village adds a cadre, not a village; a correction to 不在村 takes both out."""
    county = world.village("A")[:6]
    day = dt.date(2026, 11, 3)
    first = _signin(world.leaders["A"], day)
    _signin(world.members["A"], day)  # the same village
    _signin(world.leaders["B"], day, status="late")  # another village of the county
    _signin(world.leaders["C"], day, status="outside_geofence")  # another county, and not present

    def counts() -> list[tuple[Any, ...]]:
        return list(CountyDay.objects.values_list("county_code", "day", "present", "covered"))

    assert counts() == [(county, day, 3, 2)]
    SignIn.objects.filter(pk=first.pk).update(status="outside_geofence")
    assert counts() == [(county, day, 2, 2)]  # the member still covers village A
    SignIn.objects.filter(cadre=world.members["A"], date=day).delete()
    assert counts() == [(county, day, 1, 1)]
    assert rollup.counter_differences(NOV, DEC) == []


def test_a_correction_or_a_deletion_moves_the_day_out_of_the_rollup(world: World) -> None:
    leader = world.leaders["A"]
    first = _signin(leader, dt.date(2026, 11, 3))
    last = _signin(leader, dt.date(2026, 11, 9))
    village = leader.team.village_id
    SignIn.objects.filter(pk=last.pk).update(status="outside_geofence")
    assert _rows() == [(leader.pk, NOV, village, 1, dt.date(2026, 11, 3))]  # the last day present falls back
    SignIn.objects.filter(pk=last.pk).update(status="ok")
    assert _rows() == [(leader.pk, NOV, village, 2, dt.date(2026, 11, 9))]
    # a cadre who moved within the month is counted, with all the month's days, where they last signed in
    other = world.village("B")
    SignIn.objects.filter(pk=last.pk).update(village_code=other)
    assert _rows() == [(leader.pk, NOV, other, 2, dt.date(2026, 11, 9))]
    SignIn.objects.filter(pk=first.pk).update(village_code=other)
    SignIn.objects.filter(pk=last.pk).update(village_code=village)
    assert _rows() == [(leader.pk, NOV, village, 2, dt.date(2026, 11, 9))]
    SignIn.objects.filter(pk=last.pk).delete()
    assert _rows() == [(leader.pk, NOV, other, 1, dt.date(2026, 11, 3))]  # the last day's village again
    SignIn.objects.filter(pk=first.pk).delete()
    assert _rows() == []  # no empty rows are left behind


def test_bulk_created_sign_ins_are_counted_too(world: World) -> None:
    leader = world.leaders["A"]
    SignIn.objects.bulk_create(
        SignIn(
            cadre=leader,
            village_code=leader.team.village_id,
            date=dt.date(2026, 11, day),
            client_id=uuid.uuid4(),
            status="ok",
            inside_geofence=True,
            distance_m=10,
        )
        for day in range(1, 26)
    )
    assert _rows() == [(leader.pk, NOV, leader.team.village_id, 25, dt.date(2026, 11, 25))]


def test_rebuild_repairs_a_month_and_leaves_the_others(world: World) -> None:
    leader = world.leaders["A"]
    _signin(leader, dt.date(2026, 11, 3))
    _signin(leader, dt.date(2026, 12, 2))
    with connection.cursor() as cursor:  # a damaged rollup, as a bad restore would leave it
        cursor.execute("UPDATE attendance_signin_month SET days_present = 7")
        cursor.execute("UPDATE attendance_county_day SET present = 9")
        cursor.execute("UPDATE attendance_county_month_days SET cadres = 9")
    assert len(rollup.differences(NOV, DEC)) == 2
    assert len(rollup.counter_differences(NOV, DEC)) == 6  # two days, two months with 1 day and 7 days
    assert rollup.rebuild(NOV, dt.date(2026, 11, 30)) == 1
    assert rollup.differences(NOV, dt.date(2026, 11, 30)) == []
    assert rollup.counter_differences(NOV, dt.date(2026, 11, 30)) == []
    assert [row[3] for row in rollup.differences(DEC, DEC)] == [7]  # December untouched


def test_bulk_load_rebuilds_the_months_it_loaded(world: World) -> None:
    leader = world.leaders["A"]
    with rollup.bulk_load(NOV, dt.date(2026, 11, 30)):
        for day in (2, 3, 4):
            _signin(leader, dt.date(2026, 11, day))
    assert _rows() == [(leader.pk, NOV, leader.team.village_id, 3, dt.date(2026, 11, 4))]
    assert rollup.counter_differences(NOV, dt.date(2026, 11, 30)) == []


def test_a_sign_in_keeps_its_rollup_within_its_two_queries(world: World, clock: Any) -> None:
    """The rollup is written by the INSERT's own trigger: a sign-in with a phone's token is still the
    token query and the INSERT (B1), and its month is counted."""
    profile_on(dt.date(2026, 11, 26))  # cached, as on a morning
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=world.personas['cadre'])}")
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/api/v1/signins/", {"client_id": str(uuid.uuid4()), **INSIDE}, format="json")
    assert response.status_code == 201, response.content
    assert len(queries) == 2, [q["sql"] for q in queries.captured_queries]
    cadre = world.personas["cadre"].cadre
    assert cadre is not None
    assert _rows() == [(cadre.pk, NOV, cadre.team.village_id, 1, dt.date(2026, 11, 26))]


_OPS = st.lists(
    st.tuples(
        st.sampled_from(["insert", "status", "delete", "move"]),
        st.integers(min_value=0, max_value=2),  # cadre
        st.integers(min_value=0, max_value=40),  # day offset from 20 Nov: two months
        st.sampled_from(["ok", "late", "outside_geofence"]),
    ),
    max_size=25,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=_OPS)
def test_any_sequence_of_writes_leaves_the_rollup_exact(world: World, ops: list[tuple[str, int, int, str]]) -> None:
    """… and the county counters (decision 0180): A and B are villages of one county, C of another."""
    cadres = [world.leaders["A"], world.members["A"], world.leaders["C"]]
    villages = [world.village("A"), world.village("B"), world.village("C")]
    SignIn.objects.all().delete()
    for op, who, offset, status in ops:
        cadre, day = cadres[who], dt.date(2026, 11, 20) + dt.timedelta(days=offset)
        existing = SignIn.objects.filter(cadre=cadre, date=day)
        if op == "insert" and not existing.exists():
            _signin(cadre, day, status=status)
        elif op == "status":
            existing.update(status=status)
        elif op == "delete":
            existing.delete()
        elif op == "move":
            existing.update(village_code=villages[offset % 3])
    assert rollup.differences(NOV, DEC) == []
    assert rollup.counter_differences(NOV, DEC) == []
