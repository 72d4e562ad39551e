"""The pages: 我的待办 (overdue first), the compliance view and its audited export, the fulfil form,
the half-year report drafted by the system (第九条4, 第十三条5: filed → fulfilled, .docx, printable) and
the one step from an overdue obligation to an accountability record (第十七条)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from assessment.models import AccountabilityRecord
from attendance.models import SignIn
from duties import reports, services
from duties.models import Obligation, Report
from zhucun.models import AuditEvent
from zhucun.testing.world import World
from zhucun.testing.xlsx import table_rows

pytestmark = pytest.mark.django_db

YEAR = 2025


@pytest.fixture
def generated(world: World) -> World:
    services.obligations_generate(year=YEAR)
    services.obligations_update(today=dt.date(YEAR, 8, 1))
    return world


def _client(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.personas[persona])
    return client


def test_my_calendar_lists_the_bodys_own_obligations_overdue_first(generated: World) -> None:
    response = _client(generated, "unit").get(reverse("duties-mine") + f"?year={YEAR}")
    assert response.status_code == 200
    rows = response.context["rows"]
    assert {o.unit_id for o in rows} == {generated.units["A"].pk} and len(rows) == 12
    statuses = [o.status for o in rows]
    assert statuses == sorted(statuses, key=["overdue", "open", "done"].index)
    assert statuses[0] == "overdue" and "已逾期" in response.content.decode()
    # the county department's calendar: its own department duties and the county's (第十三条, 第十四条)
    county = _client(generated, "county").get(reverse("duties-mine") + f"?year={YEAR}").context["rows"]
    assert {(o.body_type, o.body_key) for o in county} == {("org", "130102"), ("county", "130102")}
    assert _client(generated, "cadre").get(reverse("duties-mine")).status_code == 403


def test_the_compliance_view_shows_units_and_lower_bodies_overdue_first_and_filters(generated: World) -> None:
    client = _client(generated, "city")
    response = client.get(reverse("duties-compliance") + f"?year={YEAR}&body_type=township")
    assert response.status_code == 200
    rows = list(response.context["object_list"])
    assert {o.body_key for o in rows} == {"130102001", "130102002", "130104001"}  # not 丁县's (another city)
    assert rows[0].status == "overdue"
    assert client.get(reverse("duties-compliance") + "?region=13x").status_code == 400
    assert _client(generated, "township").get(reverse("duties-compliance")).status_code == 403


def test_the_compliance_export_is_what_the_filters_show_and_is_audited(generated: World) -> None:
    response = _client(generated, "county").get(reverse("duties-compliance") + "?status=overdue&export=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = table_rows(sheet)
    assert values and all(row[6] == "已逾期" for row in values)
    assert len(values) == Obligation.objects.filter(status="overdue", region_code__startswith="130102").count()
    event = AuditEvent.objects.get(action="export.xlsx", object_type="duties.obligation")
    assert event.after is not None
    assert event.after["filters"] == {"status": "overdue"} and event.after["rows"] == len(values)


def test_the_fulfil_form_records_the_fulfilment_and_refuses_a_bad_date(generated: World) -> None:
    o = Obligation.objects.get(duty="unit_head_visit", period=f"{YEAR}-H2", unit=generated.units["A"])
    client = _client(generated, "unit")
    page = client.get(reverse("duties-detail", args=[o.pk]))
    assert page.status_code == 200 and 'data-testid="fulfil-form"' in page.content.decode()
    bad = client.post(reverse("duties-fulfil", args=[o.pk]), {"date": f"{YEAR}-06-30", "note": "调研"})
    assert bad.status_code == 400 and "下一期" in bad.content.decode()
    ok = client.post(reverse("duties-fulfil", args=[o.pk]), {"date": f"{YEAR}-07-20", "note": "到甲村调研指导"})
    assert ok.status_code == 302
    o.refresh_from_db()
    assert o.status == "done" and o.fulfilled_on == dt.date(YEAR, 7, 20)
    assert client.post(reverse("duties-fulfil", args=[o.pk]), {"date": f"{YEAR}-07-21", "note": "x"}).status_code == 409


# --- the written report (第九条4, 第十三条5) ------------------------------------------------------------


def _unit_report(world: World) -> Obligation:
    return Obligation.objects.get(duty="unit_halfyear_report", period=f"{YEAR}-H1", unit=world.units["A"])


def test_the_half_year_report_opens_prefilled_with_the_periods_facts_第九条4(generated: World) -> None:
    SignIn.objects.create(
        cadre=generated.leaders["A"], village_code=generated.village("A"), date=dt.date(YEAR, 3, 2), status="ok",
        inside_geofence=True, distance_m=10,
        latitude="38.0", longitude="114.5",
    )  # fmt: skip
    o = _unit_report(generated)
    response = _client(generated, "unit").get(reverse("duties-report", args=[o.pk]))
    assert response.status_code == 200
    facts = response.context["facts"]
    assert facts["cadres"] == 2 and facts["present_days"] == 1 and facts["recipient"] == "甲县委组织部"
    assert {row["name"] for row in facts["cadre_rows"]} == {"甲村书记", "甲村队员"}
    assert "甲县卫生健康局关于2025年上半年驻村帮扶工作情况的报告" in response.content.decode()
    # only the body drafts it
    assert _client(generated, "county").get(reverse("duties-report", args=[o.pk])).status_code == 403


def test_filing_the_report_fulfils_the_obligation_and_it_downloads_as_docx(generated: World) -> None:
    o = _unit_report(generated)
    client = _client(generated, "unit")
    empty = client.post(reverse("duties-report", args=[o.pk]), {"narrative": " ", "date": f"{YEAR}-07-05"})
    assert empty.status_code == 400 and not Report.objects.exists()
    filed = client.post(
        reverse("duties-report", args=[o.pk]),
        {"narrative": "上半年帮扶工作扎实。\n下半年继续。", "date": f"{YEAR}-07-05"},
    )
    assert filed.status_code == 302
    o.refresh_from_db()
    assert o.status == "done" and o.fulfilled_on == dt.date(YEAR, 7, 5)
    report = Report.objects.get(obligation=o)
    assert report.facts["cadres"] == 2 and report.narrative.startswith("上半年")
    # the level above reads and prints it, and downloads the .docx (audited)
    county = _client(generated, "county")
    page = county.get(reverse("duties-report", args=[o.pk]))
    assert page.status_code == 200 and "data-zc-print" in page.content.decode()
    docx = county.get(reverse("duties-report-docx", args=[o.pk]))
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "上半年帮扶工作扎实。" in text and "甲县委组织部：" in text and "2025年7月5日" in text
    assert AuditEvent.objects.filter(action="download.file", object_type="duties.report").exists()


def test_the_report_facts_take_the_same_queries_for_many_cadres(generated: World) -> None:
    o = Obligation.objects.get(duty="org_halfyear_report", period=f"{YEAR}-H1", body_key="1301")
    with CaptureQueriesContext(connection) as few:
        reports.facts_for(o, today=dt.date(YEAR, 8, 1))
    from tests.test_query_counts import _grow

    _grow(generated, 30, offset=100)
    with CaptureQueriesContext(connection) as many:
        facts = reports.facts_for(o, today=dt.date(YEAR, 8, 1))
    assert facts["cadres"] == 6 + 60
    assert len(many) == len(few)


def test_the_city_report_upward_goes_to_the_province_第十三条5(generated: World) -> None:
    o = Obligation.objects.get(duty="org_halfyear_report", period=f"{YEAR}-H1", body_key="1301")
    assert reports.facts_for(o, today=dt.date(YEAR, 8, 1))["recipient"] == "省委组织部"


# --- 第十七条 ----------------------------------------------------------------------------------------


def test_an_overdue_obligation_becomes_an_accountability_record_in_one_step_第十七条(generated: World) -> None:
    o = Obligation.objects.get(duty="unit_quarterly_study", period=f"{YEAR}-Q1", unit=generated.units["A"])
    assert o.status == "overdue"
    client = _client(generated, "county")
    form = client.get(reverse("duties-accountability", args=[o.pk]))
    assert form.status_code == 200
    prefill = form.context["prefill"]
    assert prefill["target_type"] == "unit" and "第九条2" in prefill["failed_duty"] and "2025-03-31" in prefill["facts"]
    response = client.post(
        reverse("duties-accountability", args=[o.pk]),
        {
            "measure": "reminder_talk",
            "decided_on": f"{YEAR}-08-02",
            **{k: prefill[k] for k in ("failed_duty", "facts")},
        },
    )
    assert response.status_code == 302
    record = AccountabilityRecord.objects.get()
    assert (record.unit, record.measure, record.duty_ref) == (
        generated.units["A"],
        "reminder_talk",
        f"duties.obligation:{o.pk}",
    )
    o.refresh_from_db()
    assert o.accountability == record
    assert AuditEvent.objects.filter(action="duties.accountability", object_id=str(o.pk)).exists()
    # once: a second is a conflict, nothing written
    again = client.post(
        reverse("duties-accountability", args=[o.pk]),
        {"measure": "inquiry", "decided_on": f"{YEAR}-08-02", "failed_duty": "x", "facts": "y"},
    )
    assert again.status_code == 302 and AccountabilityRecord.objects.count() == 1


def test_a_body_does_not_hold_itself_accountable_and_an_open_obligation_is_refused_第十七条(generated: World) -> None:
    own = Obligation.objects.get(duty="county_quarterly_meeting", period=f"{YEAR}-Q1", body_key="130102")
    assert own.status == "overdue"
    assert _client(generated, "county").get(reverse("duties-accountability", args=[own.pk])).status_code == 403
    # the city department, above the county, may: a person's record with the responsible named
    city = _client(generated, "city")
    prefill = city.get(reverse("duties-accountability", args=[own.pk])).context["prefill"]
    assert prefill["target_type"] == "person" and "甲县" in prefill["person_name"]
    open_one = Obligation.objects.get(duty="unit_quarterly_study", period=f"{YEAR}-Q4", unit=generated.units["A"])
    refused = city.post(
        reverse("duties-accountability", args=[open_one.pk]),
        {"measure": "inquiry", "decided_on": f"{YEAR}-08-02", "failed_duty": "x", "facts": "y"},
    )
    assert refused.status_code == 400 and not AccountabilityRecord.objects.exists()
