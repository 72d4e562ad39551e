"""Supervision reads. Each starts from the caller's scoped queryset (zhucun.scoping) and owns its
``select_related``, so a list's queries do not grow with its rows."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from cadres.models import Cadre, Team
from zhucun import scoping

from .models import AnnualTask, InspectionInspector, InspectionPlan, InspectionResult, PresenceCheck


def presence_checks(*, user: Any) -> QuerySet[PresenceCheck]:
    """The checks the user sees: a region's, or a cadre's own."""
    return scoping.restrict(PresenceCheck.objects.select_related("cadre", "issued_by"), user).order_by(
        "-issued_at", "-id"
    )


def my_presence_checks(*, user: Any) -> QuerySet[PresenceCheck]:
    """The caller's own checks as a cadre (``?mine=true``); nothing for anyone else."""
    cadre_id = getattr(user, "cadre_id", None) if getattr(user, "role", "") == "cadre" else None
    return presence_checks(user=user).filter(cadre_id=cadre_id or 0)


def issuable_cadres(*, user: Any) -> QuerySet[Cadre]:
    """The cadres in post the user may ask to confirm presence (their region's, or lent by a grant)."""
    return (
        scoping.restrict(Cadre.objects.filter(status=Cadre.Status.ACTIVE), user)
        .select_related("team__village")
        .order_by("team__village_id", "role", "name")
    )


# --- 第七条 年度帮扶任务清单 ---------------------------------------------------------------------------


def tasks(*, user: Any) -> QuerySet[AnnualTask]:
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


def inspection_plans(*, user: Any) -> QuerySet[InspectionPlan]:
    """The plans the user sees, with their number of inspectors and results (two subquery counts)."""
    return (
        scoping.restrict(InspectionPlan.objects.all(), user)
        .annotate(inspector_count=Count("inspectors", distinct=True), result_count=Count("results", distinct=True))
        .order_by("-start", "-id")
    )


def plan_inspectors(*, plan: InspectionPlan) -> QuerySet[InspectionInspector]:
    return plan.inspectors.select_related("user", "grant").order_by("added_at", "id")


def plan_results(*, plan: InspectionPlan, user: Any) -> QuerySet[InspectionResult]:
    """The plan's results the user may see (by the teams' villages)."""
    return (
        scoping.restrict(InspectionResult.objects.filter(plan=plan), user)
        .select_related("team__village", "cadre", "finding", "accountability", "recorded_by")
        .order_by("-date", "-id")
    )


def plan_teams(*, plan: InspectionPlan, user: Any) -> QuerySet[Team]:
    """The teams of the inspected region the user sees (the recording form's choices)."""
    return (
        scoping.restrict(Team.objects.filter(village__code__startswith=plan.scope_code), user)
        .select_related("village")
        .order_by("village_id")
    )
