"""Inspections (明查暗访、交叉检查、集中督导, 第十三条2) and what their results turn into (第十七条)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import RegionGrant
from assessment.models import AccountabilityRecord
from attendance.models import AbsenceFinding
from supervision import services
from supervision.models import InspectionInspector, InspectionPlan, InspectionResult
from tests.supervision.conftest import at
from zhucun.models import AuditEvent
from zhucun.testing.world import World

DAY = dt.date(2026, 11, 26)


def _plan(world: World, kind: str = "cross", scope: str = "130104", persona: str = "city") -> InspectionPlan:
    return services.inspection_plan_create(
        actor=world.personas[persona], kind=kind, title="2026年第四季度交叉检查", scope_code=scope,
        start=dt.date(2026, 11, 20), end=dt.date(2026, 12, 10),
    )  # fmt: skip


def _login(client: Client, world: World, persona: str) -> Client:
    client.force_login(world.personas[persona])
    return client


def test_a_city_lends_its_cross_check_inspectors_the_inspected_county_until_the_plans_end_第十三条2(
    world: World, clock: Any, client: Client
) -> None:
    plan = _plan(world)
    inspector = _login(Client(), world, "county")  # 甲县's office inspects 丙县 (target C)
    team_c = reverse("team-detail", args=[world.teams["C"].pk])
    assert inspector.get(team_c).status_code == 404
    city = _login(client, world, "city")
    response = city.post(reverse("supervision-inspection-grant", args=[plan.pk]), {"username": "p_county"})
    assert response.status_code == 302
    grant = RegionGrant.objects.get(user=world.personas["county"])
    assert (grant.content_object_id, grant.valid_until) == ("130104", dt.date(2026, 12, 10))
    assert AuditEvent.objects.filter(action="grant.create", object_id=str(grant.pk)).exists()
    assert Client().get(team_c).status_code == 302  # (anonymous: to the login page)
    assert _login(Client(), world, "county").get(team_c).status_code == 200
    # After the plan's last day the grant has lapsed by itself.
    clock.set(at(9, 0, dt.date(2026, 12, 11)))
    assert _login(Client(), world, "county").get(team_c).status_code == 404
    clock.set(at(8, 5))
    # Revoked on the plan's page: the inspector sees the county no more.
    row = InspectionInspector.objects.get(plan=plan)
    assert city.post(reverse("supervision-inspection-revoke", args=[row.pk])).status_code == 302
    assert not InspectionInspector.objects.exists(), "inspector"
    assert not RegionGrant.objects.exists(), list(RegionGrant.objects.values())
    assert AuditEvent.objects.filter(action="grant.revoke").exists()
    assert _login(Client(), world, "county").get(team_c).status_code == 404


@pytest.mark.parametrize(
    ("username", "why"),
    [("t_c", "本来就管辖"), ("p_unit", "组织部门或乡镇党委"), ("t_d", "组织部门或乡镇党委"), ("nobody", "不存在")],
)
def test_cross_check_inspectors_come_from_outside_the_region_inside_the_organizers_第十三条2(
    world: World, clock: Any, username: str, why: str
) -> None:
    plan = _plan(world)
    with pytest.raises(Exception) as refused:  # noqa: PT011 - a ValidationError naming the account
        services.inspector_add(actor=world.personas["city"], plan=plan, username=username)
    assert why in str(refused.value)
    assert not RegionGrant.objects.exists() and not InspectionInspector.objects.exists()


def test_only_the_organizer_names_inspectors(world: World, clock: Any, client: Client) -> None:
    plan = _plan(world)
    province = _login(client, world, "province")
    assert (
        province.post(reverse("supervision-inspection-grant", args=[plan.pk]), {"username": "p_county"}).status_code
        == 403
    )
    county = _login(Client(), world, "county")  # the county does not even see the city's plan
    assert county.post(reverse("supervision-inspection-grant", args=[plan.pk]), {"username": "t_a"}).status_code == 404
    assert not RegionGrant.objects.exists()


def test_an_unannounced_visit_is_not_shown_to_the_region_visited_第十三条2(world: World, clock: Any) -> None:
    visit = _plan(world, kind="visit", scope="130102001", persona="county")
    central = _plan(world, kind="central", scope="130102001", persona="county")
    township = _login(Client(), world, "township")
    assert township.get(reverse("supervision-inspection-detail", args=[visit.pk])).status_code == 404
    assert township.get(reverse("supervision-inspection-detail", args=[central.pk])).status_code == 200
    assert (
        _login(Client(), world, "city").get(reverse("supervision-inspection-detail", args=[visit.pk])).status_code
        == 200
    )


def test_a_cadre_found_away_by_the_county_is_a_confirmed_finding_第十三条2(world: World, clock: Any) -> None:
    plan = _plan(world, kind="visit", scope="130102", persona="county")
    result = services.inspection_result_record(
        actor=world.personas["county"], plan=plan, team=world.teams["A"], cadre=world.members["A"], day=DAY,
        time=dt.time(15, 10), outcome="absent", note="暗访时不在村",
    )  # fmt: skip
    finding = result.finding
    assert finding is not None
    assert (finding.source, finding.status, finding.half) == ("inspection", "confirmed", "pm")
    assert "暗访时不在村" in finding.note


def test_a_cadre_found_away_by_the_city_is_a_pending_finding_for_the_township_第十三条2(
    world: World, clock: Any
) -> None:
    plan = _plan(world, kind="central", scope="130102")
    result = services.inspection_result_record(
        actor=world.personas["city"], plan=plan, team=world.teams["A"], cadre=world.members["A"], day=DAY,
        outcome="absent",
    )  # fmt: skip
    assert result.finding is not None and result.finding.status == "pending"


def test_a_failing_becomes_an_accountability_record_in_one_step_第十七条(
    world: World, clock: Any, client: Client
) -> None:
    plan = _plan(world, kind="central", scope="130102")
    city = _login(client, world, "city")
    response = city.post(
        reverse("supervision-inspection-result", args=[plan.pk]),
        {"team": world.teams["A"].pk, "cadre": world.leaders["A"].pk, "date": "2026-11-25", "outcome": "problem",
         "note": "工作日志长期未记录", "measure": "reminder_talk"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:500]
    record = AccountabilityRecord.objects.get()
    assert (record.measure, record.cadre, record.duty_ref) == (
        "reminder_talk",
        world.leaders["A"],
        f"inspection:{plan.pk}",
    )
    assert record.failed_duty == "工作日志长期未记录"
    assert InspectionResult.objects.get().accountability == record


def test_an_inspector_records_results_but_accountability_is_the_organizers_第十七条(world: World, clock: Any) -> None:
    plan = _plan(world)
    services.inspector_add(actor=world.personas["city"], plan=plan, username="p_county")
    inspector = world.personas["county"]
    result = services.inspection_result_record(actor=inspector, plan=plan, team=world.teams["C"], day=DAY, outcome="ok")
    assert result.outcome == "ok"
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.inspection_result_record(
            actor=inspector, plan=plan, team=world.teams["C"], day=DAY, outcome="problem", measure="inquiry"
        )
    assert not AccountabilityRecord.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [({"team": "B", "scope": "130102001"}, "team"), ({"day": dt.date(2026, 11, 1)}, "date"),
     ({"outcome": "absent", "cadre": None}, "cadre"), ({"outcome": "ok", "measure": "inquiry"}, "measure")],
)  # fmt: skip
def test_bad_results_are_a_chinese_400_and_write_nothing(
    world: World, clock: Any, client: Client, change: dict[str, Any], field: str
) -> None:
    plan = _plan(world, kind="central", scope=change.get("scope", "130102"))
    team = world.teams[change.get("team", "A")]
    cadre = change.get("cadre", world.leaders["A"] if change.get("team", "A") == "A" else None)
    body = {"team": team.pk, "cadre": cadre.pk if cadre else "", "date": change.get("day", DAY).isoformat(),
            "outcome": change.get("outcome", "absent"), "measure": change.get("measure", "")}  # fmt: skip
    response = _login(client, world, "city").post(reverse("supervision-inspection-result", args=[plan.pk]), body)
    assert response.status_code == 400
    assert not InspectionResult.objects.exists() and not AbsenceFinding.objects.exists()


def test_plans_are_made_by_organization_departments_inside_their_region_第十三条2(
    world: World, clock: Any, client: Client
) -> None:
    county = _login(client, world, "county")
    body = {"kind": "visit", "title": "暗访", "scope_code": "130104", "start": "2026-11-20", "end": "2026-11-30"}
    outside = county.post(reverse("supervision-inspection-new"), body)
    assert outside.status_code == 400 and "管辖内" in outside.content.decode()
    backwards = county.post(
        reverse("supervision-inspection-new"), {**body, "scope_code": "130102", "end": "2026-11-01"}
    )
    assert backwards.status_code == 400
    assert _login(Client(), world, "township").post(reverse("supervision-inspection-new"), body).status_code == 403
    assert not InspectionPlan.objects.exists()
    assert county.post(reverse("supervision-inspection-new"), {**body, "scope_code": "130102"}).status_code == 302
    page = county.get(reverse("supervision-inspections")).content.decode()
    assert "暗访" in page
