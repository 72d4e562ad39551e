"""Reads of the assessment app. Each returns a fixed number of queries whatever the number of rows:
grades and counts are annotated, related rows joined."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from django.db.models import Avg, CharField, Count, Exists, OuterRef, Q, QuerySet, Subquery

from cadres.models import Cadre, Region, Team, Unit
from zhucun import scoping

from . import rules
from .models import (
    AccountabilityRecord,
    AssessmentResult,
    AssessmentRound,
    CountyEvaluationOpinion,
    RecallCase,
    SubjectType,
    SupportOpinion,
    TeamGrade,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


@dataclasses.dataclass(frozen=True)
class Progress:
    subject_type: str
    label: str
    counter: str
    graded: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.graded / self.total) if self.total else 100


SUBJECT_LABELS = {
    SubjectType.TEAM: ("驻村工作队", "个"),
    SubjectType.CADRE: ("驻村干部", "人"),
    SubjectType.UNIT: ("派出单位", "个"),
}


def department_subjects(*, level: str, region_code: str, year: int, subject_type: str) -> QuerySet[Any]:
    """Everything a department assesses in ``year`` (第二十一条, 第二十四条): its level's teams and
    cadres in post that year (第二十二条, ``rules.teams_in_post``/``cadres_in_post``), its units — with
    the names a grid or sheet shows, the stationing village's city, county and township among them (two
    cadres of one name in two villages of one name are told apart by them)."""
    if subject_type == SubjectType.TEAM:
        return (
            Team.objects.filter(scoping.assessed_units_q(level, region_code, "unit__"), rules.teams_in_post(year))
            .select_related("village__parent__parent__parent", "unit")
            .order_by("village_id")
        )
    if subject_type == SubjectType.CADRE:
        return (
            Cadre.objects.filter(scoping.assessed_units_q(level, region_code, "unit__"), rules.cadres_in_post(year))
            .select_related("team__village__parent__parent__parent", "unit")
            .order_by("team__village_id", "role", "name")
        )
    return (
        Unit.objects.filter(scoping.assessed_units_q(level, region_code), rules.units_in_post(year))
        .select_related("region")
        .order_by("name")
    )


def with_grade(queryset: QuerySet[Any], *, subject_type: str, year: int) -> QuerySet[Any]:
    """Annotate each subject with its ``grade`` in ``year`` (one subquery, not one query per row)."""
    results = AssessmentResult.objects.filter(
        round__year=year, subject_type=subject_type, **{f"{subject_type}_id": OuterRef("pk")}
    ).order_by("-graded_at")
    annotated = queryset.annotate(
        grade=Subquery(results.values("grade")[:1], output_field=CharField()),
        leadership_flag=Subquery(results.values("leadership_not_excellent")[:1]),
    )
    if subject_type != SubjectType.UNIT:
        return annotated
    return annotated.annotate(  # 第二十四条: the unit's leadership team and head, where recorded
        leadership_grade=Subquery(results.values("leadership_grade")[:1], output_field=CharField()),
        head_grade=Subquery(results.values("head_grade")[:1], output_field=CharField()),
    )


def round_progress(*, round: AssessmentRound) -> list[Progress]:
    """Graded / total per subject type of a department's round (UI.md page 3): of the subjects in the
    level's total, how many have a grade in the round — a grade of a subject no longer in the total
    (e.g. given before a recall) does not stand in for one that is missing. One query per type."""
    progress = []
    for subject_type in (SubjectType.TEAM, SubjectType.CADRE, SubjectType.UNIT):
        label, counter = SUBJECT_LABELS[subject_type]
        subjects = department_subjects(
            level=round.level, region_code=round.region_code, year=round.year, subject_type=subject_type
        )
        graded = AssessmentResult.objects.filter(
            round_id=round.pk or 0, subject_type=subject_type, **{f"{subject_type}_id": OuterRef("pk")}
        )
        counts = subjects.order_by().aggregate(total=Count("pk"), graded=Count("pk", filter=Q(Exists(graded))))
        progress.append(Progress(subject_type, label, counter, counts["graded"], counts["total"]))
    return progress


def visible_rounds(*, user: User | AnonymousUser, year: int) -> QuerySet[AssessmentRound]:
    """The rounds of ``year`` the user sees: their department's and those below it."""
    return scoping.restrict(AssessmentRound.objects.filter(year=year), user).order_by("region_code", "level")


def recall_cases(*, user: User | AnonymousUser) -> QuerySet[RecallCase]:
    return scoping.restrict(RecallCase.objects.all(), user).select_related(
        "cadre", "unit", "cadre__team__village__parent__parent__parent"
    )


def filtered_recall_cases(*, user: User | AnonymousUser, status: str = "", search: str = "") -> QuerySet[RecallCase]:
    """The recall list's rows — the page and its xlsx export filter the same way."""
    cases = recall_cases(user=user)
    if status in RecallCase.Status.values:
        cases = cases.filter(status=status)
    if search.strip():
        cases = cases.filter(cadre__name__icontains=search.strip())
    return cases.order_by("-opened_at", "-id")


def accountability_records(*, user: User | AnonymousUser) -> QuerySet[AccountabilityRecord]:
    """第十七条 records in the caller's scope, newest decision first (the page and its export)."""
    return scoping.restrict(AccountabilityRecord.objects.select_related("unit", "cadre"), user).order_by(
        "-decided_on", "-id"
    )


def subject_in_scope(*, user: User | AnonymousUser, subject_type: str, pk: int) -> Any | None:
    """The subject with this id if the user may see it (None: out of scope → 404)."""
    model: type[Any] = {SubjectType.CADRE: Cadre, SubjectType.TEAM: Team, SubjectType.UNIT: Unit}[
        SubjectType(subject_type)
    ]
    queryset = model.objects.all()
    if model is Cadre:
        queryset = queryset.select_related("team", "unit")
    elif model is Team:
        queryset = queryset.select_related("unit", "village")
    return scoping.restrict(queryset, user).filter(pk=pk).first()


def result_for(*, subject_type: str, obj: Any, year: int) -> AssessmentResult | None:
    return (
        AssessmentResult.objects.filter(round__year=year, subject_type=subject_type, **{f"{subject_type}_id": obj.pk})
        .select_related("round")
        .first()
    )


def county_opinions(
    *, user: User | AnonymousUser, year: int, subject_type: str, subject: Any
) -> QuerySet[CountyEvaluationOpinion]:
    """The stationing counties' opinions on a subject (第十四条3) that the user may see."""
    return (
        scoping.restrict(CountyEvaluationOpinion.objects.all(), user)
        .filter(year=year, subject_type=subject_type, **{f"{subject_type}_id": subject.pk})
        .order_by("-recorded_at")
    )


# --- 第二十五条 双线考核 -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class BodyOpinions:
    """The teams' opinions on one body (a county or a dispatching unit) in a year, weighted (第二十五条)."""

    body_type: str
    key: str
    name: str
    grades: dict[str, int]
    weight: rules.OpinionWeight


def support_opinions(*, user: User | AnonymousUser, year: int) -> QuerySet[SupportOpinion]:
    """The year's opinions the user sees, with the team's village and the unit joined."""
    return (
        scoping.restrict(SupportOpinion.objects.filter(year=year), user)
        .select_related("team__village", "unit", "submitted_by")
        .order_by("body_type", "county_code", "unit__name", "village_code", "id")
    )


def support_opinion_summary(*, user: User | AnonymousUser, year: int) -> list[BodyOpinions]:
    """Per body evaluated, the number of opinions by grade, their mean score and its weighted points
    (第二十五条): two grouped queries whatever the number of opinions, and one for the counties' names."""
    grouped: Any = (
        scoping.restrict(SupportOpinion.objects.filter(year=year), user)
        .values("body_type", "county_code", "unit_id", "unit__name")
        .annotate(
            n=Count("id"),
            mean=Avg("score"),
            **{grade: Count("id", filter=Q(grade=grade)) for grade in TeamGrade.values},
        )
        .order_by("body_type", "county_code", "unit__name")
    )
    rows: list[dict[str, Any]] = list(grouped)
    counties = {r["county_code"] for r in rows if r["body_type"] == SupportOpinion.BodyType.COUNTY}
    names = dict(Region.objects.filter(code__in=counties).values_list("code", "name"))
    summary = []
    for row in rows:
        county = row["body_type"] == SupportOpinion.BodyType.COUNTY
        summary.append(
            BodyOpinions(
                body_type=row["body_type"],
                key=row["county_code"] if county else str(row["unit_id"]),
                name=names.get(row["county_code"], row["county_code"]) if county else row["unit__name"],
                grades={grade: row[grade] for grade in TeamGrade.values},
                weight=rules.opinion_weight(year=year, opinions=row["n"], mean_score=row["mean"]),
            )
        )
    return summary
