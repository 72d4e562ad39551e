"""The burden guard: demands placed on cadres (第八条) and units that call their cadres back (第十一条)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from attendance.models import Whereabouts
from supervision import selectors, services
from supervision.models import Demand, UnitReturnFlag
from tests.conftest import api_as
from zhucun.models import AuditEvent, Notification, PolicyProfileVersion
from zhucun.policy import profile_cache_clear
from zhucun.testing.world import World

DAY = dt.date(2026, 11, 26)


def _demand(world: World, persona: str = "township", **extra: Any) -> Any:
    body = {"cadre": world.leaders["A"].pk, "date": "2026-11-20", "kind": "meeting", **extra}
    return api_as(world.personas[persona]).post(reverse("api:demand-list"), body, format="json")


def test_the_body_that_places_a_demand_records_it_under_its_name_第八条(world: World, clock: Any) -> None:
    response = _demand(world, description="全镇脱贫攻坚推进会")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["source"], body["demanding_body"], body["kind"]) == ("demander", "甲一镇", "meeting")
    assert AuditEvent.objects.filter(action="demand.record", object_id=str(body["id"])).exists()
    by_unit = _demand(world, persona="unit", kind="report", demanding_body="")
    assert by_unit.json()["demanding_body"] == "甲县卫生健康局"


def test_a_cadre_reports_what_is_asked_of_them_naming_the_body_第八条(world: World, clock: Any) -> None:
    cadre = api_as(world.personas["cadre"])
    refused = cadre.post(reverse("api:demand-list"), {"date": "2026-11-20", "kind": "form"}, format="json")
    assert refused.status_code == 400 and "提出要求的单位" in refused.json()["demanding_body"][0]
    done = cadre.post(
        reverse("api:demand-list"), {"date": "2026-11-20", "kind": "form", "demanding_body": "县统计局"}, format="json"
    )
    assert done.status_code == 201 and done.json()["source"] == "cadre"
    assert done.json()["cadre"] == world.leaders["A"].pk


def test_a_cadre_reports_only_their_own_burden(world: World, clock: Any) -> None:
    response = _demand(world, persona="cadre", cadre=world.members["A"].pk, demanding_body="县扶贫办")
    assert response.status_code == 403
    assert not Demand.objects.exists()


def test_bad_demands_are_a_chinese_400_and_write_nothing(world: World, clock: Any) -> None:
    for change in ({"date": "2026-11-27"}, {"date": "2026-06-01"}, {"kind": "dinner"}, {"date": "26/11/2026"}):
        response = _demand(world, **change)
        assert response.status_code == 400, change
    assert _demand(world, cadre=world.leaders["C"].pk).status_code == 404
    assert not Demand.objects.exists()


def test_the_county_sees_the_month_per_cadre_by_village_and_per_body_never_a_ranking_of_cadres_第八条(
    world: World, clock: Any, client: Client
) -> None:
    _demand(world)  # 甲村 (130102001001): one
    for kind in ("meeting", "form", "report", "visitors", "inspection"):  # 乙村: five, by the county
        _demand(world, persona="county", cadre=world.leaders["B"].pk, kind=kind, demanding_body="县扶贫办")
    data = selectors.burden_month(user=world.personas["county"], month=DAY)
    assert [row["cadre__name"] for row in data.by_cadre] == ["甲村书记", "乙村书记"]  # by village, not by count
    assert [(row["demanding_body"], row["total"]) for row in data.by_body] == [("县扶贫办", 5), ("甲一镇", 1)]
    assert data.by_body[0]["counts"] == [1, 1, 1, 1, 1, 0] and data.total == 6
    client.force_login(world.personas["county"])
    page = client.get(reverse("supervision-burden") + "?month=2026-11").content.decode()
    assert "县扶贫办" in page and "乙村书记" in page
    assert client.get(reverse("supervision-burden") + "?month=2026-13").status_code == 400
    assert client.get(reverse("supervision-burden") + "?month=2026-11&export=xlsx").status_code == 200
    assert AuditEvent.objects.filter(action="export.xlsx", object_type="supervision.demand").exists()
    township = Client()
    township.force_login(world.personas["township"])
    assert township.get(reverse("supervision-burden")).status_code == 403


def _post_back(world: World, days: list[int], target: str = "A") -> None:
    cadre = world.leaders[target]
    Whereabouts.objects.bulk_create(
        [Whereabouts(cadre=cadre, village_code=cadre.team.village_id, date=dt.date(2026, 11, d), status="unit")
         for d in days]
    )  # fmt: skip


def test_a_unit_whose_cadre_is_posted_back_at_the_unit_is_flagged_after_run_jobs_第十一条(
    world: World, clock: Any
) -> None:
    _post_back(world, [3])
    call_command("run_jobs", stdout=open("/dev/null", "w"))  # noqa: SIM115
    flag = UnitReturnFlag.objects.get()
    assert (flag.unit, flag.cadre, flag.month, flag.days) == (
        world.units["A"],
        world.leaders["A"],
        dt.date(2026, 11, 1),
        1,
    )
    told = set(Notification.objects.filter(title__contains="回单位").values_list("recipient__username", flat=True))
    assert told == {"p_unit", "p_county"}
    _post_back(world, [4])
    assert services.unit_return_flags(today=DAY) == 0  # no new flag: the days follow
    assert UnitReturnFlag.objects.get().days == 2
    assert Notification.objects.filter(title__contains="回单位").count() == 2


def test_the_number_of_days_back_allowed_is_the_profiles_第十一条(world: World, clock: Any) -> None:
    PolicyProfileVersion.objects.create(
        name="试行", effective_from=dt.date(2026, 1, 1), overrides={"unit_return_days_per_month": 2}
    )
    profile_cache_clear()
    _post_back(world, [3, 4])
    assert services.unit_return_flags(today=DAY) == 0
    _post_back(world, [5])
    assert services.unit_return_flags(today=DAY) == 1


def test_a_cadre_posts_回单位_on_the_board_and_it_is_no_approval_第十九条3(world: World, clock: Any) -> None:
    from attendance.services import whereabouts_post

    row = whereabouts_post(actor=world.personas["cadre"], cadre=world.leaders["A"], day=DAY, status="unit")
    assert row.get_status_display() == "回单位"


def test_the_demand_page_for_a_cadre_and_for_a_township(world: World, clock: Any, client: Client) -> None:
    client.force_login(world.personas["cadre"])
    body = {"date": "2026-11-25", "kind": "visitors", "demanding_body": "县文旅局", "description": "陪同参观"}
    assert client.post(reverse("supervision-demand-new"), body).status_code == 302
    township = Client()
    township.force_login(world.personas["township"])
    assert township.post(reverse("supervision-demand-new"), {**body, "cadre": world.members["A"].pk}).status_code == 302
    assert (
        township.post(
            reverse("supervision-demand-new"), {**body, "cadre": world.members["A"].pk, "kind": "x"}
        ).status_code
        == 400
    )
    assert list(Demand.objects.order_by("id").values_list("source", flat=True)) == ["cadre", "demander"]
