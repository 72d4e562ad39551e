"""API.md "Households and visits": registration by the township or the county, the due list, and
visits by the team's cadres — bad input a Chinese 400, another village 403/404, nothing written."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.services import account_create
from attendance.models import WorkLog
from households.models import Household, Visit
from tests.conftest import api_as
from zhucun.models import AuditEvent
from zhucun.testing.world import PASSWORD, World

FULL = {"education": True, "health": True, "housing": False}


def test_the_township_registers_a_household_and_it_is_due_at_once_第六条7(world: World) -> None:
    response = api_as(world.personas["township"]).post(
        "/api/v1/households/",
        {
            "village": world.village("A"),
            "head_name": "张大山",
            "kind": "poor",
            "resident": True,
            "phone": "13800138000",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["village"] == world.village("A") and body["village_name"] == "甲村"
    assert body["due"] is True and body["overdue"] is False  # the month of registration is a grace
    household = Household.objects.get(pk=body["id"])
    assert household.registered_on == timezone.localdate()
    assert AuditEvent.objects.filter(action="household.register", object_id=str(household.pk)).exists()


def test_the_county_registers_too_but_the_city_may_not(world: World) -> None:
    body = {"village": world.village("B"), "head_name": "刘", "kind": "non_poor", "resident": False}
    assert api_as(world.personas["county"]).post("/api/v1/households/", body, format="json").status_code == 201
    refused = api_as(world.personas["city"]).post("/api/v1/households/", {**body, "head_name": "陈"}, format="json")
    assert refused.status_code == 403
    assert not Household.objects.filter(head_name="陈").exists()


def test_a_village_out_of_scope_is_404_and_nothing_is_written(world: World) -> None:
    body = {"village": world.village("B"), "head_name": "周", "kind": "poor", "resident": True}
    assert api_as(world.personas["township"]).post("/api/v1/households/", body, format="json").status_code == 404
    assert not Household.objects.exists()


def test_bad_registrations_are_refused_in_chinese(world: World) -> None:
    client = api_as(world.personas["township"])
    village = world.village("A")
    bad = [
        ({"village": "1301", "head_name": "甲", "kind": "poor", "resident": True}, "village"),
        ({"village": village, "head_name": "", "kind": "poor", "resident": True}, "head_name"),
        ({"village": village, "head_name": "甲", "kind": "rich", "resident": True}, "kind"),
        ({"village": village, "head_name": "甲", "kind": "poor", "resident": "maybe"}, "resident"),
        ({"village": village, "head_name": "甲", "kind": "poor", "resident": True, "phone": "abc"}, "phone"),
        ({"village": village, "head_name": "甲\u200b", "kind": "poor", "resident": True}, "head_name"),
    ]
    for body, field in bad:
        response = client.post("/api/v1/households/", body, format="json")
        assert response.status_code == 400, (body, response.content)
        assert field in response.json(), response.json()
    assert not Household.objects.exists()


def test_a_second_household_with_the_same_head_needs_a_house_number(world: World) -> None:
    client = api_as(world.personas["township"])
    body = {"village": world.village("A"), "head_name": "王强", "kind": "poor", "resident": True}
    assert client.post("/api/v1/households/", body, format="json").status_code == 201
    again = client.post("/api/v1/households/", body, format="json")
    assert again.status_code == 400 and "门牌号" in again.json()["head_name"][0]
    numbered = client.post("/api/v1/households/", {**body, "house_number": "东街3号"}, format="json")
    assert numbered.status_code == 201
    assert Household.objects.filter(head_name="王强").count() == 2


def test_the_due_list_of_a_village_第六条7_8(world: World) -> None:
    today = timezone.localdate()
    village = world.village("A")
    first = today.replace(day=1)
    last_month = (first - dt.timedelta(days=1)).replace(day=1)
    Household.objects.bulk_create(
        [
            Household(village_code=village, head_name="本月已访贫困户", kind="poor", last_visit_on=first),
            Household(village_code=village, head_name="上月访过贫困户", kind="poor", last_visit_on=last_month),
            Household(village_code=village, head_name="上月访过非贫困户", kind="non_poor", last_visit_on=last_month),
            Household(village_code=village, head_name="未访常住户", kind="non_poor", resident=True),
            Household(village_code=village, head_name="外出户", kind="non_poor", resident=False),
            Household(village_code=world.village("B"), head_name="乙村贫困户", kind="poor"),
        ]
    )
    client = api_as(world.personas["cadre"])
    response = client.get(f"/api/v1/households/?village={village}&due=true")
    assert response.status_code == 200
    assert sorted(row["head_name"] for row in response.json()["results"]) == ["上月访过贫困户", "未访常住户"]
    everyone = client.get(f"/api/v1/households/?village={village}").json()
    assert everyone["count"] == 5  # the team sees its village only
    assert client.get("/api/v1/households/?village=abc").status_code == 400
    assert client.get("/api/v1/households/?due=perhaps").status_code == 400
    other = client.get(f"/api/v1/households/?village={world.village('B')}&due=true").json()
    assert other["count"] == 0  # another village lists nothing


def test_a_cadre_of_the_team_records_a_visit_that_joins_the_days_work_log_第六条7(
    world: World, poor: Household
) -> None:
    today = timezone.localdate()
    response = api_as(world.personas["cadre"]).post(
        "/api/v1/visits/",
        {"household": poor.pk, "date": today.isoformat(), "note": "了解就医情况", "monthly_income": "1850.50",
         "three_guarantees": FULL},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["monthly_income"] == "1850.50"
    assert body["three_guarantees"] == FULL
    visit = Visit.objects.get(pk=body["id"])
    assert visit.work_log.author == world.leaders["A"] and visit.work_log.date == today
    poor.refresh_from_db()
    assert poor.last_visit_on == today
    assert AuditEvent.objects.filter(action="visit.create", object_id=str(visit.pk)).exists()
    due = api_as(world.personas["township"]).get(f"/api/v1/households/?village={poor.village_code}&due=true")
    assert poor.pk not in [row["id"] for row in due.json()["results"]]


def test_a_poor_households_visit_without_income_or_three_guarantees_is_400_第六条7(
    world: World, poor: Household
) -> None:
    client = api_as(world.personas["cadre"])
    today = timezone.localdate().isoformat()
    response = client.post("/api/v1/visits/", {"household": poor.pk, "date": today, "note": "看看"}, format="json")
    assert response.status_code == 400
    assert "第六条7" in response.json()["monthly_income"][0]
    assert "三保障" in response.json()["three_guarantees"][0]
    assert not Visit.objects.exists() and not WorkLog.objects.exists()
    poor.refresh_from_db()
    assert poor.last_visit_on is None


def test_a_non_poor_households_visit_needs_only_the_date(world: World, non_poor: Household) -> None:
    response = api_as(world.personas["cadre"]).post(
        "/api/v1/visits/", {"household": non_poor.pk, "date": timezone.localdate().isoformat()}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["monthly_income"] is None


def test_bad_visits_are_refused_and_write_nothing(world: World, poor: Household) -> None:
    client = api_as(world.personas["cadre"])
    today = timezone.localdate()
    base = {"household": poor.pk, "date": today.isoformat(), "monthly_income": "100", "three_guarantees": FULL}
    cases = [
        ({**base, "monthly_income": "-5"}, "monthly_income"),
        ({**base, "monthly_income": "9999999"}, "monthly_income"),
        ({**base, "date": (today + dt.timedelta(days=1)).isoformat()}, "date"),
        ({**base, "date": "2025-02-01"}, "date"),  # before the cadre's term (2025-03-01)
        ({**base, "date": "9999-01-01"}, "date"),
        ({**base, "three_guarantees": {"education": "perhaps", "health": True, "housing": True}}, "three_guarantees"),
        ({**base, "household": 10**30}, "household"),
    ]
    for body, field in cases:
        response = client.post("/api/v1/visits/", body, format="json")
        assert response.status_code == 400, (body, response.content)
        assert field in response.json(), (body, response.json())
    assert not Visit.objects.exists() and not WorkLog.objects.exists()


def test_the_same_visit_twice_is_refused(world: World, poor: Household) -> None:
    client = api_as(world.personas["cadre"])
    body = {"household": poor.pk, "date": timezone.localdate().isoformat(), "monthly_income": "0",
            "three_guarantees": FULL}  # fmt: skip
    assert client.post("/api/v1/visits/", body, format="json").status_code == 201
    again = client.post("/api/v1/visits/", body, format="json")
    assert again.status_code == 400 and "无需重复" in again.json()["date"][0]
    assert Visit.objects.count() == 1


def test_a_household_of_another_village_is_404_for_a_cadre_and_403_for_the_township(world: World) -> None:
    other = Household.objects.create(village_code=world.village("B"), head_name="乙村户", kind="non_poor")
    mine = Household.objects.create(village_code=world.village("A"), head_name="甲村户", kind="non_poor")
    body = {"household": other.pk, "date": timezone.localdate().isoformat()}
    assert api_as(world.personas["cadre"]).post("/api/v1/visits/", body, format="json").status_code == 404
    township = api_as(world.personas["township"]).post("/api/v1/visits/", {**body, "household": mine.pk}, format="json")
    assert township.status_code == 403
    assert not Visit.objects.exists()


def test_a_cadre_who_left_the_post_may_not_record_visits(world: World, non_poor: Household) -> None:
    member = world.members["A"]
    account = account_create(actor=None, username="a_member", password=PASSWORD, role="cadre", scope=str(member.pk))
    member.status = "recalled"
    member.save(update_fields=["status"])
    response = api_as(account).post(
        "/api/v1/visits/", {"household": non_poor.pk, "date": timezone.localdate().isoformat()}, format="json"
    )
    assert response.status_code == 403
    assert not Visit.objects.exists()


def test_a_household_that_left_poverty_is_updated_by_the_township(world: World, poor: Household) -> None:
    response = api_as(world.personas["township"]).patch(
        f"/api/v1/households/{poor.pk}/", {"kind": "non_poor", "phone": "0311-85551234"}, format="json"
    )
    assert response.status_code == 200, response.content
    poor.refresh_from_db()
    assert (poor.kind, poor.phone) == ("non_poor", "0311-85551234")
    event = AuditEvent.objects.get(action="household.update", object_id=str(poor.pk))
    assert event.before is not None and event.after is not None
    assert event.before["kind"] == "poor" and event.after["kind"] == "non_poor"
    assert (
        api_as(world.personas["cadre"])
        .patch(f"/api/v1/households/{poor.pk}/", {"kind": "poor"}, format="json")
        .status_code
        == 403
    )
