"""第二十五条 双线考核: 对贫困县（市、区）党委、政府扶贫脱贫工作和派出单位驻村帮扶工作进行年度考核时，驻村
工作队的评价意见占有一定权重 — the team leader's yearly opinions, weighted by the profile, in the API, the
page and the assessment workbook."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role
from accounts.services import account_create
from assessment.models import AssessmentRound, SupportOpinion
from tests.conftest import api_as
from zhucun.models import AuditEvent, PolicyProfileVersion
from zhucun.testing.world import World

pytestmark = pytest.mark.usefixtures("office_hours")  # 26 November 2026: within the 2026 window

URL = reverse("api:support-opinion-list")
SUMMARY = reverse("api:support-opinion-summary") + "?year=2026"


def _opinion(world: World, body_type: str = "county", **extra: Any) -> dict[str, Any]:
    body = {"year": 2026, "body_type": body_type, "grade": "good", "score": "86.5", "opinion": "协调有力，保障到位。"}
    if body_type == "unit":
        body["unit"] = world.units["A"].pk
    return {**body, **extra}


def _give(world: World, body_type: str = "county", **extra: Any) -> Any:
    return api_as(world.personas["cadre"]).post(URL, _opinion(world, body_type, **extra), format="json")


def test_the_leader_gives_the_teams_opinions_and_they_are_weighted_into_the_bodies_第二十五条(world: World) -> None:
    county, unit = _give(world), _give(world, "unit", grade="excellent", score="95")
    assert (county.status_code, unit.status_code) == (201, 201), (county.content, unit.content)
    assert (county.json()["county_code"], unit.json()["unit"]) == ("130102", world.units["A"].pk)
    rows = {row["body_type"]: row for row in api_as(world.personas["county"]).get(SUMMARY).json()}
    assert rows["county"]["name"] == "甲县"
    # the profile's 20%: 86.5 × 20% = 17.3 and 95 × 20% = 19.0 of the bodies' 100
    assert (str(rows["county"]["weighted"]), str(rows["unit"]["weighted"])) == ("17.3", "19.0")
    assert rows["unit"]["grades"]["excellent"] == 1 and str(rows["unit"]["weight"]) in ("0.2", "0.20")
    event = AuditEvent.objects.filter(action="assessment.support_opinion").first()
    assert event is not None and event.actor_id == world.personas["cadre"].pk


def test_submitting_again_revises_the_opinion_until_the_units_round_is_finalized_第二十五条(world: World) -> None:
    _give(world, "unit")
    same = _give(world, "unit")
    assert same.status_code == 200 and AuditEvent.objects.filter(action="assessment.support_opinion").count() == 1
    revised = _give(world, "unit", score="78", grade="fair")
    assert (revised.status_code, str(revised.json()["score"])) == (200, "78.0")
    assert SupportOpinion.objects.count() == 1
    AssessmentRound.objects.create(year=2026, level="county", region_code="130102", status="finalized")
    closed = _give(world, "unit", score="99")
    assert closed.status_code == 409 and "已定档" in closed.json()["detail"]
    assert SupportOpinion.objects.get().score == Decimal("78.0")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"score": "120"}, "score"),
        ({"score": "abc"}, "score"),
        ({"grade": "best"}, "grade"),
        ({"opinion": ""}, "opinion"),
        ({"year": 2024}, "year"),  # the 2024 assessments are long closed
        ({"body_type": "unit", "unit": None}, "unit"),  # a unit opinion names the unit
    ],
)
def test_a_bad_opinion_is_a_chinese_400_writing_nothing_第二十五条(
    world: World, change: dict[str, Any], field: str
) -> None:
    response = _give(world, **change)
    assert response.status_code == 400, response.content
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()[field][0])
    assert not SupportOpinion.objects.exists()


def test_a_team_evaluates_only_the_units_that_dispatch_its_cadres_第二十五条(world: World) -> None:
    for unit in (world.units["B"].pk, 999_999):  # another team's unit, and no unit at all: the same answer
        response = _give(world, "unit", unit=unit)
        assert response.status_code == 400 and "派出单位" in response.json()["unit"][0]
    assert not SupportOpinion.objects.exists()


def test_only_the_teams_leader_in_post_gives_the_opinions_第二十五条(world: World) -> None:
    member = account_create(
        actor=None, username="p_member", password="Test-pass-2026", role=Role.CADRE, scope=str(world.members["A"].pk)
    )
    for user in (member, world.personas["county"], world.personas["unit"], world.personas["township"]):
        assert api_as(user).post(URL, _opinion(world), format="json").status_code == 403
    assert not SupportOpinion.objects.exists()


def test_the_weight_is_the_dated_profiles_第二十五条(world: World) -> None:
    PolicyProfileVersion.objects.create(
        name="三成权重", effective_from=dt.date(2026, 1, 1), overrides={"team_opinion_weight": "0.30"}
    )
    _give(world, score="80")
    (row,) = api_as(world.personas["province"]).get(SUMMARY).json()
    assert (str(row["weight"]), str(row["weighted"])) in (("0.3", "24.0"), ("0.30", "24.0"))


def test_the_assessment_workbook_shows_the_weighted_opinions_第二十五条(world: World) -> None:
    _give(world)
    _give(world, "unit", grade="excellent", score="95")
    response = api_as(world.personas["county"]).get(reverse("api:assessment-export") + "?year=2026")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    sheet = book["双线考核评价意见"]
    by_name = {row[1]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
    county, unit = by_name["甲县"], by_name[world.units["A"].name]
    assert county[2] == "县（市、区）党委政府扶贫脱贫工作"
    assert (Decimal(str(county[-2])), county[-3]) == (Decimal("17.3"), "20%")
    assert (Decimal(str(unit[-2])), unit[-1]) == (Decimal("19"), "未评定")


def test_the_leader_fills_the_page_and_the_department_reads_it_第二十五条(world: World) -> None:
    leader = Client()
    leader.force_login(world.personas["cadre"])
    url = reverse("assessment-support-opinions") + "?year=2026"
    page = leader.get(url).content.decode()
    assert 'data-testid="opinion-form-county"' in page and 'data-testid="opinion-form-unit"' in page
    bad = leader.post(url, {"body_type": "county", "grade": "good", "score": "101", "opinion": "好"})
    assert bad.status_code == 400 and "100" in bad.content.decode()
    done = leader.post(url, {"body_type": "county", "grade": "good", "score": "90", "opinion": "好"})
    assert done.status_code == 302
    county = Client()
    county.force_login(world.personas["county"])
    summary = county.get(url).content.decode()
    assert 'data-testid="opinion-summary"' in summary and "18.0" in summary
    assert '共 <strong data-testid="total-count">1</strong> 条' in summary  # the pagination's total
    assert 'data-testid="opinion-form-county"' not in summary
