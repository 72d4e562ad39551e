"""The rules of the annual assessment at their boundaries (第二十条, 第二十二条, 第二十四条, 第二十五条),
through the public API as an official uses it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from assessment import rules, services
from assessment.models import AssessmentResult, AssessmentRound, RecallCase, Sanction
from cadres.models import Team
from tests.conftest import api_as
from zhucun.policy import HEBEI_2018
from zhucun.testing.world import World

from .helpers import YEAR, add_cadre, grade_the_rest_of_甲县, province_level


def put(user: object, subject_type: str, pk: int, grade: str, year: int = YEAR) -> tuple[int, dict[str, Any]]:
    response = api_as(user).put(f"/api/v1/assessments/{year}/{subject_type}/{pk}/", {"grade": grade}, format="json")
    return response.status_code, response.json()


@pytest.mark.parametrize(
    ("total", "cap"), [(0, 0), (1, 0), (2, 0), (3, 1), (5, 2), (10, 4), (12, 4), (13, 5), (30, 12)]
)
def test_excellent_cap_is_floor_of_40_percent_of_the_level_第二十二条(total: int, cap: int) -> None:
    assert rules.excellent_cap(total, profile=HEBEI_2018) == cap


def test_five_province_teams_allow_two_excellent_and_refuse_the_third_第二十二条(world: World) -> None:
    province = world.personas["province"]
    teams = province_level(5)
    assert put(province, "team", teams[0].pk, "excellent")[0] == 200
    assert put(province, "team", teams[1].pk, "excellent")[0] == 200
    status, body = put(province, "team", teams[2].pk, "excellent")
    assert status == 400
    assert "第二十二条" in body["grade"][0]
    assert "优秀已 2 个，上限 2 个（40%，本级共 5 个）" in body["grade"][0]
    # Nothing was written for the refused team; it can still be rated 良好.
    assert not AssessmentResult.objects.filter(team=teams[2]).exists()
    assert put(province, "team", teams[2].pk, "good")[0] == 200


def test_ten_teams_allow_four_excellent_第二十二条(world: World) -> None:
    province = world.personas["province"]
    teams = province_level(10)
    for team in teams[:4]:
        assert put(province, "team", team.pk, "excellent")[0] == 200
    status, body = put(province, "team", teams[4].pk, "excellent")
    assert status == 400
    assert "优秀已 4 个，上限 4 个" in body["grade"][0]


def test_cap_counts_the_whole_level_not_those_graded_so_far_第二十二条(world: World) -> None:
    """With 5 teams and only 2 graded (both 优秀), the cap is still 2 of 5, not 40% of 2."""
    province = world.personas["province"]
    teams = province_level(5)
    put(province, "team", teams[0].pk, "excellent")
    put(province, "team", teams[1].pk, "excellent")
    round = AssessmentRound.objects.get(year=YEAR, level="province")
    quota = rules.quotas_for_rounds([round])[(round.pk, "team")]
    assert (quota.total, quota.excellent, quota.cap) == (5, 2, 2)


def test_resaving_an_excellent_team_does_not_count_it_twice_第二十二条(world: World) -> None:
    province = world.personas["province"]
    teams = province_level(5)
    put(province, "team", teams[0].pk, "excellent")
    put(province, "team", teams[1].pk, "excellent")
    assert put(province, "team", teams[1].pk, "excellent")[0] == 200
    # Lowering one frees the quota for another.
    assert put(province, "team", teams[1].pk, "good")[0] == 200
    assert put(province, "team", teams[2].pk, "excellent")[0] == 200


def test_cadres_have_their_own_cap_separate_from_teams_第二十二条(world: World) -> None:
    province = world.personas["province"]
    teams = province_level(5)  # 5 teams, 5 cadres
    for team in teams[:2]:
        assert put(province, "team", team.pk, "excellent")[0] == 200
    cadres = [team.cadres.get() for team in teams]
    assert put(province, "cadre", cadres[0].pk, "excellent")[0] == 200
    assert put(province, "cadre", cadres[1].pk, "excellent")[0] == 200
    status, body = put(province, "cadre", cadres[2].pk, "excellent")
    assert status == 400
    assert "本级驻村干部优秀已 2 人，上限 2 人" in body["grade"][0]


def test_the_ratio_comes_from_the_policy_profile_第二十二条(world: World) -> None:
    from zhucun.models import PolicyProfileVersion

    PolicyProfileVersion.objects.create(
        name="试点", effective_from="2026-01-01", overrides={"excellent_ratio": "0.20"}, basis="测试"
    )
    province = world.personas["province"]
    teams = province_level(5)
    assert put(province, "team", teams[0].pk, "excellent")[0] == 200
    status, body = put(province, "team", teams[1].pk, "excellent")
    assert status == 400 and "上限 1 个（20%" in body["grade"][0]


def test_unit_with_a_team_at_fair_cannot_be_excellent_第二十五条(world: World) -> None:
    province = world.personas["province"]
    team = province_level(5)[0]
    assert put(province, "team", team.pk, "fair")[0] == 200
    status, body = put(province, "unit", team.unit_id, "excellent")
    assert status == 400
    assert "第二十五条" in body["grade"][0] and "一般" in body["grade"][0]
    assert put(province, "unit", team.unit_id, "good")[0] == 200


def test_unit_with_a_mixed_team_member_at_poor_cannot_be_excellent_第二十五条(world: World) -> None:
    """A mixed team (第十六条): the unit of a member, not only the leading unit, is the team's 派出单位."""
    province = world.personas["province"]
    team, other = province_level(2)
    add_cadre(team, name="混编队员", unit=other.unit)
    assert put(province, "team", team.pk, "poor")[0] == 200
    status, _ = put(province, "unit", other.unit_id, "excellent")
    assert status == 400


def test_team_cannot_drop_to_fair_while_its_unit_stands_excellent_第二十五条(world: World) -> None:
    province = world.personas["province"]
    team = province_level(5)[0]
    assert put(province, "unit", team.unit_id, "excellent")[0] == 200
    status, body = put(province, "team", team.pk, "fair")
    assert status == 400
    assert "请先调整该派出单位的等次" in body["grade"][0]


def test_unit_at_fair_marks_its_leadership_not_eligible_for_excellent_第二十四条(world: World) -> None:
    province = world.personas["province"]
    team = province_level(1)[0]
    status, body = put(province, "unit", team.unit_id, "fair")
    assert status == 200 and body["leadership_not_excellent"] is True
    status, body = put(province, "unit", team.unit_id, "good")
    assert body["leadership_not_excellent"] is False
    assert put(province, "unit", team.unit_id, "poor")[1]["leadership_not_excellent"] is True


def test_sanctioned_cadre_cannot_be_excellent_第二十条(world: World, clock: Any) -> None:
    clock.set(dt.date(2026, 3, 1))  # grading the 2025 round while the ban runs
    county = world.personas["county"]
    cadre = world.leaders["A"]
    case = RecallCase.objects.create(
        cadre=cadre, unit=cadre.unit, village_code=cadre.team.village_id, trigger="other", status="recalled"
    )
    Sanction.objects.create(
        cadre=cadre,
        case=case,
        village_code=case.village_code,
        kind="no_awards",
        starts_on="2025-06-01",
        ends_on="2026-05-31",
    )
    # 甲县 has 4 cadres in post, so 1 may be 优秀 — but not this one.
    status, body = put(county, "cadre", cadre.pk, "excellent", year=2025)
    assert status == 400
    assert "第二十条" in body["grade"][0] and "不得参加评先评优" in body["grade"][0]
    assert put(county, "cadre", world.members["A"].pk, "excellent", year=2025)[0] == 200


def test_a_sanction_that_ended_before_the_year_does_not_block_excellent_第二十条(world: World) -> None:
    cadre = world.leaders["A"]
    case = RecallCase.objects.create(
        cadre=cadre, unit=cadre.unit, village_code=cadre.team.village_id, trigger="other", status="recalled"
    )
    Sanction.objects.create(
        cadre=cadre,
        case=case,
        village_code=case.village_code,
        kind="no_awards",
        starts_on="2024-06-01",
        ends_on="2025-05-31",
    )
    assert put(world.personas["county"], "cadre", cadre.pk, "excellent")[0] == 200


def test_grades_are_refused_after_finalization_第二十一条(world: World) -> None:
    county = world.personas["county"]
    # 甲县's level: teams A and B, their 4 cadres, their 2 units.
    subjects = [("team", world.teams[t].pk, "good") for t in "AB"]
    subjects += [("cadre", c.pk, "competent") for c in (world.leaders["A"], world.members["A"], world.leaders["B"])]
    subjects += [("unit", world.units[t].pk, "good") for t in "AB"]
    for subject_type, pk, grade in subjects:
        assert put(county, subject_type, pk, grade)[0] == 200
    with pytest.raises(ValidationError, match="还有未评定的对象：驻村干部 1 人"):
        services.assessment_round_finalize(actor=county, year=YEAR)
    assert put(county, "cadre", world.members["B"].pk, "competent")[0] == 200
    services.assessment_round_finalize(actor=county, year=YEAR)
    status, body = put(county, "team", world.teams["A"].pk, "fair")
    assert status == 400 and "已定档" in body["grade"][0]
    assert AssessmentResult.objects.get(team=world.teams["A"]).grade == "good"


def test_a_grade_outside_the_subjects_scale_is_refused(world: World) -> None:
    status, body = put(world.personas["county"], "team", world.teams["A"].pk, "competent")
    assert status == 400 and "优秀、良好、一般、差" in body["grade"][0]


def test_incompetent_rating_opens_one_recall_case_when_the_round_is_finalized_第二十条(world: World) -> None:
    county = world.personas["county"]
    cadre = world.members["A"]
    assert put(county, "cadre", cadre.pk, "incompetent")[0] == 200
    assert put(county, "cadre", cadre.pk, "basically_competent")[0] == 200
    assert put(county, "cadre", cadre.pk, "incompetent")[0] == 200
    assert not RecallCase.objects.exists()  # a grade of an open round is provisional
    grade_the_rest_of_甲县(world, but=cadre)
    services.assessment_round_finalize(actor=county, year=YEAR)
    case = RecallCase.objects.get(cadre=cadre)
    assert (case.trigger, case.status, case.year) == ("incompetent_rating", "open", YEAR)


def test_many_teams_at_fair_flag_the_countys_score_reduction_第二十五条(world: World) -> None:
    county = world.personas["county"]
    teams = Team.objects.filter(village__code__startswith="130102")
    assert put(county, "team", world.teams["A"].pk, "good")[0] == 200
    assert not rules.county_flags(year=YEAR, teams=teams)["130102"].flagged
    assert put(county, "team", world.teams["B"].pk, "fair")[0] == 200
    flag = rules.county_flags(year=YEAR, teams=teams)["130102"]
    assert (flag.teams, flag.fair_or_below, flag.share) == (2, 1, Decimal("0.5"))
    assert flag.flagged  # 50% ≥ the profile's 20%
