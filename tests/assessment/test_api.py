"""``PUT /api/v1/assessments/{year}/{subject_type}/{id}/`` persona × target, with the semantics of the
permission matrix (which sends only GET and POST): out of scope 404, in scope but not the assessing
department 403 (第十二条, 第二十一条), the assessing department 200."""

from __future__ import annotations

import pytest

from assessment.models import AssessmentResult
from tests.conftest import api_as
from tests.matrix.common import VISIBLE
from zhucun.testing.world import PERSONAS, TARGETS, World

from .helpers import YEAR, province_level


def expected(persona: str, target: str) -> int:
    if target not in VISIBLE[persona]:
        return 404
    # The world's units are county units of 甲县 (A, B), 丙县 (C), 丁县 (D): 甲县's department grades A, B.
    return 200 if persona == "county" else 403


@pytest.mark.parametrize("subject_type", ["team", "cadre", "unit"])
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_put_grade_matrix(world: World, persona: str, target: str, subject_type: str) -> None:
    pk = {"team": world.teams[target].pk, "cadre": world.members[target].pk, "unit": world.units[target].pk}[
        subject_type
    ]
    grade = "competent" if subject_type == "cadre" else "good"
    response = api_as(world.personas[persona]).put(
        f"/api/v1/assessments/{YEAR}/{subject_type}/{pk}/", {"grade": grade}, format="json"
    )
    want = expected(persona, target)
    if subject_type == "unit" and persona == "unit":
        want = 403 if target == "A" else 404
    if subject_type == "cadre" and persona == "cadre":
        want = 403 if target == "A" else 404  # a teammate is visible, grading is not theirs
    assert response.status_code == want, (persona, target, subject_type, response.content[:200])
    assert AssessmentResult.objects.exists() == (want == 200)


def test_anonymous_put_is_401(world: World) -> None:
    from rest_framework.test import APIClient

    response = APIClient().put(f"/api/v1/assessments/{YEAR}/team/{world.teams['A'].pk}/", {"grade": "good"})
    assert response.status_code == 401


def test_province_grades_province_teams_and_the_county_does_not(world: World) -> None:
    team = province_level(1)[0]  # stationed in 甲一镇, inside the county persona's scope
    county = api_as(world.personas["county"]).put(f"/api/v1/assessments/{YEAR}/team/{team.pk}/", {"grade": "good"})
    assert county.status_code == 403
    assert "省委组织部" in county.json()["detail"]
    assert not AssessmentResult.objects.exists()  # nothing was written
    province = api_as(world.personas["province"]).put(
        f"/api/v1/assessments/{YEAR}/team/{team.pk}/", {"grade": "good"}, format="json"
    )
    assert province.status_code == 200 and province.json()["grade"] == "good"


def test_get_returns_the_grade_of_the_year(world: World) -> None:
    county = api_as(world.personas["county"])
    url = f"/api/v1/assessments/{YEAR}/team/{world.teams['A'].pk}/"
    assert county.get(url).json()["grade"] is None
    county.put(url, {"grade": "good"}, format="json")
    body = county.get(url).json()
    assert (body["grade"], body["grade_label"], body["round_status"]) == ("good", "良好", "open")
    assert county.get(f"/api/v1/assessments/{YEAR}/village/{world.teams['A'].pk}/").status_code == 404
