"""A 不称职 recall case follows the final grade (第二十条1: 年度考核中被评定为"不称职"的;
docs/decisions/0081): opened when the round is finalized, closed by the system when the grade it stood
on changes, and never decided on a grade that is no longer a final 不称职."""

from __future__ import annotations

from django.utils import timezone

from assessment import services
from assessment.models import AssessmentResult, AssessmentRound, RecallCase, Sanction
from assessment.tasks import detect_recall_triggers
from cadres.models import Cadre
from tests.conftest import api_as
from zhucun.models import AuditEvent
from zhucun.testing.world import World

from .helpers import YEAR, grade_the_rest_of_甲县


def grade(world: World, cadre: Cadre, value: str) -> int:
    response = api_as(world.personas["county"]).put(
        f"/api/v1/assessments/{YEAR}/cadre/{cadre.pk}/", {"grade": value}, format="json"
    )
    return response.status_code


def decide(world: World, case: RecallCase, decision: str = "recalled") -> tuple[int, dict[str, object]]:
    response = api_as(world.personas["county"]).post(
        f"/api/v1/recall-cases/{case.pk}/decide/", {"decision": decision, "reason": "年度考核不称职"}, format="json"
    )
    return response.status_code, response.json()


def provisional_case(world: World, cadre: Cadre) -> RecallCase:
    """An open case on a grade of a round still open — what grading 不称职 used to open at once."""
    return RecallCase.objects.create(
        cadre=cadre,
        unit=cadre.unit,
        village_code=cadre.team.village_id,
        trigger="incompetent_rating",
        year=YEAR,
        evidence=f"{YEAR}年度考核评定为不称职（第二十条1）。",
        consultation="同意召回",
        consulted_at=timezone.now(),
    )


def test_grading_incompetent_opens_no_case_before_the_round_is_finalized_第二十条1(world: World) -> None:
    cadre = world.members["A"]
    assert grade(world, cadre, "incompetent") == 200
    detect_recall_triggers()  # nor does the nightly backstop, on a provisional grade
    assert not RecallCase.objects.exists()
    grade_the_rest_of_甲县(world)
    services.assessment_round_finalize(actor=world.personas["county"], year=YEAR)
    case = RecallCase.objects.get()
    assert (case.cadre_id, case.trigger, case.status, case.year) == (cadre.pk, "incompetent_rating", "open", YEAR)
    assert AuditEvent.objects.filter(action="recall.open", object_id=str(case.pk)).count() == 1


def test_changing_the_grade_to_competent_closes_the_open_case_with_its_reason_第二十条1(world: World) -> None:
    cadre = world.members["A"]
    assert grade(world, cadre, "incompetent") == 200
    case = provisional_case(world, cadre)
    assert grade(world, cadre, "competent") == 200
    case.refresh_from_db()
    assert (case.status, case.closed_automatically, case.decided_by) == ("dismissed", True, None)
    assert "已改为称职" in case.decision_reason and "自动撤销" in case.decision_reason
    event = AuditEvent.objects.get(action="recall.close_automatically", object_id=str(case.pk))
    assert event.before == {"status": "open", "closed_automatically": False}
    assert event.actor == world.personas["county"]  # whose change closed it
    assert not Sanction.objects.exists()


def test_a_case_is_not_decided_recalled_while_the_grade_is_competent_第二十条1(world: World) -> None:
    cadre = world.members["A"]
    assert grade(world, cadre, "competent") == 200
    grade_the_rest_of_甲县(world)
    services.assessment_round_finalize(actor=world.personas["county"], year=YEAR)
    case = provisional_case(world, cadre)  # a case left over from a 不称职 the department changed
    status, body = decide(world, case)
    assert status == 409
    assert "等次已改为称职，不再是不称职" in str(body["detail"])
    assert RecallCase.objects.get(pk=case.pk).status == "open"
    assert Cadre.objects.get(pk=cadre.pk).status == Cadre.Status.ACTIVE
    assert not Sanction.objects.exists()


def test_a_case_is_not_decided_while_its_round_is_still_open_第二十条1(world: World) -> None:
    cadre = world.members["A"]
    assert grade(world, cadre, "incompetent") == 200
    case = provisional_case(world, cadre)
    status, body = decide(world, case)
    assert status == 409 and "尚未定档" in str(body["detail"])
    assert not Sanction.objects.exists()


def test_a_final_incompetent_case_is_decided_with_its_sanctions_第二十条1(world: World) -> None:
    cadre = world.members["A"]
    assert grade(world, cadre, "incompetent") == 200
    grade_the_rest_of_甲县(world)
    services.assessment_round_finalize(actor=world.personas["county"], year=YEAR)
    case = RecallCase.objects.get(cadre=cadre)
    services.recall_case_consult(actor=world.personas["unit"], case=case, opinion="同意召回")
    status, body = decide(world, case)
    assert status == 200 and body["status"] == "recalled"
    assert Sanction.objects.filter(cadre=cadre).count() == 3


def test_the_nightly_job_closes_a_left_over_case_once_第二十条1(world: World) -> None:
    """Cases opened at grading before this rule: the job closes those whose grade is not a final 不称职."""
    cadre = world.members["A"]
    assert grade(world, cadre, "incompetent") == 200
    case = provisional_case(world, cadre)
    assert detect_recall_triggers() == 1
    case.refresh_from_db()
    assert (case.status, case.closed_automatically) == ("dismissed", True)
    assert "尚未定档" in case.decision_reason
    assert detect_recall_triggers() == 0
    assert AuditEvent.objects.filter(action="recall.close_automatically").count() == 1


def test_a_case_closed_by_the_system_does_not_stop_the_final_grade_opening_one_第二十条1(world: World) -> None:
    cadre = world.members["A"]
    assert grade(world, cadre, "incompetent") == 200
    closed = provisional_case(world, cadre)
    assert grade(world, cadre, "basically_competent") == 200
    assert grade(world, cadre, "incompetent") == 200
    grade_the_rest_of_甲县(world)
    services.assessment_round_finalize(actor=world.personas["county"], year=YEAR)
    opened = RecallCase.objects.get(status="open")
    assert opened.pk != closed.pk and opened.year == YEAR
    assert AssessmentRound.objects.get().is_locked
    assert AssessmentResult.objects.get(cadre=cadre).grade == "incompetent"
