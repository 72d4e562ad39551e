"""Training (issue 14; 第十三条4 每年至少对驻村干部轮训1次，县级对各级驻村干部统筹轮训; 第十五条3): events
with the cadres who attended, the days recorded as official business the attendance rules read, and
each department's cadres not yet trained this year."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.services import account_create
from assessment.models import KeyTrainingEntry
from attendance import jobs
from attendance.models import AbsenceFinding
from cadres.models import Cadre, Unit
from leave.models import OfficialBusiness
from tests.conftest import api_as
from training import selectors, services
from training.models import TrainingAttendance, TrainingEvent
from zhucun.models import AuditEvent
from zhucun.testing.world import PASSWORD, World, make_id_number

DAY = dt.date(2026, 11, 25)


def _event(world: World, persona: str = "county", kind: str = "rotation", day: dt.date = DAY) -> TrainingEvent:
    return services.event_create(
        actor=world.personas[persona], title="全县驻村干部轮训班", kind=kind, start=day, end=day, place="县委党校",
        today=dt.date(2026, 11, 1),
    )  # fmt: skip


def test_the_county_trains_cadres_of_every_level_in_the_county_统筹轮训_第十三条4(world: World) -> None:
    event = _event(world)
    assert event.organizer_name == "甲县委组织部"
    cadres = [world.leaders["A"], world.members["A"], world.members["B"]]  # two townships of 甲县
    result = services.event_enrol(actor=world.personas["county"], event=event, cadres=cadres)
    assert result.as_dict() == {"enrolled": 3, "already": 0}
    business = OfficialBusiness.objects.filter(source="training_event", source_ref=f"training_event:{event.pk}")
    assert sorted(business.values_list("cadre_id", flat=True)) == sorted(c.pk for c in cadres)
    assert {b.kind for b in business} == {"training"}
    assert TrainingAttendance.objects.filter(event=event, business__isnull=False).count() == 3
    assert AuditEvent.objects.filter(action="training.enrol").count() == 3
    again = services.event_enrol(actor=world.personas["county"], event=event, cadres=cadres)
    assert again.as_dict() == {"enrolled": 0, "already": 3}
    assert OfficialBusiness.objects.count() == 3


def test_training_days_excuse_the_absence_the_attendance_rules_would_find_第十三条4(world: World) -> None:
    event = _event(world)
    services.event_enrol(actor=world.personas["county"], event=event, cadres=[world.members["A"]])
    jobs.absence_findings_for_day(county_code="130102001", day=DAY)
    assert not AbsenceFinding.objects.filter(cadre=world.members["A"]).exists()
    assert AbsenceFinding.objects.filter(cadre=world.leaders["A"]).exists()  # not at the training


def test_a_city_department_trains_only_its_own_levels_cadres_第十二条(world: World) -> None:
    event = _event(world, persona="city")
    with pytest.raises(PermissionDenied) as refused:
        services.event_enrol(actor=world.personas["city"], event=event, cadres=[world.members["A"]])
    assert "甲村队员" in str(refused.value)
    city_unit = Unit.objects.create(name="石家庄市农业农村局", level="city", region_id="1301")
    start = dt.date(2025, 3, 1)
    city_cadre = Cadre.objects.create(
        name="市派队员", gender="male", id_number=make_id_number(900), phone="13900009000", unit=city_unit,
        team=world.teams["C"], role="member", term_start=start, term_end=dt.date(2028, 2, 29),
    )  # fmt: skip
    assert services.event_enrol(actor=world.personas["city"], event=event, cadres=[city_cadre]).enrolled == 1
    assert not OfficialBusiness.objects.filter(cadre=world.members["A"]).exists()


def test_only_the_organizer_enrols(world: World) -> None:
    event = _event(world)
    with pytest.raises(PermissionDenied):
        services.event_enrol(actor=world.personas["township"], event=event, cadres=[world.members["A"]])
    assert not TrainingAttendance.objects.exists()


def test_a_township_holds_its_township_training_for_its_cadres_第十五条3(world: World) -> None:
    township = world.personas["township"]
    client = api_as(township)
    body = {
        "title": "第一书记工作会暨培训",
        "kind": "rotation",
        "start": "2026-11-20",
        "end": "2026-11-20",
        "place": "镇政府",
    }
    refused = client.post("/api/v1/training-events/", body, format="json")
    assert refused.status_code == 400 and "乡镇培训" in refused.json()["kind"][0]
    created = client.post("/api/v1/training-events/", {**body, "kind": "township"}, format="json")
    assert created.status_code == 201, created.content
    event_id = created.json()["id"]
    out = client.post(f"/api/v1/training-events/{event_id}/enrol/", {"cadres": [world.members["B"].pk]}, format="json")
    assert out.status_code == 400  # 乙村 is another township's: not even in scope
    ok = client.post(f"/api/v1/training-events/{event_id}/enrol/", {"cadres": [world.members["A"].pk]}, format="json")
    assert ok.status_code == 200 and ok.json() == {"enrolled": 1, "already": 0}
    detail = api_as(world.personas["cadre"]).get(f"/api/v1/training-events/{event_id}/")
    assert detail.status_code == 404  # the leader did not attend: their scope does not hold it


def test_bad_events_are_refused_in_chinese_and_write_nothing(world: World) -> None:
    client = api_as(world.personas["county"])
    base = {"title": "轮训", "kind": "rotation", "start": "2026-11-20", "end": "2026-11-22", "place": "党校"}
    for body, field in (
        ({**base, "end": "2026-11-19"}, "end"),
        ({**base, "end": "2027-03-01"}, "end"),
        ({**base, "start": "9999-01-01"}, "start"),
        ({**base, "title": ""}, "title"),
        ({**base, "kind": "party"}, "kind"),
    ):
        response = client.post("/api/v1/training-events/", body, format="json")
        assert response.status_code == 400, (body, response.content)
        assert field in response.json()
    assert not TrainingEvent.objects.exists()


def test_the_cadres_not_yet_trained_this_year_are_listed_for_their_department_第十三条4(world: World) -> None:
    event = _event(world)
    services.event_enrol(actor=world.personas["county"], event=event, cadres=[world.leaders["A"], world.members["A"]])
    county = selectors.untrained(user=world.personas["county"], year=2026)
    assert sorted(c.name for c in county) == ["乙村书记", "乙村队员"]
    assert list(selectors.untrained(user=world.personas["county"], year=2027)) != []
    # the city answers for city-dispatched cadres only (none in this world); the county for all levels
    assert list(selectors.untrained(user=world.personas["city"], year=2026)) == []
    observation = _event(world, kind="observation")
    services.event_enrol(actor=world.personas["county"], event=observation, cadres=[world.leaders["B"]])
    assert "乙村书记" in [c.name for c in selectors.untrained(user=world.personas["county"], year=2026)]


def test_the_untrained_page_and_its_export(world: World) -> None:
    browser = Client()
    browser.force_login(world.personas["county"])
    page = browser.get("/training/untrained/?year=2026")
    assert page.status_code == 200 and "乙村队员" in page.content.decode()
    export = browser.get("/training/untrained/?year=2026&export=xlsx")
    assert export.status_code == 200
    assert AuditEvent.objects.filter(action="export.xlsx", object_type="cadres.cadre").exists()
    assert browser.get("/training/untrained/?year=²").status_code == 400


def test_enrolling_makes_no_query_per_cadre(world: World) -> None:
    county = world.personas["county"]
    few_event, many_event = _event(world), _event(world, day=DAY - dt.timedelta(days=1))
    team = world.teams["A"]
    extra = Cadre.objects.bulk_create(
        [
            Cadre(name=f"队员{i}", gender="male", id_number=make_id_number(2000 + i), phone="13900000000",
                  unit=world.units["A"], team=team, role="member", term_start=dt.date(2025, 3, 1),
                  term_end=dt.date(2028, 2, 29))
            for i in range(40)
        ]
    )  # fmt: skip
    with CaptureQueriesContext(connection) as few:
        services.event_enrol(actor=county, event=few_event, cadres=[world.members["A"]])
    many_cadres = list(Cadre.objects.filter(pk__in=[c.pk for c in extra]))
    with CaptureQueriesContext(connection) as many:
        services.event_enrol(actor=county, event=many_event, cadres=many_cadres)
    assert len(many) - len(few) <= 4, (len(few), len(many))  # SQLite's smaller insert batches


def test_the_key_training_ledger_links_to_the_cadres_training_第二十三条(world: World) -> None:
    cadre = world.leaders["A"]
    KeyTrainingEntry.objects.create(cadre=cadre, village_code=cadre.team.village_id, year=2026, reason="实绩突出")
    event = _event(world)
    services.event_enrol(actor=world.personas["county"], event=event, cadres=[cadre])
    browser = Client()
    browser.force_login(world.personas["county"])
    ledger = browser.get("/assessment/key-training/").content.decode()
    assert f"/training/?cadre={cadre.pk}" in ledger
    trainings = browser.get(f"/training/?cadre={cadre.pk}").content.decode()
    assert "全县驻村干部轮训班" in trainings


def test_a_unit_sees_the_trainings_of_its_cadres_and_a_cadre_their_own(world: World) -> None:
    event = _event(world)
    services.event_enrol(actor=world.personas["county"], event=event, cadres=[world.members["A"]])
    unit = api_as(world.personas["unit"]).get("/api/v1/training-events/").json()
    assert [row["id"] for row in unit["results"]] == [event.pk]
    member = account_create(
        actor=None, username="m_a", password=PASSWORD, role="cadre", scope=str(world.members["A"].pk)
    )
    mine = api_as(member).get(f"/api/v1/training-events/{event.pk}/").json()
    assert [row["cadre_name"] for row in mine["attendees"]] == ["甲村队员"]
