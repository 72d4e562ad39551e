"""第五条 每月驻村工作时间不少于25天, judged on the days a cadre was in post: a term that starts or ends
mid-month, or a recall, prorates the month (docs/decisions/0072). One rule (attendance/rules.py) read
by the API, the township page, the county page and the register."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from typing import Any

from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from attendance import rules
from attendance.models import SignIn
from cadres.models import Cadre
from tests.conftest import api_as
from zhucun.policy import HEBEI_2018
from zhucun.testing.world import World
from zhucun.testing.xlsx import table_rows


def _present(cadre: Cadre, days: list[dt.date]) -> None:
    SignIn.objects.bulk_create(
        [
            SignIn(cadre=cadre, village_code=cadre.team.village_id, date=day, client_id=uuid.uuid4(), status="ok",
                   inside_geofence=True, distance_m=50)
            for day in days
        ]
    )  # fmt: skip


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _starts_on(cadre: Cadre, day: dt.date) -> Cadre:
    cadre.term_start = day
    cadre.save(update_fields=["term_start"])
    return cadre


def test_the_required_days_are_prorated_to_the_days_in_post_第五条() -> None:
    # 12 days in post of October's 31: 25 × 12 / 31 = 9.68 → 10 days (不少于: rounded up).
    assert rules.required_days(minimum=25, days_in_post=12, days_in_period=31) == 10
    assert rules.required_days(minimum=25, days_in_post=31, days_in_period=31) == 25
    assert rules.required_days(minimum=25, days_in_post=0, days_in_period=30) == 0
    first, last = dt.date(2026, 10, 1), dt.date(2026, 10, 31)
    assert (
        rules.days_in_post(first=first, last=last, term_start=dt.date(2026, 10, 20), term_end=dt.date(2029, 1, 1)) == 12
    )
    assert (
        rules.days_in_post(first=first, last=last, term_start=dt.date(2026, 1, 1), term_end=dt.date(2026, 10, 10)) == 10
    )


def test_a_term_starting_on_the_20th_is_judged_on_its_days_in_post_第五条(world: World, clock: Any) -> None:
    """A cadre whose term starts on 20 October and who was in the village 10 of its 12 days meets the
    month (10 of a prorated 10), on the API, the township page and the register."""
    member = _starts_on(world.members["A"], dt.date(2026, 10, 20))
    _present(member, _days(dt.date(2026, 10, 20), dt.date(2026, 10, 29)))
    body = api_as(world.personas["township"]).get("/api/v1/dashboards/attendance/?month=2026-10").json()
    row = next(r for r in body["cadres"] if r["id"] == member.pk)
    assert (row["days_present"], row["meets_25_days"], row["can_still_meet"]) == (10, True, True)
    assert row["days_required"] == 10

    client = Client()
    client.force_login(world.personas["township"])
    page = client.get(reverse("attendance-dashboard-region", args=["130102001"]) + "?month=2026-10")
    verdicts = {r.cadre.pk: r.meets_25_days for r in page.context["rows"]}
    assert verdicts[member.pk] is True

    export = client.get(reverse("attendance-register", args=["130102001"]) + "?month=2026-10")
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    rows = {r[2]: r for r in table_rows(sheet)}
    assert rows["甲村队员"][-1] == "是"


def test_the_month_a_term_ends_is_prorated_第五条(world: World, clock: Any) -> None:
    member = world.members["A"]
    member.term_end = dt.date(2026, 11, 10)
    member.save(update_fields=["term_end"])
    _present(member, _days(dt.date(2026, 11, 1), dt.date(2026, 11, 9)))  # 9 of 10 days in post
    body = api_as(world.personas["township"]).get("/api/v1/dashboards/attendance/?month=2026-11").json()
    row = next(r for r in body["cadres"] if r["id"] == member.pk)
    assert (row["days_required"], row["meets_25_days"]) == (9, True)  # 25 × 10 / 30 = 8.3 → 9


def test_a_recall_ends_the_days_in_post_and_prorates_its_month_第五条(world: World, clock: Any) -> None:
    """第二十条: the recall decision ends the cadre's time in post that day; November is then judged on
    the 26 days served, and the register of November still lists the cadre."""
    from assessment import services as assessment_services
    from assessment.models import RecallCase

    member = world.members["A"]
    case = RecallCase.objects.create(
        cadre=member, unit=member.unit, village_code=member.team.village_id, trigger="other"
    )
    assessment_services.recall_case_consult(actor=world.personas["county"], case=case, opinion="同意召回")
    assessment_services.recall_case_decide(
        actor=world.personas["county"], case=case, decision="recalled", reason="核查属实"
    )
    member.refresh_from_db()
    assert (member.status, member.term_end) == ("recalled", dt.date(2026, 11, 26))
    _present(member, _days(dt.date(2026, 11, 1), dt.date(2026, 11, 22)))  # 22 days: short of 25, enough of 26
    client = Client()
    client.force_login(world.personas["township"])
    export = client.get(reverse("attendance-register", args=["130102001"]) + "?month=2026-11")
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    rows = {r[2]: r for r in table_rows(sheet)}
    assert rows["甲村队员"][-1] == "是"  # 25 × 26 / 30 = 21.7 → 22


def test_county_and_township_agree_on_a_cadre_who_started_mid_month_第五条(world: World, clock: Any) -> None:
    """On 26 November a cadre who started on the 20th with 6 days present can still make a prorated
    10 (11 days in post): the county's count of cadres behind does not include them."""
    member = _starts_on(world.members["A"], dt.date(2026, 11, 20))
    _present(member, _days(dt.date(2026, 11, 20), dt.date(2026, 11, 25)))
    _present(world.leaders["A"], _days(dt.date(2026, 11, 1), dt.date(2026, 11, 25)))
    client = Client()
    client.force_login(world.personas["county"])
    county = {row.region.code: row for row in client.get(reverse("attendance-dashboard")).context["children"]}
    assert county["130102001"].below_days == 0
    body = api_as(world.personas["township"]).get("/api/v1/dashboards/attendance/").json()
    assert all(row["can_still_meet"] for row in body["cadres"])


def test_the_rule_reads_its_minimum_from_the_profile() -> None:
    profile = HEBEI_2018.with_overrides({"min_days_in_village_per_month": 20})
    verdict = rules.minimum_days_verdict(
        profile=profile, month=dt.date(2026, 10, 1), today=dt.date(2026, 11, 26),
        term_start=dt.date(2025, 1, 1), term_end=dt.date(2028, 1, 1), counted=20, counted_today=False,
    )  # fmt: skip
    assert (verdict.required, verdict.meets) == (20, True)


def test_query_counts_do_not_grow_with_partial_months_and_official_business_第五条(world: World, clock: Any) -> None:
    """Cadres who started on 10 November (21 days in post: 18 required), were in the village 11 days
    and on a 5-day training the county required (第十三条4): 16 credited, 5 days left — they can still
    make it, and only with both readings (proration, official business). The verdicts are read for the
    whole region at once: 2 such cadres or 40, the same queries (docs/performance.md)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from leave.services import official_business_record
    from zhucun.testing.world import make_id_number

    def grow(count: int, offset: int) -> None:
        team = world.teams["A"]
        extra = Cadre.objects.bulk_create(
            [
                Cadre(name=f"新{offset + i}", gender="male", id_number=make_id_number(7000 + offset + i),
                      phone="13900000000", unit=team.unit, team=team, role="member",
                      term_start=dt.date(2026, 11, 10), term_end=dt.date(2028, 11, 9))
                for i in range(count)
            ]
        )  # fmt: skip
        for cadre in extra:
            _present(cadre, _days(dt.date(2026, 11, 10), dt.date(2026, 11, 20)))
            official_business_record(
                actor=world.personas["county"], cadre=cadre, kind="training", start=dt.date(2026, 11, 21),
                end=dt.date(2026, 11, 25), title="新任驻村干部培训",
            )  # fmt: skip

    def measure() -> tuple[tuple[int, int, int], int, set[bool]]:
        api, county, township = api_as(world.personas["township"]), Client(), Client()
        county.force_login(world.personas["county"])
        township.force_login(world.personas["township"])
        sizes = []
        for get in (
            lambda: api.get("/api/v1/dashboards/attendance/"),
            lambda: county.get(reverse("attendance-dashboard")),
            lambda: township.get(reverse("attendance-dashboard")),
        ):
            get()  # warm: scope and profile cached
            with CaptureQueriesContext(connection) as queries:
                response = get()
            sizes.append(len(queries))
        below = {
            row.region.code: row.below_days for row in county.get(reverse("attendance-dashboard")).context["children"]
        }
        verdicts = {
            r["can_still_meet"]
            for r in api.get("/api/v1/dashboards/attendance/").json()["cadres"]
            if r["name"].startswith("新")
        }
        assert response.status_code == 200
        return (sizes[0], sizes[1], sizes[2]), below["130102001"], verdicts

    grow(2, 0)
    small, below, verdicts = measure()
    assert (below, verdicts) == (2, {True})  # behind: only the world's two cadres, who never signed in
    grow(38, 100)
    large, below, verdicts = measure()
    assert (below, verdicts) == (2, {True})
    assert large == small, (small, large)
