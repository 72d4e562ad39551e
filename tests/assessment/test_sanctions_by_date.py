"""第二十条 凡被召回的驻村干部，1年内不得参加评先评优: each ban is read against the day of the act it
forbids — the grading (and 定档) of 优秀, the key-training entry — not against the assessment year
(docs/decisions/0083). A recall on 2026-11-30 bans awards to 2027-11-29 inclusive."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from assessment import rules, services
from assessment.models import AssessmentResult, AssessmentRound, RecallCase, Sanction
from cadres.models import Cadre
from tests.conftest import api_as
from zhucun.policy import HEBEI_2018
from zhucun.testing.world import World

from .helpers import grade_the_rest_of_甲县

RECALLED_ON = dt.date(2026, 11, 30)


def ban(cadre: Cadre) -> None:
    """The sanctions of a recall decided on 2026-11-30, as the decision service records them, on a cadre
    who is in post in 2027 again (a later dispatch): the rule under test is the date, not the status."""
    case = RecallCase.objects.create(
        cadre=cadre, unit=cadre.unit, village_code=cadre.team.village_id, trigger="other", status="recalled"
    )
    for kind, first, last in rules.sanction_periods(recalled_on=RECALLED_ON, profile=HEBEI_2018):
        Sanction.objects.create(
            cadre=cadre, case=case, village_code=case.village_code, kind=kind, starts_on=first, ends_on=last
        )


def grade_excellent(world: World, cadre: Cadre, year: int) -> tuple[int, dict[str, Any]]:
    response = api_as(world.personas["county"]).put(
        f"/api/v1/assessments/{year}/cadre/{cadre.pk}/", {"grade": "excellent"}, format="json"
    )
    return response.status_code, response.json()


def test_the_award_ban_of_a_recall_on_2026_11_30_ends_on_2027_11_29_第二十条() -> None:
    periods = {kind: (first, last) for kind, first, last in rules.sanction_periods(recalled_on=RECALLED_ON,
                                                                                  profile=HEBEI_2018)}  # fmt: skip
    assert periods["no_awards"] == (RECALLED_ON, dt.date(2027, 11, 29))


def test_the_2027_round_graded_after_the_ban_ended_may_rate_excellent_第二十条(world: World, clock: Any) -> None:
    cadre = world.leaders["A"]
    ban(cadre)
    clock.set(dt.date(2027, 11, 30))
    status, body = grade_excellent(world, cadre, 2027)
    assert status == 200, body
    assert AssessmentResult.objects.get(cadre=cadre, round__year=2027).grade == "excellent"


def test_grading_on_the_last_day_of_the_ban_is_refused_第二十条(world: World, clock: Any) -> None:
    cadre = world.leaders["A"]
    ban(cadre)
    clock.set(dt.date(2027, 11, 29))
    status, body = grade_excellent(world, cadre, 2027)
    assert status == 400
    assert "2026-11-30 至 2027-11-29 不得参加评先评优" in body["grade"][0]
    assert not AssessmentResult.objects.exists()


def test_a_2025_round_graded_during_the_ban_may_not_rate_excellent_第二十条(world: World, clock: Any) -> None:
    """The 2025 assessment year ended before the recall, but 优秀 given in December 2026 is an award
    taken during the ban."""
    cadre = world.leaders["A"]
    ban(cadre)
    clock.set(dt.date(2026, 12, 15))
    status, body = grade_excellent(world, cadre, 2025)
    assert status == 400 and "不得参加评先评优" in body["grade"][0]


def test_finalizing_during_the_ban_refuses_an_excellent_given_before_it_第二十条(world: World, clock: Any) -> None:
    county = world.personas["county"]
    cadre = world.leaders["A"]
    clock.set(dt.date(2026, 11, 20))
    assert grade_excellent(world, cadre, 2026)[0] == 200
    grade_the_rest_of_甲县(world, year=2026)
    ban(cadre)  # recalled on 2026-11-30, before the round's 定档
    clock.set(dt.date(2026, 12, 10))
    with pytest.raises(ValidationError, match=f"第二十条：{cadre.name}被召回"):
        services.assessment_round_finalize(actor=county, year=2026)
    assert not AssessmentRound.objects.filter(status="finalized").exists()
    services.assessment_grade_set(actor=county, year=2026, subject_type="cadre", obj=cadre, grade="competent")
    assert services.assessment_round_finalize(actor=county, year=2026).is_locked


def test_the_key_training_ledger_reads_the_ban_on_the_day_of_the_entry_第二十条_第二十三条(
    world: World, clock: Any
) -> None:
    cadre = world.leaders["A"]
    ban(cadre)
    county = world.personas["county"]
    clock.set(dt.date(2028, 11, 29))  # 不予提拔重用 runs to 2028-11-29
    with pytest.raises(ValidationError, match="不能列入重点培养对象台账"):
        services.key_training_add(actor=county, cadre=cadre, year=2027, reason="实绩突出")
    clock.set(dt.date(2028, 11, 30))
    entry = services.key_training_add(actor=county, cadre=cadre, year=2027, reason="实绩突出")
    assert entry.year == 2027
