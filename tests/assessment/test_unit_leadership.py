"""第二十四条: a unit whose 驻村帮扶 work is 一般 or below — its leadership team (年度目标绩效考核) and its
head (年度考核) may not be 优秀. Enforced where the department records their grades, in the unit's
round (docs/decisions/0084), through the service and the grid alike."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from assessment import services
from assessment.models import AssessmentResult
from zhucun.models import AuditEvent
from zhucun.testing.world import World

from .helpers import YEAR


def grade_unit(world: World, grade: str, target: str = "A") -> AssessmentResult:
    return services.assessment_grade_set(
        actor=world.personas["county"], year=YEAR, subject_type="unit", obj=world.units[target], grade=grade
    )


def leadership(world: World, target: str = "A", **grades: str) -> AssessmentResult:
    return services.unit_leadership_grade_set(
        actor=world.personas["county"], year=YEAR, unit=world.units[target], **grades
    )


@pytest.mark.parametrize("unit_grade", ["fair", "poor"])
@pytest.mark.parametrize("field", ["leadership_grade", "head_grade"])
def test_a_unit_at_fair_or_below_may_not_have_its_leadership_or_head_excellent_第二十四条(
    world: World, unit_grade: str, field: str
) -> None:
    grade_unit(world, unit_grade)
    with pytest.raises(ValidationError, match="第二十四条") as refused:
        leadership(world, **{field: "excellent"})
    assert field in refused.value.message_dict
    result = AssessmentResult.objects.get(unit=world.units["A"])
    assert (result.leadership_grade, result.head_grade) == ("", "")
    assert not AuditEvent.objects.filter(action="assessment.leadership_grade").exists()


def test_below_excellent_is_recorded_and_audited_第二十四条(world: World) -> None:
    grade_unit(world, "fair")
    result = leadership(world, leadership_grade="good", head_grade="competent")
    assert (result.leadership_grade_label, result.head_grade_label) == ("良好", "称职")
    event = AuditEvent.objects.get(action="assessment.leadership_grade")
    assert event.after == {"leadership_grade": "good", "head_grade": "competent"}


def test_a_unit_at_good_may_have_its_leadership_excellent_第二十四条(world: World) -> None:
    grade_unit(world, "good")
    assert leadership(world, leadership_grade="excellent", head_grade="excellent").head_grade == "excellent"


def test_a_unit_is_not_lowered_to_fair_while_its_head_stands_excellent_第二十四条(world: World) -> None:
    grade_unit(world, "good")
    leadership(world, head_grade="excellent")
    with pytest.raises(ValidationError, match="请先调整领导班子或主要负责同志的等次"):
        grade_unit(world, "fair")
    assert AssessmentResult.objects.get(unit=world.units["A"]).grade == "good"
    leadership(world, head_grade="competent")
    assert grade_unit(world, "fair").leadership_not_excellent


def test_the_leadership_is_graded_after_the_units_work_第二十四条(world: World) -> None:
    with pytest.raises(ValidationError, match="请先评定「甲县卫生健康局」2026年度的驻村帮扶工作等次"):
        leadership(world, leadership_grade="good")
    assert not AssessmentResult.objects.exists()


def test_a_grade_outside_the_leaderships_scales_is_refused(world: World) -> None:
    grade_unit(world, "good")
    with pytest.raises(ValidationError) as refused:
        leadership(world, leadership_grade="competent", head_grade="good")
    assert set(refused.value.message_dict) == {"leadership_grade", "head_grade"}


def test_only_the_assessing_department_records_the_leaderships_grades_第二十一条(world: World) -> None:
    grade_unit(world, "good")
    with pytest.raises(PermissionDenied):
        services.unit_leadership_grade_set(
            actor=world.personas["province"], year=YEAR, unit=world.units["A"], leadership_grade="good"
        )


def test_the_unit_grid_saves_the_units_grade_and_its_leaderships_together_第二十四条(world: World) -> None:
    client = Client()
    client.force_login(world.personas["county"])
    unit = world.units["A"]
    page = client.get(f"/assessment/{YEAR}/unit/").content.decode()
    assert f'name="leadership-{unit.pk}"' in page and f'name="head-{unit.pk}"' in page
    refused = client.post(
        f"/assessment/{YEAR}/unit/", {f"grade-{unit.pk}": "fair", f"leadership-{unit.pk}": "excellent"}
    )
    assert refused.status_code == 400 and "第二十四条" in refused.content.decode()
    assert not AssessmentResult.objects.exists()
    saved = client.post(
        f"/assessment/{YEAR}/unit/",
        {f"grade-{unit.pk}": "fair", f"leadership-{unit.pk}": "good", f"head-{unit.pk}": "competent"},
    )
    assert saved.status_code == 302
    result = AssessmentResult.objects.get(unit=unit)
    assert (result.grade, result.leadership_grade, result.head_grade) == ("fair", "good", "competent")
    # Raising the unit and its head to 优秀 in one save: the unit's grade goes first.
    raised = client.post(f"/assessment/{YEAR}/unit/", {f"grade-{unit.pk}": "good", f"head-{unit.pk}": "excellent"})
    assert raised.status_code == 302
    # Lowering both in one save: the head leaves 优秀 before the unit drops to 一般.
    lowered = client.post(f"/assessment/{YEAR}/unit/", {f"grade-{unit.pk}": "poor", f"head-{unit.pk}": "competent"})
    assert lowered.status_code == 302
    result.refresh_from_db()
    assert (result.grade, result.head_grade) == ("poor", "competent")
