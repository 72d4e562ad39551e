"""Who may grade and decide recall is decided by the services (第二十条, 第二十一条; docs/decisions/0080):
called directly with the wrong actor, each refuses with PermissionDenied and writes nothing — so no
page, API view or job can grade or recall by forgetting a check."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from assessment import services
from assessment.models import AssessmentResult, AssessmentRound, RecallCase, Sanction
from cadres.models import Cadre
from zhucun.models import AuditEvent
from zhucun.testing.world import World

from .helpers import YEAR, grade_the_rest_of_甲县, province_level


def consulted_case(world: World, target: str = "A") -> RecallCase:
    cadre = world.members[target]
    return RecallCase.objects.create(
        cadre=cadre,
        unit=cadre.unit,
        village_code=cadre.team.village_id,
        trigger="violation",
        evidence="纪检线索经核查属实",
        consultation="同意召回",
        consulted_at=timezone.now(),
    )


@pytest.mark.parametrize("persona", ["province", "city", "township", "unit", "cadre"])
def test_the_grading_service_refuses_anyone_but_the_units_assessing_department_第二十一条(
    world: World, persona: str
) -> None:
    """甲县's units are graded by 甲县's organization department only — not the province above it."""
    with pytest.raises(PermissionDenied):
        services.assessment_grade_set(
            actor=world.personas[persona], year=YEAR, subject_type="team", obj=world.teams["A"], grade="good"
        )
    assert not AssessmentResult.objects.exists()
    assert not AssessmentRound.objects.exists()
    assert not AuditEvent.objects.filter(action="assessment.grade").exists()


def test_the_grading_service_names_the_department_that_grades_第二十一条(world: World) -> None:
    team = province_level(1)[0]
    with pytest.raises(PermissionDenied, match="由省委组织部（13）考核和召回"):
        services.assessment_grade_set(
            actor=world.personas["county"], year=YEAR, subject_type="team", obj=team, grade="good"
        )
    assert not AssessmentResult.objects.exists()


@pytest.mark.parametrize("persona", ["province", "city", "township", "unit", "cadre"])
def test_the_recall_decision_service_refuses_anyone_but_the_assessing_department_第二十条(
    world: World, persona: str
) -> None:
    case = consulted_case(world)
    with pytest.raises(PermissionDenied):
        services.recall_case_decide(actor=world.personas[persona], case=case, decision="recalled", reason="属实")
    case.refresh_from_db()
    assert case.status == "open" and case.decided_by is None
    assert Cadre.objects.get(pk=case.cadre_id).status == Cadre.Status.ACTIVE
    assert not Sanction.objects.exists()
    assert not AuditEvent.objects.filter(action="recall.decide").exists()


def test_the_assessing_department_decides_through_the_same_service_第二十条(world: World) -> None:
    case = consulted_case(world)
    services.recall_case_decide(actor=world.personas["county"], case=case, decision="dismissed", reason="不属实")
    assert RecallCase.objects.get(pk=case.pk).status == "dismissed"


@pytest.mark.parametrize("persona", ["province", "city", "township", "cadre"])
def test_the_consultation_service_refuses_other_departments_and_roles_第二十条(world: World, persona: str) -> None:
    case = consulted_case(world)
    with pytest.raises(PermissionDenied):
        services.recall_case_consult(actor=world.personas[persona], case=case, opinion="同意")
    assert RecallCase.objects.get(pk=case.pk).consultation == "同意召回"


def test_a_unit_records_its_opinion_only_on_its_own_cadres_case_第二十条(world: World) -> None:
    """The unit persona is 甲县卫生健康局 (A): B's case is another unit's."""
    with pytest.raises(PermissionDenied):
        services.recall_case_consult(actor=world.personas["unit"], case=consulted_case(world, "B"), opinion="同意")
    own = services.recall_case_consult(actor=world.personas["unit"], case=consulted_case(world, "A"), opinion="同意")
    assert own.consultation == "同意"


@pytest.mark.parametrize("persona", ["township", "unit", "cadre"])
def test_finalizing_is_refused_to_anyone_but_an_organization_department_第二十一条(world: World, persona: str) -> None:
    grade_the_rest_of_甲县(world)
    with pytest.raises(PermissionDenied):
        services.assessment_round_finalize(actor=world.personas[persona], year=YEAR)
    assert not AssessmentRound.objects.filter(status="finalized").exists()


@pytest.mark.parametrize("persona", ["township", "unit", "cadre"])
def test_opening_a_case_by_hand_is_refused_to_anyone_but_an_organization_department_第二十条(
    world: World, persona: str
) -> None:
    with pytest.raises(PermissionDenied):
        services.recall_case_open(
            actor=world.personas[persona], cadre=world.members["A"], trigger="violation", evidence="线索"
        )
    assert not RecallCase.objects.exists()


def test_the_pages_take_no_check_from_the_api_module() -> None:
    """Pages and the API ask the same rules (assessment/rules.py through the services), not each other."""
    import assessment.views

    assert not hasattr(assessment.views, "require_assessing_department")


def test_a_service_called_without_an_actor_refuses_instead_of_acting_as_nobody(world: World) -> None:
    case = consulted_case(world)
    with pytest.raises(PermissionDenied, match="请先登录"):
        services.recall_case_decide(actor=None, case=case, decision="recalled", reason="属实")
    with pytest.raises(PermissionDenied, match="请先登录"):
        services.recall_case_consult(actor=None, case=case, opinion="同意")
    with pytest.raises(PermissionDenied, match="请先登录"):
        services.assessment_grade_set(actor=None, year=YEAR, subject_type="team", obj=world.teams["A"], grade="good")
    assert RecallCase.objects.get(pk=case.pk).status == "open"
