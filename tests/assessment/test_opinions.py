"""第十四条3: the stationing county's evaluation opinion, read by the assessing department."""

from __future__ import annotations

from django.urls import reverse

from assessment.models import CountyEvaluationOpinion
from tests.conftest import api_as
from zhucun.models import AuditEvent
from zhucun.testing.world import World


def test_the_stationing_county_records_an_opinion_that_the_assessing_level_reads_第十四条(world: World) -> None:
    url = reverse("api:assessment-opinions", args=[2026, "team", world.teams["A"].pk])
    created = api_as(world.personas["county"]).post(
        url, {"opinion": "帮扶成效明显，群众满意度高", "suggested_grade": "excellent"}, format="json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["county_code"] == "130102"
    assert AuditEvent.objects.filter(action="assessment.county_opinion").count() == 1
    read = api_as(world.personas["province"]).get(url).json()
    assert [row["opinion"] for row in read] == ["帮扶成效明显，群众满意度高"]


def test_an_opinion_needs_text_and_a_valid_grade_and_writes_nothing_otherwise(world: World) -> None:
    url = reverse("api:assessment-opinions", args=[2026, "team", world.teams["A"].pk])
    client = api_as(world.personas["county"])
    assert client.post(url, {"opinion": "  "}, format="json").status_code == 400
    bad_grade = client.post(url, {"opinion": "好", "suggested_grade": "superb"}, format="json")
    assert bad_grade.status_code == 400
    assert "建议等次" in str(bad_grade.json())
    assert not CountyEvaluationOpinion.objects.exists()
