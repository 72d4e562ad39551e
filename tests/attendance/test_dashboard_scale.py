"""The dashboard API above the county (issue 16 item 1, decision 0177): one row per child region read
from the monthly rollup, and the per-cadre list paged for a province and for the nation."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from attendance import selectors
from attendance.models import CountyDay, SignIn
from cadres.models import Cadre, Region
from cadres.selectors import nation
from tests.conftest import api_as
from zhucun import scoping
from zhucun.policy import profile_on
from zhucun.testing.world import World, make_id_number

URL = "/api/v1/dashboards/attendance/"


def _present(cadre: Cadre, days: range) -> None:
    SignIn.objects.bulk_create(
        SignIn(
            cadre=cadre,
            village_code=cadre.team.village_id,
            date=dt.date(2026, 11, day),
            client_id=uuid.uuid4(),
            status="ok",
            inside_geofence=True,
            distance_m=50,
        )
        for day in days
    )


def test_a_province_gets_its_cities_and_a_paged_list(world: World, clock: Any) -> None:
    _present(world.leaders["A"], range(1, 27))  # today (26 Nov) included
    body = api_as(world.personas["province"]).get(URL, {"region": "13", "month": "2026-11", "page_size": "2"}).json()
    assert body["region"] == {"code": "13", "name": "河北省"}
    cities = {child["code"]: child for child in body["children"]}
    assert set(cities) == {"1301", "1302"}
    city = cities[world.leaders["A"].team.village_id[:4]]
    assert (city["signed_in"], city["covered"]) >= (1, 1)
    assert sum(child["cadres"] for child in body["children"]) == Cadre.objects.count()
    assert (body["page"], body["page_size"], body["next_page"], len(body["cadres"])) == (1, 2, 2, 2)
    assert body["uncovered_villages_today_count"] == sum(child["uncovered"] for child in body["children"])
    # the pages cover every cadre once, by village and then in registration order, and the last one says so:
    # one registered last in 甲村 comes before 乙村's
    late = world.members["A"]
    late.pk, late.id_number = None, make_id_number(990)
    late.save()
    seen, number = [], 1
    while number is not None:
        page = api_as(world.personas["province"]).get(URL, {"region": "13", "page": str(number), "page_size": "2"})
        seen += [row["id"] for row in page.json()["cadres"]]
        number = page.json()["next_page"]
    assert seen == list(Cadre.objects.order_by("team__village_id", "pk").values_list("pk", flat=True))
    assert seen != sorted(seen)
    leader = next(row for row in api_as(world.personas["province"]).get(URL, {"page_size": 1000}).json()["cadres"]
                  if row["id"] == world.leaders["A"].pk)  # fmt: skip
    assert leader["days_present"] == 26


def test_the_national_view_has_one_row_per_province(world: World, clock: Any) -> None:
    _present(world.members["B"], range(20, 27))
    body = api_as(world.personas["province"]).get(URL, {"region": "nation", "month": "2026-11"}).json()
    assert body["region"] == {"code": "", "name": "全国"}
    assert [child["code"] for child in body["children"]] == ["13"]
    (hebei,) = body["children"]
    assert hebei["signed_in"] == 1 and hebei["cadres"] == Cadre.objects.count()
    assert body["page_size"] == 200 and body["next_page"] is None
    # the nation lists no villages, only how many: its provinces count them
    assert body["uncovered_villages_today"] == []
    assert body["uncovered_villages_today_count"] == hebei["uncovered"] > 0
    member = next(row for row in body["cadres"] if row["id"] == world.members["B"].pk)
    assert member["days_present"] == 7


def test_only_a_province_department_opens_the_national_view(world: World) -> None:
    assert api_as(world.personas["province"]).get(URL).json()["region"]["code"] == "13"
    assert api_as(world.personas["city"]).get(URL, {"region": "nation"}).status_code == 404  # out of scope


def test_a_county_keeps_the_whole_list_without_paging(world: World, clock: Any) -> None:
    body = api_as(world.personas["county"]).get(URL).json()
    assert "count" not in body and "children" not in body
    assert len(body["cadres"]) == Cadre.objects.filter(team__village__code__startswith="130102").count()


def test_a_bad_page_is_a_chinese_400(world: World) -> None:
    client = api_as(world.personas["province"])
    assert "页码" in client.get(URL, {"page": "abc"}).json()["page"][0]
    assert "每页人数" in client.get(URL, {"page_size": "5000"}).json()["page_size"][0]


def test_the_national_view_reads_a_constant_number_of_queries(world: World, clock: Any) -> None:
    client = api_as(world.personas["province"])
    client.get(URL, {"region": "nation"})  # warm the per-request caches that are not the view's (profile, session)
    with CaptureQueriesContext(connection) as small:
        client.get(URL, {"region": "nation"})
    for cadre in (world.leaders["A"], world.members["A"], world.leaders["B"]):
        _present(cadre, range(1, 27))
    with CaptureQueriesContext(connection) as grown:
        client.get(URL, {"region": "nation"})
    assert len(grown) == len(small)
    assert not any('FROM "attendance_signin"' in q["sql"] and "GROUP BY" in q["sql"] for q in grown.captured_queries)


def test_the_counters_give_the_same_figures_as_the_rows(world: World, clock: Any, monkeypatch: Any) -> None:
    """Decision 0180: a city, a province and the nation are counted from the per-county counters; the
    figures equal those counted from the rows (the county's own way) — with a cadre behind, one ahead,
    one present today, one recalled after signing in, one whose term ends this month and one who moved."""
    _present(world.leaders["A"], range(1, 27))  # ahead, and present today (26 Nov)
    _present(world.members["A"], range(1, 6))  # behind
    _present(world.leaders["B"], range(2, 20))
    _present(world.members["C"], range(1, 25))
    Cadre.objects.filter(pk=world.members["C"].pk).update(status=Cadre.Status.RECALLED)  # left, with days
    Cadre.objects.filter(pk=world.leaders["C"].pk).update(term_end=dt.date(2026, 11, 28))  # judged one by one
    SignIn.objects.filter(cadre=world.leaders["B"], date=dt.date(2026, 11, 19)).update(
        village_code=world.village("C")
    )  # moved: last seen in another county
    assert CountyDay.objects.filter(day=dt.date(2026, 11, 26)).exists()
    province = world.personas["province"]
    day = dt.date(2026, 11, 26)
    # the nation (its provinces), Hebei (its cities), a city (its counties)
    regions = [nation(), *Region.objects.filter(code__in=["13", world.village("A")[:4]]).order_by("code")]

    def figures() -> list[list[tuple[Any, ...]]]:
        return [
            [
                (r.region.code, r.villages, r.covered, r.cadres, r.signed_in, r.pending_findings, r.below_days)
                for r in selectors.children_summary(user=province, region=region, day=day, profile=profile_on(day))
            ]
            for region in regions
        ]

    with CaptureQueriesContext(connection) as read:
        counted = figures()
    tables = " ".join(q["sql"] for q in read.captured_queries)
    # the counters are what was read: no cadre or rollup row counted per child
    assert all(name in tables for name in ("cadres_county_tally", "attendance_county_day", "county_month_days"))
    assert not any("GROUP BY" in q["sql"] and 'FROM "cadres_cadre"' in q["sql"] for q in read.captured_queries)
    monkeypatch.setattr(scoping, "region_in_scope", lambda user, code: False)  # the rows' way
    assert figures() == counted
    assert any(row[-1] for rows in counted for row in rows)  # somebody is behind: the count was exercised


def test_the_uncovered_villages_of_a_province_are_found_in_the_counties_the_counters_name(
    world: World, clock: Any, monkeypatch: Any
) -> None:
    """A province's and a city's uncovered villages are looked for only in the counties whose counters
    show one (decision 0180): the same villages, in the same order, as probing every village."""
    day = dt.date(2026, 11, 26)
    _present(world.leaders["A"], range(26, 27))  # 甲村 covered today, the others not
    _present(world.members["C"], range(26, 27))
    province = world.personas["province"]
    regions = Region.objects.filter(code__in=["13", world.village("A")[:4], world.village("C")[:4]]).order_by("code")

    def found() -> list[list[str]]:
        return [
            list(selectors.uncovered_villages(user=province, region=r, day=day).values_list("village_id", flat=True))
            for r in regions
        ]

    with CaptureQueriesContext(connection) as read:
        counted = found()
    # the counters read once per region, and the teams probed only in the counties they name
    assert sum("cadres_county_tally" in q["sql"] for q in read.captured_queries) == len(regions)
    assert sum("SUBSTR" in q["sql"].upper() for q in read.captured_queries if "cadres_team" in q["sql"]) == len(regions)
    monkeypatch.setattr(scoping, "region_in_scope", lambda user, code: False)  # every village probed
    assert found() == counted
    assert world.village("A") not in counted[0] and world.village("B") in counted[0]
    assert counted[0] == sorted(counted[0])
