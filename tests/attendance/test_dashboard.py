"""The attendance dashboard (API.md "Dashboards", UI.md page 2), the register export and the public
board: in scope only, no personal data on public pages, formula-safe spreadsheets."""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid
from typing import Any

from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from attendance.models import AbsenceFinding, SignIn, Whereabouts, WorkLog
from cadres.models import Cadre
from tests.attendance.conftest import approved_leave
from tests.conftest import api_as
from zhucun.testing.world import World
from zhucun.testing.xlsx import table_rows


def _present(cadre: Cadre, days: range, month: int = 11) -> None:
    SignIn.objects.bulk_create(
        [
            SignIn(
                cadre=cadre,
                village_code=cadre.team.village_id,
                date=dt.date(2026, month, day),
                client_id=uuid.uuid4(),
                status="ok",
                inside_geofence=True,
                distance_m=50,
            )
            for day in days
        ]
    )


def test_the_dashboard_counts_days_present_and_on_leave_per_cadre_第五条(world: World, clock: Any) -> None:
    _present(world.leaders["A"], range(1, 26))  # 25 days: meets the rule
    _present(world.members["A"], range(1, 11))  # 10 days: cannot make 25 any more
    approved_leave(world.members["A"], dt.date(2026, 11, 11), dt.date(2026, 11, 13))
    SignIn.objects.filter(cadre=world.leaders["A"], date=dt.date(2026, 11, 26)).delete()
    body = api_as(world.personas["township"]).get("/api/v1/dashboards/attendance/?month=2026-11").json()
    rows = {row["id"]: row for row in body["cadres"]}
    assert set(rows) == {world.leaders["A"].pk, world.members["A"].pk}  # the township's cadres only
    leader, member = rows[world.leaders["A"].pk], rows[world.members["A"].pk]
    assert (leader["days_present"], leader["meets_25_days"]) == (25, True)
    assert (member["days_present"], member["days_on_leave"], member["meets_25_days"]) == (10, "3", False)
    assert member["can_still_meet"] is False
    # Nobody signed in today (26 Nov) in 甲村.
    assert body["uncovered_villages_today"] == [{"code": world.village("A"), "name": "甲村"}]


def test_a_village_with_a_cadre_present_today_is_covered_第五条(world: World, clock: Any) -> None:
    _present(world.members["A"], range(26, 27))
    body = api_as(world.personas["county"]).get("/api/v1/dashboards/attendance/?region=130102").json()
    assert [v["code"] for v in body["uncovered_villages_today"]] == [world.village("B")]


def test_a_region_out_of_scope_is_404_and_a_unit_is_403(world: World, clock: Any) -> None:
    assert api_as(world.personas["township"]).get("/api/v1/dashboards/attendance/?region=130102002").status_code == 404
    assert api_as(world.personas["unit"]).get("/api/v1/dashboards/attendance/?region=130102001").status_code == 403
    bad = api_as(world.personas["county"]).get("/api/v1/dashboards/attendance/?region=130102&month=2026-13")
    assert bad.status_code == 400
    assert "YYYY-MM" in bad.json()["month"][0]


def test_the_township_page_shows_uncovered_villages_cadres_below_25_and_pending_findings(
    world: World, clock: Any
) -> None:
    AbsenceFinding.objects.create(
        cadre=world.members["A"], village_code=world.village("A"), date=dt.date(2026, 11, 25), source="missing_signin"
    )
    client = Client()
    client.force_login(world.personas["township"])
    page = client.get(reverse("attendance-dashboard")).content.decode()
    assert 'data-testid="uncovered-villages"' in page and "甲村" in page
    assert "不足25天" in page
    assert 'data-testid="pending-findings"' in page and "甲村队员" in page
    assert "乙村" not in page  # another township


def test_the_county_page_aggregates_one_level_down_and_drills_down(world: World, clock: Any) -> None:
    _present(world.members["A"], range(26, 27))
    client = Client()
    client.force_login(world.personas["county"])
    page = client.get(reverse("attendance-dashboard")).content.decode()
    assert reverse("attendance-dashboard-region", args=["130102001"]) in page
    assert reverse("attendance-dashboard-region", args=["130102002"]) in page
    assert "1 / 1" in page  # 甲一镇: 1 of 1 villages covered


def test_the_register_export_is_in_scope_masked_and_formula_safe(world: World, clock: Any) -> None:
    Cadre.objects.filter(pk=world.members["A"].pk).update(name='=HYPERLINK("x")')
    _present(world.leaders["A"], range(1, 4))
    client = Client()
    client.force_login(world.personas["township"])
    response = client.get(reverse("attendance-register", args=["130102001"]) + "?month=2026-11")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = table_rows(sheet)
    assert len(rows) == 2  # the township's two cadres, nobody else
    names = {row[2] for row in rows}
    assert '=HYPERLINK("x")' in names
    cell = next(c for c in sheet["C"] if c.value == '=HYPERLINK("x")')
    assert cell.data_type == "s"  # text, not a formula
    id_numbers = {row[4] for row in rows}
    assert all("********" in value for value in id_numbers)
    leader_row = next(row for row in rows if row[2] == "甲村书记")
    assert leader_row[5:8] == ("√", "√", "√")


def test_the_public_board_shows_names_and_whereabouts_and_no_personal_data(world: World, clock: Any) -> None:
    cadre = world.leaders["A"]
    _present(cadre, range(26, 27))
    page = Client().get(reverse("public-village", args=[world.village("A")])).content.decode()
    assert "甲村书记" in page and "在村" in page
    assert "未公示" in page  # the member posted nothing and did not sign in
    assert cadre.phone not in page
    assert cadre.id_number not in page and cadre.id_number[-4:] not in page
    assert "114.5" not in page and "38.0" not in page
    poster = Client().get(reverse("public-poster", args=[world.village("A")])).content.decode()
    assert 'src="data:image/svg+xml' in poster and "去向公示牌" in poster  # the QR code, as an image


def test_the_board_shows_leave_during_approved_leave(world: World, clock: Any) -> None:
    approved_leave(world.members["A"], dt.date(2026, 11, 25), dt.date(2026, 11, 27))
    page = Client().get(reverse("public-village", args=[world.village("A")])).content.decode()
    assert "请假" in page


def test_dashboard_query_count_does_not_grow_with_cadres(world: World, clock: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api_as(world.personas["township"])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/dashboards/attendance/?month=2026-11").status_code == 200
        return len(queries)

    count()  # warm: the caller's scope and the policy profile are cached after the first request
    small = count()
    team = world.teams["A"]
    start = dt.date(2025, 1, 1)
    from zhucun.testing.world import make_id_number

    extra = Cadre.objects.bulk_create(
        [
            Cadre(name=f"加{i}", gender="male", id_number=make_id_number(5000 + i), phone="13900000000",
                  unit=team.unit, team=team, role="member", term_start=start, term_end=dt.date(2027, 12, 31))
            for i in range(40)
        ]
    )  # fmt: skip
    for cadre in extra[:10]:
        _present(cadre, range(1, 20))
    approved_leave(extra[0], dt.date(2026, 11, 20), dt.date(2026, 11, 21))
    large = count()
    assert large == small, (small, large)
    assert small <= 6


def test_county_and_township_agree_on_who_can_no_longer_make_25_days_第五条(world: World, clock: Any) -> None:
    """On 26 November with 5 days left: 20 days before today can still make it only by signing in
    every remaining day; 19 cannot. A sign-in today must not change the verdict."""
    _present(world.leaders["A"], range(1, 21))  # 20 days before today
    _present(world.members["A"], range(1, 20))  # 19 days before today
    _present(world.leaders["A"], range(26, 27))  # and signed in today
    client = Client()
    client.force_login(world.personas["county"])
    county = client.get(reverse("attendance-dashboard")).context["children"]
    by_code = {row.region.code: row for row in county}
    assert by_code["130102001"].below_days == 1
    body = api_as(world.personas["township"]).get("/api/v1/dashboards/attendance/").json()
    cannot = [row["name"] for row in body["cadres"] if not row["can_still_meet"]]
    assert cannot == ["甲村队员"]


def _section(page: str, testid: str, end: str = "") -> str:
    """The markup of the element marked ``data-testid=testid`` up to ``end``, or the end of its table or
    block."""
    start = page.index(f'data-testid="{testid}"')
    ends = (page.find(end, start),) if end else (page.find("</table>", start), page.find("</div>", start))
    return page[start : min(i for i in ends if i != -1)]


def _roll_call_world(world: World) -> None:
    """26 November: 甲村's leader has not signed in and its member is on approved leave all day; 乙村's
    leader signed in outside the geofence and its member in the village."""
    approved_leave(world.members["A"], dt.date(2026, 11, 26), dt.date(2026, 11, 26))
    _present(world.members["B"], range(26, 27))
    SignIn.objects.create(
        cadre=world.leaders["B"], village_code=world.village("B"), date=dt.date(2026, 11, 26),
        client_id=uuid.uuid4(), status="outside_geofence", inside_geofence=False, distance_m=5600,
    )  # fmt: skip


def test_the_township_page_lists_who_has_not_signed_in_today_with_phones_to_call_第十九条(
    world: World, clock: Any
) -> None:
    _roll_call_world(world)
    client = Client()
    client.force_login(world.personas["township"])
    page = client.get(reverse("attendance-dashboard")).content.decode()
    missing = _section(page, "not-signed-in")
    leader = world.leaders["A"]
    assert "甲村书记" in missing and f'href="tel:{leader.phone}"' in missing and "未签到" in missing
    assert "甲村队员" not in missing  # approved leave all day is not "not signed in" (decision 0160)
    assert "甲村队员" in _section(page, "excused-today") and "全天已批准的请假" in _section(page, "excused-today")
    assert "乙村" not in page  # another township
    assert "今天还没签到" in _section(page, "heatmap-blank")  # the heat-map's blank cell is in its legend
    # Last month's heat-map: today's figures and list are still today's.
    earlier = client.get(reverse("attendance-dashboard") + "?month=2026-10").content.decode()
    assert "甲村书记" in _section(earlier, "not-signed-in")


def test_the_county_page_lists_its_cadres_not_signed_in_today_by_township_第十九条(world: World, clock: Any) -> None:
    _roll_call_world(world)
    client = Client()
    client.force_login(world.personas["county"])
    page = client.get(reverse("attendance-dashboard")).content.decode()
    missing = _section(page, "not-signed-in")
    assert "甲村书记" in missing and "甲一镇" in missing and f'href="tel:{world.leaders["A"].phone}"' in missing
    assert "乙村书记" in missing and "签到不在范围" in missing  # signed in, but not in the village
    assert "乙村队员" not in missing and "甲村队员" not in missing
    assert "甲村队员" in _section(page, "excused-today")


def test_the_township_home_says_how_many_signed_in_today(world: World, clock: Any) -> None:
    _roll_call_world(world)
    client = Client()
    client.force_login(world.personas["township"])
    card = _section(client.get(reverse("home")).content.decode(), "home-signed-in", end="</a>")
    assert "今日已签到" in card and '<span class="value">0</span><span class="unit">/ 2 人' in card


def test_the_county_exports_its_month_register_from_its_dashboard(world: World, clock: Any) -> None:
    _present(world.leaders["B"], range(1, 4))
    client = Client()
    client.force_login(world.personas["county"])
    page = client.get(reverse("attendance-dashboard") + "?month=2026-10").content.decode()
    form = re.search(r'<form [^>]*action="([^"]+)"[^>]*data-testid="county-register">(.*?)</form>', page, re.S)
    assert form is not None and form[1] == reverse("attendance-register", args=["130102"])
    assert 'name="month" value="2026-10"' in form[2]  # the month on screen, to change before exporting
    link = reverse("attendance-register", args=["130102"]) + "?month=2026-10"
    sheet = load_workbook(io.BytesIO(client.get(link).content)).active
    assert sheet is not None
    rows = table_rows(sheet)
    assert {(row[0], row[1]) for row in rows} == {("甲一镇", "甲村"), ("甲二镇", "乙村")}  # the county's, by township
    assert len(rows) == 4


def test_the_cadre_page_shows_the_month_the_day_findings_leave_and_the_phone(world: World, clock: Any) -> None:
    """Issue 15 item 13: from the dashboard (a name or a heat-map cell) to the cadre's month and day."""
    leader = world.leaders["A"]
    _present(leader, range(2, 25))
    Whereabouts.objects.create(cadre=leader, village_code=world.village("A"), date=dt.date(2026, 11, 24),
                               status="meeting", note="县里开会")  # fmt: skip
    WorkLog.objects.create(team=leader.team, village_code=world.village("A"), author=leader,
                           date=dt.date(2026, 11, 24), content="走访脱贫户张大爷")  # fmt: skip
    AbsenceFinding.objects.create(cadre=leader, village_code=world.village("A"), date=dt.date(2026, 11, 25),
                                  source="missing_signin")  # fmt: skip
    approved_leave(leader, dt.date(2026, 10, 12), dt.date(2026, 10, 13))
    client = Client()
    client.force_login(world.personas["township"])
    dashboard = client.get(reverse("attendance-dashboard"))
    url = reverse("attendance-cadre", args=[leader.pk])
    assert f'href="{url}?month=2026-11"' in dashboard.content.decode()  # the name in the month table
    assert dashboard.context["heatmap"]["urls"][0] == url and dashboard.context["heatmap"]["ym"] == "2026-11"

    page = client.get(url + "?day=2026-11-24").content.decode()
    calendar = _section(page, "cadre-calendar")
    assert 'data-day="2026-11-24"' in calendar and "zc-day-present zc-day-picked" in calendar
    assert calendar.count("zc-day-present") == 23 and calendar.count("zc-day-absent") == 2  # 1st and 25th
    assert "尚未签到" in calendar  # today, 26th, before a sign-in
    day = page[page.index('data-testid="cadre-day"') :]
    assert "外出开会" in day and "县里开会" in day and "走访脱贫户张大爷" in day and "正常" in day
    assert "未签到" in _section(page, "cadre-findings") and "待确认" in _section(page, "cadre-findings")
    assert "10月12日–10月13日" in _section(page, "cadre-leave") and "已批准" in _section(page, "cadre-leave")
    assert f'href="tel:{leader.phone}"' in page
    assert reverse("cadre-detail", args=[leader.pk]) in page  # the roster's page is one tap away
    # A cell of another month opens that month; a malformed day is a 400 page.
    october = client.get(url + "?day=2026-10-12").content.decode()
    assert "2026年10月" in october and "zc-day-leave zc-day-picked" in october
    assert client.get(url + "?day=2026-13-01").status_code == 400


def test_the_cadre_page_reads_as_many_queries_with_one_record_as_with_forty(world: World, clock: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    leader = world.leaders["A"]
    client = Client()
    client.force_login(world.personas["township"])
    url = reverse("attendance-cadre", args=[leader.pk]) + "?day=2026-11-20"

    def grow(days: range) -> int:
        for day in days:
            when = dt.date(2026, 1, 1) + dt.timedelta(days=day)
            approved_leave(leader, when, when)
            AbsenceFinding.objects.create(cadre=leader, village_code=world.village("A"), date=when, source="inspection")
        _present(leader, range(days.start + 1, days.stop + 1))
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    assert grow(range(0, 1)) == grow(range(1, 26))
