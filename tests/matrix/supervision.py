"""Matrix entries of supervision (issue 13): random presence checks (第十三条3), the annual task list
(第七条).

Who may do what: the township and the county issue checks to cadres they see (第十五条1 daily
management); organization departments above follow them; the cadre answers their own (the cadre
persona leads team A). The county of the team's county (甲县: A and B) sets 规定内容; the unit (A) and the
team's leader (the cadre persona, A) set 自选内容; the leader and the setting body report progress;
everyone who sees the team reads its list. Inspections: organization departments plan them inside
their region; the province's plan of the target's township is seen by the regions above and at the
township (not by units or cadres), its inspectors and results are the organizer's to manage. Out of
scope is 404 before the role is asked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.urls import reverse
from django.utils import timezone

from accounts.models import RegionGrant
from accounts.services import INSPECT_REGION
from supervision.models import AnnualTask, Demand, InspectionInspector, InspectionPlan, PresenceCheck
from zhucun.testing.world import World

from .common import ALL, ORG, REGIONAL, VISIBLE, Case, Expect, role_only, scoped

ISSUERS = {"county", "township"}
#: 甲村 (target A) lies at (38.0, 114.5): an answer from inside its geofence
INSIDE = {"latitude": 38.001, "longitude": 114.5}


def _check(world: World, target: str | None) -> None:
    """A pending check of the target's leader, due in half an hour."""
    assert target is not None
    cadre = world.leaders[target]
    now = timezone.now()
    world.extra["check"] = PresenceCheck.objects.create(
        cadre=cadre, village_code=cadre.team.village_id, minutes=30, issued_at=now,
        due_at=now + dt.timedelta(minutes=30),
    )  # fmt: skip


def _check_pk(world: World, target: str | None) -> int:
    return int(world.extra["check"].pk)


def _task(world: World, target: str | None) -> None:
    """A 规定内容 task on the target's team list for this year."""
    assert target is not None
    team = world.teams[target]
    year = timezone.localdate().year
    world.extra["task"] = AnnualTask.objects.create(
        team=team, village_code=team.village_id, year=year, kind="required", origin="county", title=f"任务{target}",
        target="目标", deadline=dt.date(year, 12, 31), responsible_department="县农业农村局",
    )  # fmt: skip


def _task_pk(world: World, target: str | None) -> int:
    return int(world.extra["task"].pk)


def _task_body(kind: str) -> Callable[[World, str | None], dict[str, Any]]:
    def body(world: World, target: str | None) -> dict[str, Any]:
        year = timezone.localdate().year
        return {
            "team": world.teams[target or ""].pk, "year": year, "kind": kind, "title": "修村路",
            "target": "硬化 2 公里", "deadline": f"{year}-12-31", "responsible_department": "县交通运输局",
        }  # fmt: skip

    return body


def _task_form(kind: str) -> Callable[[World, str | None], dict[str, Any]]:
    def body(world: World, target: str | None) -> dict[str, Any]:
        year = timezone.localdate().year
        return {
            "kind": kind, "year": year, f"{kind}-title": "修村路", f"{kind}-target": "硬化 2 公里",
            f"{kind}-deadline": f"{year}-12-31", f"{kind}-responsible_department": "县交通运输局",
        }  # fmt: skip

    return body


def _plan(world: World, target: str | None, kind: str = "central") -> None:
    """The province's plan of the target's township, running from yesterday for ten days."""
    assert target is not None
    today = timezone.localdate()
    world.extra["plan"] = InspectionPlan.objects.create(
        kind=kind, title=f"检查{target}", organizer_level="province", organizer_region="13",
        scope_code=world.township(target), start=today - dt.timedelta(days=1), end=today + dt.timedelta(days=10),
    )  # fmt: skip


def _cross_plan(world: World, target: str | None) -> None:
    _plan(world, target, kind="cross")


def _inspector(world: World, target: str | None) -> None:
    """A 交叉检查 inspector from another township, lent the target's township."""
    from django.contrib.auth.models import Permission

    _cross_plan(world, target)
    plan = world.extra["plan"]
    user = world.township_accounts["B" if target == "A" else "A"]
    grant = RegionGrant.objects.create(
        user=user, permission=Permission.objects.get(codename=INSPECT_REGION, content_type__app_label="cadres"),
        content_object_id=plan.scope_code, valid_until=plan.end, reason="交叉检查",
    )  # fmt: skip
    world.extra["inspector"] = InspectionInspector.objects.create(plan=plan, user=user, grant=grant)


def _plan_pk(world: World, target: str | None) -> int:
    return int(world.extra["plan"].pk)


def organizer_only(ok: int) -> Expect:
    """The province organizes; the regions that see the plan get 403; units and cadres never see it."""

    def expect(persona: str, target: str | None) -> int:
        assert target is not None
        if persona == "province":
            return ok
        return 403 if persona in REGIONAL and target in VISIBLE[persona] else 404

    return expect


def _planners(persona: str, target: str | None) -> int:
    """A plan of the target's township: inside the department's region (302) or not (400)."""
    assert target is not None
    if persona not in ORG:
        return 403
    return 302 if target in VISIBLE[persona] else 400


def _demand(world: World, target: str | None) -> None:
    """A meeting asked of the target's leader this month."""
    assert target is not None
    cadre = world.leaders[target]
    Demand.objects.create(
        cadre=cadre, village_code=cadre.team.village_id, date=timezone.localdate(), kind="meeting",
        demanding_body=f"提出{target}", source="demander",
    )  # fmt: skip


def _demand_body(world: World, target: str | None) -> dict[str, Any]:
    return {
        "cadre": world.leaders[target or ""].pk, "date": timezone.localdate().isoformat(), "kind": "meeting",
        "demanding_body": "县扶贫办",
    }  # fmt: skip


MATRIX: dict[str, Case] = {
    # --- pages -------------------------------------------------------------------------------
    "supervision-presence-list": Case(
        "get",
        lambda w, t: reverse("supervision-presence-list"),
        role_only(REGIONAL),
        api=False,
        setup=_check,
        lists=lambda w, t: reverse("cadre-detail", args=[w.leaders[t].pk]),
    ),
    "supervision-presence-issue": Case(
        "get", lambda w, t: reverse("supervision-presence-issue"), role_only(ISSUERS), api=False, per_target=False
    ),
    "supervision-presence-mine": Case(
        "get", lambda w, t: reverse("supervision-presence-mine"), role_only({"cadre"}), api=False, per_target=False
    ),
    "supervision-presence-answer": Case(
        "post",
        lambda w, t: reverse("supervision-presence-answer", args=[_check_pk(w, t)]),
        scoped({"cadre"}, ok=302),
        api=False,
        setup=_check,
        data=lambda w, t: INSIDE,
    ),
    "supervision-tasks": Case(
        "get",
        lambda w, t: reverse("supervision-tasks"),
        role_only(REGIONAL | {"unit"}),
        api=False,
        setup=_task,
        lists=lambda w, t: reverse("supervision-team-tasks", args=[w.teams[t].pk]),
    ),
    "supervision-team-tasks": Case(
        "get", lambda w, t: reverse("supervision-team-tasks", args=[w.teams[t or ""].pk]), scoped(ALL), api=False
    ),
    "supervision-task-new": Case(
        "post",
        lambda w, t: reverse("supervision-task-new", args=[w.teams[t or ""].pk]),
        scoped({"county"}, ok=302),
        api=False,
        data=_task_form("required"),
    ),
    "supervision-task-progress": Case(
        "post",
        lambda w, t: reverse("supervision-task-progress", args=[_task_pk(w, t)]),
        scoped({"county", "cadre"}, ok=302),
        api=False,
        setup=_task,
        data=lambda w, t: {"progress": "50", "note": "过半"},
    ),
    "supervision-inspections": Case(
        "get", lambda w, t: reverse("supervision-inspections"), role_only(REGIONAL), api=False, per_target=False
    ),
    "supervision-inspection-new": Case(
        "post",
        lambda w, t: reverse("supervision-inspection-new"),
        _planners,
        api=False,
        data=lambda w, t: {
            "kind": "central",
            "title": "集中督导",
            "scope_code": w.township(t or ""),
            "start": timezone.localdate().isoformat(),
            "end": timezone.localdate().isoformat(),
        },
    ),
    "supervision-inspection-detail": Case(
        "get",
        lambda w, t: reverse("supervision-inspection-detail", args=[_plan_pk(w, t)]),
        lambda p, t: 200 if p in REGIONAL and t in VISIBLE[p] else 404,
        api=False,
        setup=_plan,
    ),
    "supervision-inspection-grant": Case(
        "post",
        lambda w, t: reverse("supervision-inspection-grant", args=[_plan_pk(w, t)]),
        organizer_only(302),
        api=False,
        setup=_cross_plan,
        data=lambda w, t: {"username": w.township_accounts["B" if t == "A" else "A"].username},
    ),
    "supervision-inspection-revoke": Case(
        "post",
        lambda w, t: reverse("supervision-inspection-revoke", args=[w.extra["inspector"].pk]),
        lambda p, t: 302 if p == "province" else 404,  # an inspector row is seen by the organizer's region
        api=False,
        setup=_inspector,
    ),
    "supervision-inspection-result": Case(
        "post",
        lambda w, t: reverse("supervision-inspection-result", args=[_plan_pk(w, t)]),
        organizer_only(302),
        api=False,
        setup=_plan,
        data=lambda w, t: {"team": w.teams[t or ""].pk, "date": timezone.localdate().isoformat(), "outcome": "ok"},
    ),
    "supervision-burden": Case(
        "get",
        lambda w, t: reverse("supervision-burden"),
        role_only(ORG),
        api=False,
        setup=_demand,
        lists=lambda w, t: f"提出{t}",
    ),
    "supervision-demand-new": Case(
        "get", lambda w, t: reverse("supervision-demand-new"), role_only(ALL), api=False, per_target=False
    ),
    # --- API ---------------------------------------------------------------------------------
    "api:demand-list": Case("post", lambda w, t: reverse("api:demand-list"), scoped(ALL, ok=201), data=_demand_body),
    "api:task-list": Case(
        "post", lambda w, t: reverse("api:task-list"), scoped({"county"}, ok=201), data=_task_body("required")
    ),
    "api:task-detail": Case(
        "get", lambda w, t: reverse("api:task-detail", args=[_task_pk(w, t)]), scoped(ALL), setup=_task
    ),
    "api:presence-check-list": Case(
        "post",
        lambda w, t: reverse("api:presence-check-list"),
        scoped(ISSUERS, ok=201),
        data=lambda w, t: {"cadre": w.leaders[t or ""].pk, "minutes": 30},
    ),
    "api:presence-check-detail": Case(
        "get",
        lambda w, t: reverse("api:presence-check-detail", args=[_check_pk(w, t)]),
        scoped(REGIONAL | {"cadre"}),
        setup=_check,
    ),
    "api:presence-check-answer": Case(
        "post",
        lambda w, t: reverse("api:presence-check-answer", args=[_check_pk(w, t)]),
        scoped({"cadre"}),
        setup=_check,
        data=lambda w, t: INSIDE,
    ),
}

EXTRA: dict[str, Case] = {
    "supervision-demand-new(post)": Case(
        "post",
        lambda w, t: reverse("supervision-demand-new"),
        # a cadre's page reports for the cadre themself, whatever the form names
        lambda p, t: 302 if p == "cadre" else scoped(ALL, ok=302)(p, t),
        api=False,
        data=_demand_body,
    ),
    "api:demand-list(read)": Case(
        "get",
        lambda w, t: reverse("api:demand-list") + "?page_size=200",
        role_only(ALL),
        setup=_demand,
        lists=lambda w, t: f'"demanding_body":"提出{t}"',
    ),
    "supervision-task-new(optional)": Case(
        "post",
        lambda w, t: reverse("supervision-task-new", args=[w.teams[t or ""].pk]),
        scoped({"unit", "cadre"}, ok=302),
        api=False,
        data=_task_form("optional"),
    ),
    "api:task-list(optional)": Case(
        "post", lambda w, t: reverse("api:task-list"), scoped({"unit", "cadre"}, ok=201), data=_task_body("optional")
    ),
    "api:task-list(read)": Case(
        "get",
        lambda w, t: reverse("api:task-list") + "?page_size=200",
        role_only(ALL),
        setup=_task,
        lists=lambda w, t: f'"title":"任务{t}"',
    ),
    "api:task-detail(patch)": Case(
        "patch",
        lambda w, t: reverse("api:task-detail", args=[_task_pk(w, t)]),
        scoped({"county", "cadre"}),
        setup=_task,
        data=lambda w, t: {"progress": 50},
    ),
    "supervision-presence-issue(post)": Case(
        "post",
        lambda w, t: reverse("supervision-presence-issue"),
        scoped(ISSUERS, ok=302),
        api=False,
        data=lambda w, t: {"cadre": w.leaders[t or ""].pk, "minutes": 30},
    ),
    "api:presence-check-list(read)": Case(
        "get",
        lambda w, t: reverse("api:presence-check-list") + "?page_size=200",
        role_only(REGIONAL | {"cadre"}),
        setup=_check,
        lists=lambda w, t: f'"cadre_name":"{w.leaders[t].name}"',
        list_visible=VISIBLE,
    ),
}
