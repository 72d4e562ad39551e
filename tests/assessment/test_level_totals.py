"""第二十二条: 优秀 is at most 40% of the level's teams and cadres — the level's total of a year is the
teams and cadres in post in that year (docs/decisions/0082): a team exists in a year when one of its
cadres is in post in it; a recalled cadre leaves the totals from the recall year (第二十条: the recall
year's time is not counted), an adjusted one after the adjustment year."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from assessment import rules, services
from assessment.models import AssessmentResult, AssessmentRound
from cadres.models import Cadre, Unit
from zhucun.models import AuditEvent
from zhucun.testing.world import World

from .helpers import grade_the_rest_of_甲县, province_level


def totals(year: int, level: str = "county", region_code: str = "130102") -> tuple[int, int]:
    """(teams, cadres) in the level's total of ``year`` — what the 40% cap is counted against."""
    quotas = rules.quotas_for_rounds([AssessmentRound(year=year, level=level, region_code=region_code)])
    return quotas[(None, "team")].total, quotas[(None, "cadre")].total  # type: ignore[index]


def recall(world: World, cadre: Cadre) -> None:
    """Recalled through the services: a case opened by hand, the unit consulted, the department decides."""
    county = world.personas["county"]
    case = services.recall_case_open(actor=county, cadre=cadre, trigger="violation", evidence="经核查属实")
    services.recall_case_consult(actor=county, case=case, opinion="同意召回")
    services.recall_case_decide(actor=county, case=case, decision="recalled", reason="经核查属实")


def test_teams_dispatched_in_2026_are_not_in_the_2024_total_第二十二条(world: World) -> None:
    province = world.personas["province"]
    early = province_level(2, start=dt.date(2023, 3, 1))  # in post 2023-03-01 to 2026-02-28
    late = province_level(3, start=dt.date(2026, 3, 1))
    assert totals(2024, "province", "13") == (2, 2)
    assert totals(2026, "province", "13") == (5, 5)
    with pytest.raises(ValidationError, match="2024年度没有在岗的驻村干部"):
        services.assessment_grade_set(actor=province, year=2024, subject_type="team", obj=late[0], grade="good")
    # The 2024 round is complete with the two teams that existed then, their cadres and units.
    for team in early:
        services.assessment_grade_set(actor=province, year=2024, subject_type="team", obj=team, grade="good")
        services.assessment_grade_set(
            actor=province, year=2024, subject_type="cadre", obj=team.cadres.get(), grade="competent"
        )
        services.assessment_grade_set(actor=province, year=2024, subject_type="unit", obj=team.unit, grade="good")
    assert services.assessment_round_finalize(actor=province, year=2024).is_locked


def test_a_recalled_cadre_leaves_the_totals_from_the_recall_year_第二十二条_第二十条(world: World, clock: Any) -> None:
    cadre = world.members["B"]
    clock.set(dt.date(2026, 6, 1))
    recall(world, cadre)
    assert totals(2025) == (2, 4)
    assert totals(2026) == (2, 3)
    assert totals(2027) == (2, 3)
    county = world.personas["county"]
    with pytest.raises(ValidationError, match="已召回，2026年度不在驻村岗位"):
        services.assessment_grade_set(actor=county, year=2026, subject_type="cadre", obj=cadre, grade="competent")
    # 甲县's 2026 round is complete without them.
    grade_the_rest_of_甲县(world, but=cadre, year=2026)
    assert services.assessment_round_finalize(actor=county, year=2026).is_locked


def test_a_team_whose_cadres_were_all_recalled_leaves_the_totals_第二十二条(world: World, clock: Any) -> None:
    clock.set(dt.date(2026, 6, 1))
    recall(world, world.leaders["B"])
    recall(world, world.members["B"])
    assert totals(2025) == (2, 4)
    assert totals(2026) == (1, 2)
    subjects = Unit.objects.filter(rules.units_in_post(2026), region_id="130102")
    assert list(subjects) == [world.units["A"]]


def test_an_adjusted_cadre_counts_up_to_the_year_of_the_adjustment_第二十二条(world: World, clock: Any) -> None:
    cadre = world.members["B"]
    clock.set(dt.date(2025, 9, 1))
    Cadre.objects.filter(pk=cadre.pk).update(status=Cadre.Status.ADJUSTED)
    AuditEvent.objects.create(
        action="cadre.update",
        object_type="cadres.cadre",
        object_id=str(cadre.pk),
        before={"status": "active"},
        after={"status": "adjusted"},
        region_code=cadre.team.village_id,
    )
    assert totals(2025) == (2, 4)
    assert totals(2026) == (2, 3)


def test_an_adjusted_cadre_without_a_dated_record_counts_up_to_their_last_graded_year_第二十二条(
    world: World, clock: Any
) -> None:
    """Status set outside the services (no audit event): the years they were graded in keep them."""
    cadre = world.members["B"]
    clock.set(dt.date(2026, 3, 1))
    services.assessment_grade_set(
        actor=world.personas["county"], year=2025, subject_type="cadre", obj=cadre, grade="competent"
    )
    Cadre.objects.filter(pk=cadre.pk).update(status=Cadre.Status.ADJUSTED)
    assert totals(2025) == (2, 4)
    assert totals(2026) == (2, 3)
    assert AssessmentResult.objects.filter(cadre=cadre, round__year=2025).exists()


def test_the_overview_counts_only_the_graded_subjects_in_the_total(world: World, clock: Any) -> None:
    """A grade given before a recall does not stand in for a subject still to be graded."""
    from assessment.selectors import round_progress

    county = world.personas["county"]
    clock.set(dt.date(2026, 3, 1))
    services.assessment_grade_set(
        actor=county, year=2026, subject_type="cadre", obj=world.members["B"], grade="competent"
    )
    clock.set(dt.date(2026, 6, 1))
    recall(world, world.members["B"])
    round = AssessmentRound.objects.get(year=2026)
    cadres = next(p for p in round_progress(round=round) if p.subject_type == "cadre")
    assert (cadres.graded, cadres.total) == (0, 3)
