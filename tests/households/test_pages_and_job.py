"""The team, the township and the county see the households due and overdue with the visits' coverage
by month; a job flags overdue visits to the team leader (issue 14, 第六条7–8)."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from attendance.models import WorkLog
from households import rules, selectors
from households.models import Household, OverdueVisitFlag, Visit
from households.services import overdue_visits_flag, visit_create
from zhucun.jobs import SCHEDULED_JOBS
from zhucun.models import AuditEvent, Notification
from zhucun.testing.world import World
from zhucun.testing.xlsx import table_rows

FULL = {"education": True, "health": True, "housing": True}


def client_of(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _households(world: World) -> None:
    today = timezone.localdate()
    long_ago = rules.month_start(today, 3)
    Household.objects.bulk_create(
        [
            Household(village_code=world.village("A"), head_name="逾期贫困户", kind="poor", last_visit_on=long_ago,
                      registered_on=dt.date(2025, 1, 1)),
            Household(village_code=world.village("A"), head_name="本月已访户", kind="poor", last_visit_on=today),
            Household(village_code=world.village("B"), head_name="乙村未访户", kind="non_poor",
                      registered_on=dt.date(2025, 1, 1)),
        ]
    )  # fmt: skip


def test_the_county_sees_its_villages_due_and_overdue_and_the_list_overdue_first(world: World) -> None:
    _households(world)
    page = client_of(world.personas["county"]).get(f"/households/regions/{world.township('A')[:6]}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="overdue-count">2<' in html  # 逾期贫困户 and 乙村未访户
    table = html[html.index('data-testid="households-table"') :]
    assert table.index("逾期贫困户") < table.index("乙村未访户") or "乙村未访户" in table
    assert "本月已访户" not in table  # done: not on the due list


def test_the_township_sees_the_coverage_chart_from_json_script(world: World) -> None:
    _households(world)
    visit_create(actor=world.personas["cadre"], household=Household.objects.get(head_name="逾期贫困户"),
                 day=timezone.localdate(), monthly_income="10", three_guarantees=FULL)  # fmt: skip
    html = client_of(world.personas["township"]).get(f"/households/regions/{world.township('A')}/").content.decode()
    found = re.search(r'<script id="visits-coverage-data" type="application/json">(.*?)</script>', html)
    assert found is not None, html
    data = json.loads(found[1])
    assert data["months"][-1] == f"{timezone.localdate():%Y-%m}"
    assert data["poor"][-1] == 50.0  # one of the two poor households visited this month (the other has no visit row)
    assert "households-chart.js" in html and "onclick" not in html and " style=" not in html


def test_the_team_sees_its_village_and_can_record_from_the_list(world: World) -> None:
    _households(world)
    html = client_of(world.personas["cadre"]).get("/households/", follow=True).content.decode()
    assert "逾期贫困户" in html and "本月已访户" in html and "乙村未访户" not in html
    assert "/households/visit/?household=" in html


def test_the_city_sees_one_level_down_without_a_household_list(world: World) -> None:
    _households(world)
    html = client_of(world.personas["city"]).get("/households/regions/1301/").content.decode()
    assert 'data-testid="places-table"' in html and "甲县" in html
    assert 'data-testid="households-table"' not in html


def test_the_due_export_is_audited_and_lists_what_the_page_lists(world: World) -> None:
    _households(world)
    response = client_of(world.personas["township"]).get(f"/households/regions/{world.township('A')}/?export=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    heads = [row[2] for row in table_rows(sheet)]
    assert heads == ["逾期贫困户"]
    assert AuditEvent.objects.filter(action="export.xlsx", object_type="households.household").exists()


def test_a_bad_status_filter_is_a_400(world: World) -> None:
    assert client_of(world.personas["township"]).get("/households/regions/130102001/?status=x").status_code == 400


def test_the_township_registers_a_household_on_the_page(world: World) -> None:
    client = client_of(world.personas["township"])
    response = client.post(
        f"/households/regions/{world.village('A')}/new/",
        {"head_name": "新户", "kind": "non_poor", "resident": "no", "phone": ""},
    )
    assert response.status_code == 302
    assert Household.objects.get(head_name="新户").resident is False
    again = client.post(
        f"/households/regions/{world.village('A')}/new/", {"head_name": "新户", "kind": "poor", "resident": "yes"}
    )
    assert again.status_code == 400 and "门牌号" in again.content.decode()


def test_the_overdue_job_tells_each_team_leader_once_a_month_第六条7_8(world: World) -> None:
    _households(world)
    today = timezone.localdate()
    assert overdue_visits_flag(today=today) == 2  # 甲村 and 乙村
    notes = Notification.objects.filter(recipient=world.personas["cadre"])
    assert [note.title for note in notes] == ["本村有 1 户的入户走访已逾期"]
    assert "第六条7" in notes[0].body
    assert AuditEvent.objects.filter(action="households.overdue_flag").count() == 2
    assert overdue_visits_flag(today=today) == 0  # idempotent: once a month per village
    assert Notification.objects.count() == 1  # 乙村's leader has no account: flagged, nobody to tell
    assert OverdueVisitFlag.objects.count() == 2


def test_the_job_is_scheduled_before_the_outbox_drain() -> None:
    names = [name for name, _ in SCHEDULED_JOBS]
    assert names.index("households.flag_overdue_visits") < names.index("zhucun.drain_outbox") == len(names) - 1


def test_the_job_makes_no_query_per_village(world: World) -> None:
    _households(world)
    today = timezone.localdate()

    def count() -> int:
        OverdueVisitFlag.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            overdue_visits_flag(today=today)
        return len(queries)

    count()  # warm
    few = count()
    Household.objects.bulk_create(
        [
            Household(village_code=f"130102001{i:03d}", head_name="户", kind="poor", registered_on=dt.date(2025, 1, 1))
            for i in range(100, 160)
        ]
    )
    assert count() == few


def test_coverage_counts_each_household_once_a_month(world: World) -> None:
    household = Household.objects.create(
        village_code=world.village("A"), head_name="多次走访户", kind="poor", registered_on=dt.date(2025, 1, 1)
    )
    today = timezone.localdate()
    cadre, member = world.leaders["A"], world.members["A"]
    log = WorkLog.objects.create(team=cadre.team, village_code=household.village_code, author=cadre, date=today)
    for who in (cadre, member):
        Visit.objects.create(household=household, village_code=household.village_code, cadre=who, work_log=log,
                             date=today, household_kind="poor")  # fmt: skip
    coverage = selectors.coverage_by_month(user=world.personas["county"], prefix="130102", today=today)
    assert coverage.poor[-1] == 100.0  # two visits, one household
    assert coverage.non_poor[-1] is None  # no resident non-poor household: no share, not 0 %
