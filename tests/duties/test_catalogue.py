"""The duty catalogue (duties/catalogue.py): each duty's article, its periods from the policy profile and
its due dates; the generation job (idempotent, bulk) over the test world's bodies."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from duties import catalogue, services
from duties.catalogue import CATALOGUE
from duties.models import Obligation
from tests.duties.helpers import EXPECTED_2026, more_bodies
from zhucun.models import AuditEvent, PolicyProfileVersion
from zhucun.policy import HEBEI_2018, PolicyProfile
from zhucun.testing.world import World

pytestmark = pytest.mark.django_db


def _dues(key: str, year: int = 2026, profile: PolicyProfile = HEBEI_2018) -> list[dt.date]:
    duty = CATALOGUE[key]
    return [catalogue.due_date(duty, p, profile) for p in catalogue.periods(duty, year, profile)]


def test_api_duties_cite_their_articles() -> None:
    expected = {
        "unit_quarterly_study": "第九条2",
        "unit_halfyear_report": "第九条4",
        "unit_annual_excellent_report": "第九条5",
        "unit_head_visit": "第十条",
        "org_halfyear_report": "第十三条5",
        "org_annual_training": "第十三条4",
        "org_annual_conference": "第十三条7",
        "county_quarterly_meeting": "第十四条2",
        "unit_support_plan": "第九条1",
        "unit_pairing": "第九条3",
        "unit_benefits": "第九条6",
        "county_evaluation_opinions": "第十四条3",
        "township_first_secretary_meeting": "第十五条3",
        "township_log_check": "第十五条5",
    }
    assert {key: CATALOGUE[key].article for key in expected} == expected


def test_unit_party_group_study_is_due_at_each_quarters_end_第九条2() -> None:
    assert _dues("unit_quarterly_study") == [
        dt.date(2026, 3, 31), dt.date(2026, 6, 30), dt.date(2026, 9, 30), dt.date(2026, 12, 31)
    ]  # fmt: skip


def test_unit_written_report_twice_a_year_due_after_the_half_year_it_reports_on_第九条4() -> None:
    # the report is on the half year: due the profile's 15 days after it ends (decision 0110)
    assert _dues("unit_halfyear_report") == [dt.date(2026, 7, 15), dt.date(2027, 1, 15)]


def test_excellent_cadres_report_once_a_year_第九条5() -> None:
    assert _dues("unit_annual_excellent_report") == [dt.date(2027, 1, 15)]


def test_unit_heads_visit_every_half_year_第十条() -> None:
    assert _dues("unit_head_visit") == [dt.date(2026, 6, 30), dt.date(2026, 12, 31)]


def test_unit_support_plan_due_on_the_profiles_day_第九条1() -> None:
    assert _dues("unit_support_plan") == [dt.date(2026, 3, 31)]
    later = HEBEI_2018.with_overrides({"duty_unit_plan_due": "04-30"})
    assert _dues("unit_support_plan", profile=later) == [dt.date(2026, 4, 30)]


def test_org_training_and_conference_once_a_year_第十三条4_第十三条7() -> None:
    assert _dues("org_annual_training") == [dt.date(2026, 12, 31)]
    assert _dues("org_annual_conference") == [dt.date(2026, 12, 31)]


def test_only_city_and_county_departments_report_upward_第十三条5() -> None:
    duty = CATALOGUE["org_halfyear_report"]
    assert [catalogue.applies_to_org_level(duty, level) for level in ("province", "city", "county")] == [
        False, True, True
    ]  # fmt: skip


def test_county_coordination_meeting_every_quarter_第十四条2() -> None:
    assert len(_dues("county_quarterly_meeting")) == 4


def test_township_meeting_frequency_comes_from_the_profile_第十五条3() -> None:
    assert len(_dues("township_first_secretary_meeting")) == 4
    monthly = HEBEI_2018.with_overrides({"duty_township_meeting_per_year": 12})
    dues = _dues("township_first_secretary_meeting", profile=monthly)
    assert len(dues) == 12 and dues[1] == dt.date(2026, 2, 28)
    # a number that does not divide the year is read as the next one that does; 0 switches it off
    assert len(_dues("township_first_secretary_meeting", profile=HEBEI_2018.with_overrides(
        {"duty_township_meeting_per_year": 5}))) == 6  # fmt: skip
    off = HEBEI_2018.with_overrides({"duty_township_meeting_per_year": 0})
    assert _dues("township_first_secretary_meeting", profile=off) == []


def test_period_labels_name_quarters_and_halves() -> None:
    quarters = catalogue.periods(CATALOGUE["county_quarterly_meeting"], 2026, HEBEI_2018)
    assert [(p.code, p.label) for p in quarters[:2]] == [("2026-Q1", "2026年第一季度"), ("2026-Q2", "2026年第二季度")]
    halves = catalogue.periods(CATALOGUE["unit_head_visit"], 2026, HEBEI_2018)
    assert [p.label for p in halves] == ["2026年上半年", "2026年下半年"]


def test_level_above_hears_of_an_overdue_obligation() -> None:
    def above(body_type: str, code: str) -> tuple[str, str] | None:
        return catalogue.level_above(Obligation(body_type=body_type, region_code=code))

    assert above("unit", "130102") == ("county_org", "130102")  # the unit's department (第十二条)
    assert above("unit", "13") == ("province_org", "13")
    assert above("township", "130102001") == ("county_org", "130102")
    assert above("county", "130102") == ("city_org", "1301")
    assert above("org", "130102") == ("city_org", "1301")
    assert above("org", "1301") == ("province_org", "13")
    assert above("org", "13") is None


# --- the generation job ----------------------------------------------------------------------------


def test_every_body_gets_its_obligations_for_the_year(world: World) -> None:
    assert services.obligations_generate(year=2026) == EXPECTED_2026
    unit_a = world.units["A"]
    studies = Obligation.objects.filter(duty="unit_quarterly_study", unit=unit_a).order_by("due")
    assert [o.period for o in studies] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert {o.region_code for o in studies} == {"130102"}  # the county unit's department region
    assert set(Obligation.objects.filter(duty="org_halfyear_report").values_list("body_key", flat=True)) == {
        "1301", "1302", "130102", "130104", "130202"
    }  # fmt: skip
    assert Obligation.objects.filter(duty="org_annual_conference", body_key="13").count() == 1
    assert Obligation.objects.get(duty="org_annual_training", body_key="130102").body_name == "甲县委组织部"
    assert set(Obligation.objects.filter(duty="township_log_check").values_list("body_key", flat=True)) == {
        "130102001", "130102002", "130104001", "130202001"
    }  # fmt: skip
    assert AuditEvent.objects.filter(action="duties.generate").count() == EXPECTED_2026


def test_generation_is_idempotent(world: World) -> None:
    services.obligations_generate(year=2026)
    done = Obligation.objects.filter(duty="unit_quarterly_study").first()
    assert done is not None
    Obligation.objects.filter(pk=done.pk).update(status="done", fulfilled_on=dt.date(2026, 3, 20), note="开过了")
    assert services.obligations_generate(year=2026) == 0
    assert Obligation.objects.count() == EXPECTED_2026
    assert Obligation.objects.get(pk=done.pk).note == "开过了"


def test_generation_is_bulk_its_queries_do_not_grow_with_bodies(world: World) -> None:
    with CaptureQueriesContext(connection) as small:
        services.obligations_generate(year=2026)
    more_bodies(40)
    with CaptureQueriesContext(connection) as large:
        created = services.obligations_generate(year=2027)
    assert created == EXPECTED_2026 + 40 * (12 + 8)

    def reads(queries: CaptureQueriesContext) -> int:
        return sum(1 for q in queries.captured_queries if not q["sql"].lstrip().upper().startswith("INSERT"))

    # reads do not grow with the bodies; writes are batched (SQLite's variable limit makes batches
    # of a few dozen rows, PostgreSQL's of 2,000), never one per body
    assert reads(large) == reads(small)
    assert len(large) - reads(large) <= created / 20


def test_a_year_follows_the_profile_in_force_on_its_first_day_第十五条3(world: World) -> None:
    PolicyProfileVersion.objects.create(
        name="每月召开", effective_from=dt.date(2027, 1, 1), overrides={"duty_township_meeting_per_year": 12}
    )
    services.obligations_generate(year=2026)
    services.obligations_generate(year=2027)
    meetings = Obligation.objects.filter(duty="township_first_secretary_meeting", body_key="130102001")
    assert meetings.filter(year=2026).count() == 4
    assert meetings.filter(year=2027).count() == 12


def test_no_cadre_serving_no_obligations(world: World) -> None:
    # the world's cadres serve from 2025-03-01 for three years: nobody in 2030
    assert services.obligations_generate(year=2030) == 0
