"""A visit is part of that day's work log (issue 14): the log shows it, the cadre never types it again."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import timezone

from attendance.models import WorkLog
from attendance.services import work_log_create
from households.models import Household, Visit
from households.services import visit_create
from tests.conftest import api_as
from zhucun.testing.world import World

FULL = {"education": True, "health": True, "housing": True}


def test_two_visits_of_a_day_share_one_log_and_the_api_shows_them(
    world: World, poor: Household, non_poor: Household
) -> None:
    cadre = world.personas["cadre"]
    today = timezone.localdate()
    visit_create(actor=cadre, household=poor, day=today, monthly_income="900", three_guarantees=FULL)
    visit_create(actor=cadre, household=non_poor, day=today, note="听取意见")
    assert WorkLog.objects.count() == 1
    logs = api_as(world.personas["township"]).get("/api/v1/work-logs/").json()["results"]
    assert [sorted(v["household_name"] for v in log["visits"]) for log in logs] == [["李常住", "王贫困"]]


def test_the_cadres_own_entry_of_the_day_fills_the_log_the_visits_started(world: World, poor: Household) -> None:
    cadre = world.personas["cadre"]
    today = timezone.localdate()
    visit = visit_create(actor=cadre, household=poor, day=today, monthly_income="0", three_guarantees=FULL)
    log = work_log_create(actor=cadre, day=today, content="上午入户，下午村两委会议")
    assert log.pk == visit.work_log_id
    assert WorkLog.objects.get().content == "上午入户，下午村两委会议"
    second = work_log_create(actor=cadre, day=today, content="晚上补记：整理档案")
    assert second.pk != log.pk  # a day's further entries stay entries of their own, as before


def test_a_visit_joins_a_log_already_written_that_day(world: World, non_poor: Household) -> None:
    cadre = world.personas["cadre"]
    today = timezone.localdate()
    log = work_log_create(actor=cadre, day=today, content="走访和调研")
    visit = visit_create(actor=cadre, household=non_poor, day=today)
    assert visit.work_log_id == log.pk
    assert WorkLog.objects.count() == 1


def test_an_earlier_days_visit_goes_to_that_days_log(world: World, non_poor: Household) -> None:
    cadre = world.personas["cadre"]
    earlier = timezone.localdate() - dt.timedelta(days=20)
    visit = visit_create(actor=cadre, household=non_poor, day=earlier)
    assert visit.work_log.date == earlier
    non_poor.refresh_from_db()
    assert non_poor.last_visit_on == earlier
    visit_create(actor=cadre, household=non_poor, day=earlier - dt.timedelta(days=5))
    non_poor.refresh_from_db()
    assert non_poor.last_visit_on == earlier  # a late entry of an older visit does not move it back


def test_the_township_work_log_page_and_the_cadres_day_show_the_visits(world: World, poor: Household) -> None:
    cadre = world.personas["cadre"]
    visit_create(actor=cadre, household=poor, day=timezone.localdate(), monthly_income="1", three_guarantees=FULL)
    township = Client()
    township.force_login(world.personas["township"])
    assert "入户走访 1 户：王贫困（贫困户）" in township.get("/attendance/work-logs/").content.decode()
    phone = Client()
    phone.force_login(cadre)
    assert "王贫困（贫困户）" in phone.get("/attendance/today/").content.decode()


def test_the_phone_form_records_a_visit_in_one_step_第六条7(world: World, poor: Household) -> None:
    phone = Client()
    phone.force_login(world.personas["cadre"])
    page = phone.get(f"/households/visit/?household={poor.pk}")
    assert page.status_code == 200
    assert f'value="{poor.pk}" selected' in page.content.decode()
    today = timezone.localdate().isoformat()
    missing = phone.post("/households/visit/", {"household": poor.pk, "date": today, "note": "", "education": "yes"})
    assert missing.status_code == 400
    assert "第六条7" in missing.content.decode()
    assert not Visit.objects.exists()
    done = phone.post(
        "/households/visit/",
        {"household": poor.pk, "date": today, "note": "看病报销已落实", "monthly_income": "1320",
         "education": "yes", "health": "yes", "housing": "no"},
    )  # fmt: skip
    assert done.status_code == 302
    visit = Visit.objects.get()
    assert (visit.education_ok, visit.health_ok, visit.housing_ok) == (True, True, False)


def test_the_phone_form_refuses_a_household_of_another_village(world: World) -> None:
    other = Household.objects.create(village_code=world.village("B"), head_name="乙村户", kind="non_poor")
    phone = Client()
    phone.force_login(world.personas["cadre"])
    response = phone.post("/households/visit/", {"household": other.pk, "date": timezone.localdate().isoformat()})
    assert response.status_code == 400
    assert "本村" in response.content.decode()
    assert not Visit.objects.exists()
