"""The annual task list (帮扶任务清单, 第七条; API.md "Annual task list")."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.services import account_create
from supervision import services
from supervision.models import AnnualTask
from tests.conftest import api_as
from zhucun.models import AuditEvent, Notification
from zhucun.testing.world import PASSWORD, World

DAY = dt.date(2026, 11, 26)


def _task(world: World, persona: str = "county", kind: str = "required", **extra: Any) -> Any:
    user = extra.pop("user", None) or world.personas[persona]
    body = {
        "team": world.teams["A"].pk,
        "year": 2026,
        "kind": kind,
        "title": "发展庭院经济",
        "target": "带动 20 户贫困户增收",
        "deadline": "2026-12-20",
        "responsible_department": "县农业农村局" if kind == "required" else "",
        **extra,
    }
    return api_as(user).post(reverse("api:task-list"), body, format="json")


@pytest.fixture
def member(world: World) -> User:
    return account_create(
        actor=None, username="a_member", password=PASSWORD, role="cadre", scope=str(world.members["A"].pk)
    )


def test_the_county_sets_required_tasks_with_target_deadline_and_department_第七条(world: World, clock: Any) -> None:
    response = _task(world)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["origin"], body["responsible_department"]) == ("required", "county", "县农业农村局")
    assert body["progress"] == 0 and body["done"] is False and body["overdue"] is False
    assert AuditEvent.objects.filter(action="task.create", object_id=str(body["id"])).exists()


def test_a_required_task_names_its_county_department_第七条(world: World, clock: Any) -> None:
    response = _task(world, responsible_department="")
    assert response.status_code == 400 and "县直责任部门" in response.json()["responsible_department"][0]
    assert not AnnualTask.objects.exists()


@pytest.mark.parametrize("persona", ["township", "city", "province", "unit", "cadre"])
def test_only_the_teams_county_sets_required_tasks_第七条(world: World, clock: Any, persona: str) -> None:
    response = _task(world, persona=persona)
    assert response.status_code == 403, persona
    assert not AnnualTask.objects.exists() and not AuditEvent.objects.filter(action="task.create").exists()


def test_the_unit_and_the_teams_leader_set_optional_tasks_第七条(world: World, clock: Any) -> None:
    by_unit = _task(world, persona="unit", kind="optional", title="捐建村卫生室")
    by_team = _task(world, persona="cadre", kind="optional", title="争取光伏项目")
    assert by_unit.status_code == 201 and by_unit.json()["origin"] == "unit"
    assert by_team.status_code == 201 and by_team.json()["origin"] == "team"


def test_a_member_and_the_county_do_not_set_optional_tasks_第七条(world: World, clock: Any, member: User) -> None:
    assert _task(world, kind="optional", user=member).status_code == 403
    assert _task(world, persona="county", kind="optional").status_code == 403
    assert not AnnualTask.objects.exists()


def test_a_team_out_of_scope_is_404(world: World, clock: Any) -> None:
    assert _task(world, team=world.teams["C"].pk).status_code == 404
    assert _task(world, persona="unit", kind="optional", team=world.teams["B"].pk).status_code == 404


@pytest.mark.parametrize(
    ("field", "value"),
    [("deadline", "2027-01-05"), ("deadline", "9999-01-01"), ("year", 2010), ("kind", "mandatory"), ("title", ""),
     ("target", ""), ("team", "甲村")],
)  # fmt: skip
def test_bad_input_is_a_chinese_400_naming_the_field_and_writes_nothing(
    world: World, clock: Any, field: str, value: Any
) -> None:
    response = _task(world, **{field: value})
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not AnnualTask.objects.exists()


def test_the_leader_reports_progress_and_completion(world: World, clock: Any) -> None:
    task_id = _task(world).json()["id"]
    url = reverse("api:task-detail", args=[task_id])
    leader = api_as(world.personas["cadre"])
    response = leader.patch(url, {"progress": 60, "note": "已发放鸡苗"}, format="json")
    assert response.status_code == 200 and response.json()["progress"] == 60
    done = leader.patch(url, {"done": True}, format="json").json()
    assert (done["done"], done["progress"], done["done_on"]) == (True, 100, "2026-11-26")
    assert AuditEvent.objects.filter(action="task.update").count() == 2
    assert leader.put(url, {"progress": 1}, format="json").status_code == 405


def test_progress_is_reported_by_the_team_or_the_body_that_set_the_task(world: World, clock: Any, member: User) -> None:
    required = _task(world).json()["id"]
    optional = _task(world, persona="unit", kind="optional").json()["id"]

    def url(pk: int) -> str:
        return reverse("api:task-detail", args=[pk])

    assert api_as(world.personas["county"]).patch(url(required), {"progress": 10}, format="json").status_code == 200
    assert api_as(world.personas["unit"]).patch(url(required), {"progress": 20}, format="json").status_code == 403
    assert api_as(world.personas["unit"]).patch(url(optional), {"progress": 30}, format="json").status_code == 200
    assert api_as(world.personas["county"]).patch(url(optional), {"progress": 40}, format="json").status_code == 403
    assert api_as(member).patch(url(required), {"progress": 50}, format="json").status_code == 403
    assert api_as(world.personas["township"]).patch(url(required), {"progress": 50}, format="json").status_code == 403
    assert AnnualTask.objects.get(pk=required).progress == 10
    bad = api_as(world.personas["county"]).patch(url(required), {"progress": 101}, format="json")
    assert bad.status_code == 400 and "progress" in bad.json()


def test_the_list_filters_by_team_and_year(world: World, clock: Any) -> None:
    _task(world)
    _task(world, year=2025, deadline="2025-12-31")
    rows = (
        api_as(world.personas["township"])
        .get(reverse("api:task-list") + f"?team={world.teams['A'].pk}&year=2026")
        .json()["results"]
    )
    assert [r["year"] for r in rows] == [2026]
    assert api_as(world.personas["township"]).get(reverse("api:task-list") + "?year=二〇二六").status_code == 400
    # the unit sees its team's list, a township elsewhere nothing
    assert api_as(world.personas["unit"]).get(reverse("api:task-list")).json()["count"] == 2
    assert api_as(world.township_accounts["C"]).get(reverse("api:task-list")).json()["count"] == 0


def test_a_task_past_its_deadline_is_overdue_and_flagged_once_after_run_jobs_第七条(world: World, clock: Any) -> None:
    clock.set(dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    task_id = _task(world, deadline="2026-06-30").json()["id"]
    _task(world, persona="unit", kind="optional", deadline="2026-06-30", title="自选")
    clock.set(dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    detail = api_as(world.personas["county"]).get(reverse("api:task-detail", args=[task_id])).json()
    assert detail["overdue"] is True  # at once, before any job
    call_command("run_jobs", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert AnnualTask.objects.filter(overdue_flagged_at__isnull=False).count() == 2
    notes = Notification.objects.filter(title__startswith="帮扶任务逾期")
    assert set(notes.values_list("recipient__username", flat=True)) == {"p_cadre", "p_county", "p_unit"}
    assert services.task_overdue_flags() == 0  # idempotent
    assert notes.count() == 4  # the leader twice, the county and the unit once each


def test_a_task_done_in_time_is_never_flagged(world: World, clock: Any) -> None:
    task_id = _task(world, deadline="2026-11-30").json()["id"]
    api_as(world.personas["cadre"]).patch(reverse("api:task-detail", args=[task_id]), {"done": True}, format="json")
    assert services.task_overdue_flags(today=dt.date(2026, 12, 5)) == 0


def test_the_public_village_page_and_poster_show_the_list_without_personal_data_第七条(
    world: World, clock: Any
) -> None:
    _task(world)
    anonymous = Client()
    for name in ("public-village", "public-poster"):
        page = anonymous.get(reverse(name, args=[world.village("A")])).content.decode()
        assert "发展庭院经济" in page and "带动 20 户贫困户增收" in page and "县农业农村局" in page, name
        assert "p_county" not in page and world.leaders["A"].phone not in page, name


# --- pages ------------------------------------------------------------------------------------


def test_the_county_adds_a_required_task_on_the_team_page(world: World, clock: Any, client: Client) -> None:
    client.force_login(world.personas["county"])
    url = reverse("supervision-task-new", args=[world.teams["A"].pk])
    fields = {"kind": "required", "year": "2026", "required-title": "修村路", "required-target": "硬化 2 公里",
              "required-deadline": "2026-12-31", "required-responsible_department": "县交通运输局"}  # fmt: skip
    assert client.post(url, fields).status_code == 302
    page = client.get(reverse("supervision-team-tasks", args=[world.teams["A"].pk]) + "?year=2026").content.decode()
    assert "修村路" in page and "县交通运输局" in page
    refused = client.post(url, {**fields, "required-responsible_department": ""})
    assert refused.status_code == 400 and "县直责任部门" in refused.content.decode()
    assert AnnualTask.objects.count() == 1


def test_the_leader_updates_progress_on_the_team_page(world: World, clock: Any, client: Client) -> None:
    task_id = _task(world).json()["id"]
    client.force_login(world.personas["cadre"])
    url = reverse("supervision-task-progress", args=[task_id])
    assert client.post(url, {"progress": "45", "note": "进行中", "done": ""}).status_code == 302
    assert AnnualTask.objects.get(pk=task_id).progress == 45
    assert client.post(url, {"progress": "145"}).status_code == 400
    assert AnnualTask.objects.get(pk=task_id).progress == 45


def test_the_county_list_exports_what_it_shows_and_the_download_is_audited(
    world: World, clock: Any, client: Client
) -> None:
    _task(world)
    client.force_login(world.personas["county"])
    page = client.get(reverse("supervision-tasks") + "?year=2026&state=open").content.decode()
    assert "发展庭院经济" in page
    assert client.get(reverse("supervision-tasks") + "?export=xlsx").status_code == 200
    assert AuditEvent.objects.filter(action="export.xlsx", object_type="supervision.annualtask").exists()
    assert client.get(reverse("supervision-tasks") + "?year=1900").status_code == 400
