"""The duties API (API.md "Duties with deadlines"): the list in scope and its filters, and fulfilment —
only by the body itself, within the period, once; bad input is a Chinese 400 that writes nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from duties import services
from duties.models import Evidence, Obligation
from tests.conftest import api_as
from zhucun.models import AuditEvent
from zhucun.testing.world import World

pytestmark = pytest.mark.django_db

YEAR = 2025  # a past year: every period lies before today


@pytest.fixture
def generated(world: World) -> World:
    services.obligations_generate(year=YEAR)
    return world


def _o(world: World, duty: str, period: str, **body: object) -> Obligation:
    return Obligation.objects.get(duty=duty, period=period, **body)


def _fulfil(user: object, o: Obligation, **data: object):  # type: ignore[no-untyped-def]
    return api_as(user).post(reverse("api:duty-fulfil", args=[o.pk]), data, format="multipart")


def test_the_list_gives_the_contracts_fields_in_scope(generated: World) -> None:
    response = api_as(generated.personas["county"]).get(reverse("api:duty-list") + f"?year={YEAR}&page_size=200")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert {"id", "duty", "article", "body_type", "body", "period", "due", "status"} <= set(rows[0])
    # 甲县 sees its units, itself (org and county) and its townships; nothing of 丙县 or 丁县
    bodies = {(r["body_type"], r["body"]) for r in rows}
    assert ("unit", generated.units["A"].pk) in bodies and ("unit", generated.units["B"].pk) in bodies
    assert ("org", "130102") in bodies and ("county", "130102") in bodies and ("township", "130102002") in bodies
    assert ("unit", generated.units["C"].pk) not in bodies and ("org", "1301") not in bodies
    study = next(r for r in rows if r["duty"] == "unit_quarterly_study" and r["period"] == f"{YEAR}-Q1")
    assert (study["article"], study["due"]) == ("第九条2", f"{YEAR}-03-31")


def test_the_list_filters_by_body_type_body_and_status(generated: World) -> None:
    client = api_as(generated.personas["province"])
    unit = generated.units["C"].pk
    rows = client.get(reverse("api:duty-list") + f"?year={YEAR}&body_type=unit&body={unit}&page_size=200").json()
    assert {r["body"] for r in rows["results"]} == {unit} and rows["count"] == 12
    township = client.get(reverse("api:duty-list") + f"?year={YEAR}&body=130102001&status=open").json()
    assert township["count"] == 8 and {r["body_type"] for r in township["results"]} == {"township"}
    bad = client.get(reverse("api:duty-list") + "?year=20x6&status=late")
    assert bad.status_code == 400 and "year" in bad.json() and "status" in bad.json()


def test_the_unit_fulfils_its_own_obligation_第九条2(generated: World) -> None:
    o = _o(generated, "unit_quarterly_study", f"{YEAR}-Q2", unit=generated.units["A"])
    response = _fulfil(generated.personas["unit"], o, date=f"{YEAR}-05-20", note="党组会研究驻村帮扶工作")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "done" and response.json()["fulfilled_on"] == f"{YEAR}-05-20"
    o.refresh_from_db()
    assert o.fulfilled_by == generated.personas["unit"]
    assert AuditEvent.objects.filter(action="duties.fulfil", object_id=str(o.pk)).exists()


def test_others_in_scope_may_not_fulfil_a_units_duty_and_nothing_is_written(generated: World) -> None:
    o = _o(generated, "unit_quarterly_study", f"{YEAR}-Q2", unit=generated.units["A"])
    for persona in ("county", "city", "province"):
        response = _fulfil(generated.personas[persona], o, date=f"{YEAR}-05-20", note="代为登记")
        assert response.status_code == 403, persona
        assert "责任主体" in response.json()["detail"]
    for persona in ("township", "cadre"):
        assert _fulfil(generated.personas[persona], o, date=f"{YEAR}-05-20", note="x").status_code == 404
    o.refresh_from_db()
    assert o.status == "open" and not AuditEvent.objects.filter(action="duties.fulfil").exists()


def test_another_unit_gets_404(generated: World) -> None:
    o = _o(generated, "unit_quarterly_study", f"{YEAR}-Q2", unit=generated.units["B"])
    assert _fulfil(generated.personas["unit"], o, date=f"{YEAR}-05-20", note="x").status_code == 404


def test_the_county_department_fulfils_its_own_duties_and_the_county_its_meeting_第十三条4_第十四条2(
    generated: World,
) -> None:
    county = generated.personas["county"]
    training = _o(generated, "org_annual_training", str(YEAR), body_key="130102")
    meeting = _o(generated, "county_quarterly_meeting", f"{YEAR}-Q3", body_key="130102")
    assert _fulfil(county, training, date=f"{YEAR}-09-01", note="全县驻村干部轮训").status_code == 200
    assert _fulfil(county, meeting, date=f"{YEAR}-09-10", note="协调会议").status_code == 200
    # the city department's report is the city's, not the county's (第十三条5)
    city_report = _o(generated, "org_halfyear_report", f"{YEAR}-H1", body_key="1301")
    assert _fulfil(county, city_report, date=f"{YEAR}-07-01", note="x").status_code == 404  # above its scope
    assert _fulfil(generated.personas["city"], city_report, date=f"{YEAR}-07-01", note="报告").status_code == 200


def test_the_township_fulfils_its_first_secretary_meeting_第十五条3(generated: World) -> None:
    meeting = _o(generated, "township_first_secretary_meeting", f"{YEAR}-Q1", body_key="130102001")
    assert _fulfil(generated.personas["township"], meeting, date=f"{YEAR}-02-01", note="会议").status_code == 200
    other = _o(generated, "township_first_secretary_meeting", f"{YEAR}-Q1", body_key="130102002")
    assert _fulfil(generated.township_accounts["A"], other, date=f"{YEAR}-02-01", note="x").status_code == 404


@pytest.mark.parametrize(
    ("day", "fragment"),
    [(f"{YEAR}-07-01", "下一期"), (f"{YEAR}-03-31", "下一期"), ("2099-05-01", "不能晚于今天"), ("05/20", "YYYY-MM-DD")],
)
def test_a_date_outside_the_period_or_in_the_future_is_refused_in_chinese(
    generated: World, day: str, fragment: str
) -> None:
    o = _o(generated, "unit_quarterly_study", f"{YEAR}-Q2", unit=generated.units["A"])
    response = _fulfil(generated.personas["unit"], o, date=day, note="x")
    assert response.status_code == 400
    assert fragment in response.json()["date"][0]
    o.refresh_from_db()
    assert o.status == "open" and not Evidence.objects.exists()


def test_a_report_may_be_dated_up_to_its_due_date_after_the_half_year_第九条4(generated: World) -> None:
    report = _o(generated, "unit_annual_excellent_report", str(YEAR), unit=generated.units["A"])
    assert _fulfil(generated.personas["unit"], report, date=f"{YEAR + 1}-01-10", note="已报告").status_code == 200


def test_fulfilling_twice_is_409(generated: World) -> None:
    o = _o(generated, "unit_head_visit", f"{YEAR}-H1", unit=generated.units["A"])
    assert _fulfil(generated.personas["unit"], o, date=f"{YEAR}-04-01", note="调研指导").status_code == 200
    again = _fulfil(generated.personas["unit"], o, date=f"{YEAR}-04-02", note="再次")
    assert again.status_code == 409 and "不能重复登记" in again.json()["detail"]
    o.refresh_from_db()
    assert o.fulfilled_on == dt.date(YEAR, 4, 1) and o.note == "调研指导"


def _jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buffer, "JPEG")
    return SimpleUploadedFile("纪要.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_evidence_is_stored_cleaned_and_downloaded_audited(generated: World) -> None:
    o = _o(generated, "unit_pairing", str(YEAR), unit=generated.units["A"])
    response = _fulfil(generated.personas["unit"], o, date=f"{YEAR}-06-01", note="结对帮扶", evidence=[_jpeg()])
    assert response.status_code == 200, response.content
    item = Evidence.objects.get(obligation=o)
    assert item.kind == "image" and item.original_name == "纪要.jpg"
    client = Client()
    client.force_login(generated.personas["county"])
    download = client.get(response.json()["evidence"][0]["url"])
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in download["Content-Disposition"]
    assert AuditEvent.objects.filter(action="download.file", object_type="duties.evidence").exists()


def test_evidence_of_the_wrong_type_is_400_and_writes_nothing(generated: World) -> None:
    o = _o(generated, "unit_pairing", str(YEAR), unit=generated.units["A"])
    bad = SimpleUploadedFile("x.exe", b"MZ\x90\x00not an image", content_type="application/octet-stream")
    response = _fulfil(generated.personas["unit"], o, date=f"{YEAR}-06-01", note="x", evidence=[bad])
    assert response.status_code == 400 and "evidence" in response.json()
    o.refresh_from_db()
    assert o.status == "open" and not Evidence.objects.exists()
    assert not AuditEvent.objects.filter(action="duties.fulfil").exists()
