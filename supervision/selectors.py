"""Supervision reads. Each starts from the caller's scoped queryset (zhucun.scoping) and owns its
``select_related``, so a list's queries do not grow with its rows."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.roles import Role
from cadres.models import Cadre, Team
from zhucun import scoping

from .models import (
    AnnualTask,
    Demand,
    InspectionInspector,
    InspectionPlan,
    InspectionResult,
    PresenceCheck,
    UnitReturnFlag,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


def presence_checks(*, user: User | AnonymousUser) -> QuerySet[PresenceCheck]:
    """The checks the user sees: a region's, or a cadre's own."""
    return scoping.restrict(PresenceCheck.objects.select_related("cadre", "issued_by"), user).order_by(
        "-issued_at", "-id"
    )


def my_presence_checks(*, user: User | AnonymousUser) -> QuerySet[PresenceCheck]:
    """The caller's own checks as a cadre (``?mine=true``); nothing for anyone else."""
    cadre_id = getattr(user, "cadre_id", None) if getattr(user, "role", "") == Role.CADRE else None
    return presence_checks(user=user).filter(cadre_id=cadre_id or 0)


def issuable_cadres(*, user: User | AnonymousUser) -> QuerySet[Cadre]:
    """The cadres in post the user may ask to confirm presence (their region's, or lent by a grant)."""
    return (
        scoping.restrict(Cadre.objects.filter(status=Cadre.Status.ACTIVE), user)
        .select_related("team__village")
        .order_by("team__village_id", "role", "name")
    )


# --- 第七条 年度帮扶任务清单 ---------------------------------------------------------------------------


def tasks(*, user: User | AnonymousUser) -> QuerySet[AnnualTask]:
    """The tasks of the teams the user sees, with their team's village and unit."""
    return scoping.restrict(AnnualTask.objects.select_related("team__village__parent__parent", "team__unit"), user)


def team_tasks(*, team: Team, year: int) -> QuerySet[AnnualTask]:
    """A team's list for a year (the team already fetched through the caller's scope): 规定内容 first."""
    return AnnualTask.objects.filter(team=team, year=year).order_by("kind", "deadline", "id")


def public_tasks(*, team: Team, year: int) -> list[AnnualTask]:
    """第七条 帮扶任务清单须在村内醒目位置公开公示: the year's list for the public page and poster. Only the
    task's own fields are shown there — never who recorded it."""
    return list(
        team_tasks(team=team, year=year).only(
            "kind", "title", "target", "deadline", "responsible_department", "progress", "done", "done_on", "year"
        )
    )


# --- 第十三条2 督导检查 -------------------------------------------------------------------------------


def inspection_plans(*, user: User | AnonymousUser) -> QuerySet[InspectionPlan]:
    """The plans the user sees, with their number of inspectors and results (two subquery counts)."""
    return (
        scoping.restrict(InspectionPlan.objects.all(), user)
        .annotate(inspector_count=Count("inspectors", distinct=True), result_count=Count("results", distinct=True))
        .order_by("-start", "-id")
    )


def plan_inspectors(*, plan: InspectionPlan) -> QuerySet[InspectionInspector]:
    return plan.inspectors.select_related("user", "grant").order_by("added_at", "id")


def plan_results(*, plan: InspectionPlan, user: User | AnonymousUser) -> QuerySet[InspectionResult]:
    """The plan's results the user may see (by the teams' villages)."""
    return (
        scoping.restrict(InspectionResult.objects.filter(plan=plan), user)
        .select_related("team__village", "cadre", "finding", "accountability", "recorded_by")
        .order_by("-date", "-id")
    )


def plan_teams(*, plan: InspectionPlan, user: User | AnonymousUser) -> QuerySet[Team]:
    """The teams of the inspected region the user sees (the recording form's choices)."""
    return (
        scoping.restrict(Team.objects.filter(village__code__startswith=plan.scope_code), user)
        .select_related("village")
        .order_by("village_id")
    )


# --- 第八条, 第十一条 the burden guard ------------------------------------------------------------------

KIND_COUNTS = {f"n_{kind}": Count("pk", filter=Q(kind=kind)) for kind in Demand.Kind.values}


@dataclasses.dataclass(frozen=True)
class BurdenMonth:
    """A month of demands on the cadres the user sees: per cadre (in the order of villages and names —
    never ranked, SPEC.md "Light on the cadres"), per demanding body (most demands first: the bodies are
    what 第八条 asks to restrain), and 第十一条's flags of units whose cadres were called back."""

    month: dt.date
    by_cadre: list[dict[str, Any]]
    by_body: list[dict[str, Any]]
    flags: list[UnitReturnFlag]
    total: int


def burden_month(*, user: User | AnonymousUser, month: dt.date, region: str = "") -> BurdenMonth:
    """Four queries, whatever the number of cadres and demands."""
    from .rules import month_bounds

    first, last = month_bounds(month)
    rows = scoping.restrict(Demand.objects.filter(date__range=(first, last)), user)
    flags = scoping.restrict(UnitReturnFlag.objects.filter(month=first), user)
    if region:
        rows = rows.filter(village_code__startswith=region)
        flags = flags.filter(village_code__startswith=region)
    by_cadre: list[dict[str, Any]] = [
        dict(row)
        for row in rows.values("cadre_id", "cadre__name", "village_code", "cadre__team__village__name")
        .annotate(total=Count("pk"), **KIND_COUNTS)
        .order_by("village_code", "cadre__name", "cadre_id")
    ]
    by_body: list[dict[str, Any]] = [
        dict(row)
        for row in rows.values("demanding_body")
        .annotate(total=Count("pk"), cadres=Count("cadre", distinct=True), **KIND_COUNTS)
        .order_by("-total", "demanding_body")
    ]
    for row in (*by_cadre, *by_body):
        row["counts"] = [row[f"n_{kind}"] for kind in Demand.Kind.values]  # in the order of the columns
    return BurdenMonth(
        month=first,
        by_cadre=by_cadre,
        by_body=by_body,
        flags=list(flags.select_related("cadre", "unit").order_by("village_code", "cadre_id")),
        total=sum(int(row["total"]) for row in by_cadre),
    )


def pending_check_for(*, cadre_id: int) -> PresenceCheck | None:
    """第十三条3: the random presence check waiting for the cadre's tap (the banner on the day page)."""
    return (
        PresenceCheck.objects.filter(cadre_id=cadre_id, status=PresenceCheck.Status.PENDING, due_at__gte=timezone.now())
        .order_by("due_at")
        .first()
    )
