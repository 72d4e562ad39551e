"""Bad input is a 400 with a Chinese message, never a 500 (issue 10 item 8): control characters in
paths, query strings and forms; implausible months and years; and filters that name an object, which
answer alike whether the object is outside the caller's scope or does not exist at all."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from attendance.models import Whereabouts
from tests.conftest import api_as
from zhucun.inputs import NOT_FOUND_MESSAGE
from zhucun.testing.world import World

MISSING_ID = 987_654_321


def _page(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.personas[persona])
    return client


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


# --- control characters --------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["%00", "a%00b", "%1B", "%7F"])
def test_a_control_character_in_an_api_query_parameter_is_a_400_with_a_chinese_detail(world: World, value: str) -> None:
    response = api_as(world.personas["province"]).get(f"/api/v1/recall-cases/?status={value}")

    assert response.status_code == 400
    assert "控制字符" in response.json()["detail"]


def test_a_nul_byte_in_a_page_query_parameter_is_a_400_page_saying_what_is_wrong(world: World) -> None:
    response = _page(world, "county").get("/cadres/?region=%00")

    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="bad-request"' in body
    assert "控制字符" in body


def test_a_nul_byte_in_the_path_of_the_public_board_is_a_400_for_anyone(world: World) -> None:
    for path in ("/public/villages/%00/", "/public/villages/%00/poster/", "/regions/%00/", "/api/v1/regions/%00/"):
        response = Client().get(path) if not path.startswith("/regions") else _page(world, "county").get(path)
        assert response.status_code == 400, path


def test_a_nul_byte_in_a_page_form_is_refused_before_anything_is_written(world: World) -> None:
    client = _page(world, "cadre")

    response = client.post(reverse("attendance-whereabouts-post"), {"status": "in_village", "note": "在\x00村"})

    assert response.status_code == 400
    assert "控制字符" in response.content.decode()
    assert not Whereabouts.objects.exists()


def test_tabs_and_line_breaks_of_a_textarea_are_accepted(world: World) -> None:
    client = _page(world, "cadre")

    response = client.post(reverse("attendance-whereabouts-post"), {"status": "in_village", "note": "上午\t走访\r\n"})

    assert response.status_code == 302
    assert Whereabouts.objects.get().note.startswith("上午\t走访")


def test_a_cadre_id_that_is_not_a_number_in_a_page_form_is_a_404_not_a_500(world: World) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(world.personas["cadre"])

    for value in ("abc", "²", "99999999999999999999999"):
        response = client.post(reverse("attendance-whereabouts-post"), {"status": "in_village", "cadre": value})
        assert response.status_code == 404, value


# --- months and years ------------------------------------------------------------------------------


@pytest.mark.parametrize("month", ["9999-12", "0000-00", "2014-12", "2101-01", "2026-13", "2026-1x", "1e309"])
def test_an_implausible_or_malformed_month_is_a_400_naming_the_month_in_the_api(world: World, month: str) -> None:
    client = api_as(world.personas["county"])

    for path in ("/api/v1/dashboards/attendance/", "/api/v1/exports/attendance.xlsx"):
        response = client.get(path, {"region": "130102", "month": month})
        assert response.status_code == 400, (path, month)
        assert "月份" in response.json()["month"][0]


@pytest.mark.parametrize("month", ["9999-12", "9999-12-31", "0000-00"])
def test_an_implausible_month_is_a_400_page_on_the_dashboard_and_its_register(world: World, month: str) -> None:
    client = _page(world, "township")

    for name, args in (("attendance-dashboard", []), ("attendance-register", ["130102001"])):
        response = client.get(reverse(name, args=args), {"month": month})
        assert response.status_code == 400, (name, month)
        assert "月份" in response.content.decode()


def test_a_plausible_month_still_shows_the_dashboard(world: World) -> None:
    response = _page(world, "township").get(reverse("attendance-dashboard"), {"month": "2026-02"})
    assert response.status_code == 200
    assert response.context["month"] == dt.date(2026, 2, 1)


@pytest.mark.parametrize("year", ["²", "0001", "99999999999999999999999", "abc", "2200"])
def test_an_implausible_assessment_year_is_a_400(world: World, year: str) -> None:
    assert _page(world, "province").get(reverse("assessment-overview"), {"year": year}).status_code == 400
    api = api_as(world.personas["province"]).get("/api/v1/exports/assessments.xlsx", {"year": year})
    assert api.status_code == 400
    assert "考核年度" in api.json()["year"][0]


# --- filters that name an object ---------------------------------------------------------------------

#: (list URL, parameter, the id of target C's object — another county, outside the county persona's
#: scope, api?)
ObjectOf = Callable[[World], int]
OBJECT_FILTERS: list[tuple[str, str, ObjectOf, bool]] = [
    ("/api/v1/cadres/", "team", lambda w: w.teams["C"].pk, True),
    ("/api/v1/cadres/", "unit", lambda w: w.units["C"].pk, True),
    ("/api/v1/teams/", "unit", lambda w: w.units["C"].pk, True),
    ("/api/v1/signins/", "cadre", lambda w: w.leaders["C"].pk, True),
    ("/api/v1/absence-findings/", "cadre", lambda w: w.leaders["C"].pk, True),
    ("/api/v1/whereabouts/", "cadre", lambda w: w.leaders["C"].pk, True),
    ("/api/v1/work-logs/", "team", lambda w: w.teams["C"].pk, True),
    ("/api/v1/recall-cases/", "cadre", lambda w: w.leaders["C"].pk, True),
    ("/cadres/", "team", lambda w: w.teams["C"].pk, False),
    ("/cadres/", "unit", lambda w: w.units["C"].pk, False),
    ("/teams/", "unit", lambda w: w.units["C"].pk, False),
]


def _get(world: World, url: str, api: bool, params: dict[str, Any]) -> Any:
    client: Client | APIClient = api_as(world.personas["county"]) if api else _page(world, "county")
    return client.get(url, params)


@pytest.mark.parametrize(("url", "param", "object_of", "api"), OBJECT_FILTERS)
def test_a_filter_naming_an_object_out_of_scope_answers_exactly_like_one_that_does_not_exist(
    world: World, url: str, param: str, object_of: ObjectOf, api: bool
) -> None:
    elsewhere = _get(world, url, api, {param: object_of(world)})
    missing = _get(world, url, api, {param: MISSING_ID})

    assert elsewhere.status_code == missing.status_code == 400
    if api:
        assert elsewhere.json() == missing.json() == {param: [NOT_FOUND_MESSAGE]}
    else:
        assert NOT_FOUND_MESSAGE in elsewhere.content.decode()
        assert NOT_FOUND_MESSAGE in missing.content.decode()


@pytest.mark.parametrize(("url", "param", "object_of", "api"), OBJECT_FILTERS)
def test_a_filter_naming_an_object_in_scope_filters_by_it(
    world: World, url: str, param: str, object_of: ObjectOf, api: bool
) -> None:
    in_scope = {"team": world.teams["A"].pk, "unit": world.units["A"].pk, "cadre": world.leaders["A"].pk}[param]

    assert _get(world, url, api, {param: in_scope}).status_code == 200


@pytest.mark.parametrize("value", ["99999999999999999999999", "-1", "0", "²", "NaN"])
def test_an_id_that_cannot_name_a_row_is_the_same_400(world: World, value: str) -> None:
    response = api_as(world.personas["county"]).get("/api/v1/cadres/", {"team": value})

    assert response.status_code == 400
    assert response.json() == {"team": [NOT_FOUND_MESSAGE]}


@pytest.mark.parametrize("url", ["/api/v1/cadres/", "/api/v1/teams/", "/api/v1/signins/"])
def test_a_region_prefix_out_of_scope_answers_like_one_that_does_not_exist(world: World, url: str) -> None:
    """Region filters are code prefixes, not choices: both are an empty list."""
    client = api_as(world.personas["county"])

    elsewhere = client.get(url, {"region": world.village("C")})
    missing = client.get(url, {"region": "139999999999"})

    assert elsewhere.status_code == missing.status_code == 200
    assert elsewhere.json()["count"] == missing.json()["count"] == 0


def test_a_list_export_with_a_filter_out_of_scope_exports_nothing(world: World) -> None:
    """Before, the page dropped the invalid filter and exported every cadre in scope."""
    response = _page(world, "county").get("/cadres/", {"unit": str(world.units["C"].pk), "export": "xlsx"})

    assert response.status_code == 400
    assert not response.get("Content-Disposition")
    assert "派出单位" in response.content.decode()
