"""The OpenAPI schema documents the errors the API gives and the constraints it enforces (issue 10
item 15, decision 0065); the error components describe the bodies the API really renders.
tests/test_api_schema.py drives every operation against this schema."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import jsonschema
import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from leave.models import LeaveRequest
from tests.conftest import api_as
from tests.leave.factories import leave_request
from zhucun.api.schema import DECISION_ACTIONS, year_pattern
from zhucun.inputs import MAX_ID
from zhucun.testing.world import World

METHODS = ("get", "put", "patch", "post", "delete")


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)  # type: ignore[no-untyped-call]


def _operations(openapi: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in openapi["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def _schema_ref(response: dict[str, Any]) -> str:
    return str(response["content"]["application/json"]["schema"]["$ref"])


def _component(openapi: dict[str, Any], name: str) -> dict[str, Any]:
    schema: dict[str, Any] = openapi["components"]["schemas"][name]
    return schema


def test_every_operation_documents_the_errors_it_can_give(openapi: dict[str, Any]) -> None:
    operations = _operations(openapi)
    assert len(operations) > 60
    for path, method, operation in operations:
        label, responses = f"{method.upper()} {path}", operation["responses"]
        signed_in = bool(operation.get("security")) and {} not in operation["security"]
        if signed_in:
            assert _schema_ref(responses["401"]).endswith("/Error"), label
            assert _schema_ref(responses["403"]).endswith("/Error"), label
        if operation.get("parameters") or operation.get("requestBody"):
            assert "content" in responses["400"], label
        if "{" in path:
            assert _schema_ref(responses["404"]).endswith("/Error"), label
        if path.rstrip("/").rsplit("/", 1)[-1].replace("-", "_") in DECISION_ACTIONS:
            assert _schema_ref(responses["409"]).endswith("/Error"), label
    login = openapi["paths"]["/api/v1/auth/token/"]["post"]["responses"]
    assert "401" not in login  # a login needs no credentials
    assert _schema_ref(login["429"]).endswith("/Error")  # the lockout, with its body now documented


def test_the_decisions_a_racing_second_caller_loses_document_409(openapi: dict[str, Any]) -> None:
    for path in (
        "/api/v1/leave-requests/{id}/approve/",
        "/api/v1/leave-requests/{id}/cancel/",
        "/api/v1/recall-cases/{id}/decide/",
        "/api/v1/term-adjustments/{id}/reject/",
        "/api/v1/funds/expenses/{id}/reverse/",
        "/api/v1/insurance-policies/{id}/void/",
        "/api/v1/absence-findings/{id}/confirm/",
        "/api/v1/duties/{id}/fulfil/",  # an obligation already fulfilled
        "/api/v1/presence-checks/{id}/answer/",  # a second or racing answer, or one past the time
    ):
        assert "409" in openapi["paths"][path]["post"]["responses"], path
    assert "409" not in openapi["paths"]["/api/v1/leave-requests/"]["post"]["responses"]


def test_objects_named_in_a_body_or_a_filter_document_their_404(openapi: dict[str, Any]) -> None:
    for path in (
        "/api/v1/funds/allocations/",
        "/api/v1/funds/expenses/",
        "/api/v1/insurance-policies/",
        "/api/v1/term-adjustments/",
        "/api/v1/whereabouts/",
        "/api/v1/presence-checks/",  # the cadre
        "/api/v1/tasks/",  # the team
        "/api/v1/demands/",  # the cadre
        "/api/v1/households/",  # the village
        "/api/v1/visits/",  # the household
        "/api/v1/household-imports/",  # the region
    ):
        assert "404" in openapi["paths"][path]["post"]["responses"], path
    assert "404" in openapi["paths"]["/api/v1/dashboards/attendance/"]["get"]["responses"]
    export = openapi["paths"]["/api/v1/exports/attendance.xlsx"]["get"]["responses"]
    assert "404" in export
    assert list(export["200"]["content"]) == ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]


def test_an_imports_400_is_its_row_errors_or_the_shared_validation_error(openapi: dict[str, Any]) -> None:
    """A bad region or a control character is refused with the shared body before the file is read."""
    for path in ("/api/v1/roster-imports/", "/api/v1/household-imports/"):
        answer = openapi["paths"][path]["post"]["responses"]["400"]
        refs = [option["$ref"] for option in answer["content"]["application/json"]["schema"]["anyOf"]]
        assert [ref.rsplit("/", 1)[1] for ref in refs] == ["ImportErrors", "ValidationError"], path
        assert answer["description"]
    upload = _component(openapi, "HouseholdUploadRequest")["properties"]["region"]
    assert upload["pattern"] == r"^(\d{9}|\d{12})$"


def test_request_bodies_document_required_non_empty_enum_and_range(openapi: dict[str, Any]) -> None:
    leave = _component(openapi, "LeaveRequestCreateRequest")
    assert set(leave["required"]) == {"kind", "start", "end", "reason"}
    assert leave["properties"]["reason"]["minLength"] == 1
    assert leave["properties"]["reason"]["maxLength"] == 500
    assert leave["properties"]["kind"]["pattern"] == "^(personal|sick|annual|rotation|other|business)$"
    assert leave["properties"]["start"]["pattern"] == r"^(201[5-9]|20[2-9]\d|2100)-"
    assert "2015-01-01 至 2100-12-31" in leave["properties"]["start"]["description"]
    assert leave["properties"]["cadre_id"]["minimum"] == 1
    assert leave["properties"]["cadre_id"]["maximum"] == MAX_ID

    finding = _component(openapi, "AbsenceFindingCreateRequest")
    assert finding["properties"]["source"]["$ref"].endswith("/FindingSourceEnum")
    assert set(_component(openapi, "FindingSourceEnum")["enum"]) == {
        "inspection",
        "whereabouts_unposted",
        "missing_signin",
        "unapproved_absence",
        "presence_check",  # supervision's random presence checks (第十三条3)
    }

    check = _component(openapi, "PresenceCheckCreateRequest")
    assert set(check["required"]) == {"cadre", "minutes"}
    assert (check["properties"]["minutes"]["minimum"], check["properties"]["minutes"]["maximum"]) == (1, 1440)
    task = _component(openapi, "AnnualTaskCreateRequest")
    assert set(task["required"]) == {"team", "year", "kind", "title", "target", "deadline"}
    assert (task["properties"]["year"]["minimum"], task["properties"]["year"]["maximum"]) == (2018, 2100)
    assert task["properties"]["title"]["minLength"] == 1
    assert task["properties"]["kind"]["pattern"] == "^(required|optional)$"
    progress = _component(openapi, "PatchedAnnualTaskUpdateRequest")["properties"]["progress"]
    assert (progress["minimum"], progress["maximum"]) == (0, 100)
    demand = _component(openapi, "DemandCreateRequest")
    assert set(demand["required"]) == {"date", "kind"}
    assert demand["properties"]["kind"]["pattern"].startswith("^(meeting|")
    preferences = _component(openapi, "PreferencesRequest")
    assert set(preferences["required"]) == {"channels", "digest", "quiet_enabled"}
    assert preferences["properties"]["channels"]["items"]["allOf"][0]["$ref"].endswith("/ChannelEnum")
    assert set(_component(openapi, "ChannelEnum")["enum"]) == {"wecom", "dingtalk", "sms", "email"}
    presence_filters = openapi["paths"]["/api/v1/presence-checks/"]["get"]["parameters"]
    assert [set(p["schema"]["enum"]) for p in presence_filters if p["name"] == "status"] == [
        {"pending", "present", "outside_geofence", "missed"}
    ]

    signin = _component(openapi, "SignInCreateRequest")["properties"]
    assert (signin["latitude"]["minimum"], signin["latitude"]["maximum"]) == (-90, 90)
    assert (signin["longitude"]["minimum"], signin["longitude"]["maximum"]) == (-180, 180)

    expense = _component(openapi, "ExpenseCreateRequest")["properties"]
    assert (expense["team"]["minimum"], expense["team"]["maximum"]) == (1, MAX_ID)
    assert expense["date"]["pattern"] == r"^(201[5-9]|20[2-9]\d|2100)-"
    assert expense["description"]["minLength"] == 1
    assert _component(openapi, "ReimbursementCreateRequest")["properties"]["expenses"]["items"]["minimum"] == 1

    grade = openapi["paths"]["/api/v1/assessments/{year}/{subject_type}/{id}/"]["get"]["parameters"]
    subject_type = next(parameter for parameter in grade if parameter["name"] == "subject_type")
    assert subject_type["schema"]["enum"] == ["cadre", "team", "unit"]


def test_responses_keep_their_read_only_fields_apart_from_request_bodies(openapi: dict[str, Any]) -> None:
    assert "id" in _component(openapi, "LedgerEntry")["properties"]
    assert "id" not in _component(openapi, "AllocationCreateRequest")["properties"]


@pytest.mark.parametrize(("first", "last"), [(2015, 2100), (2015, 2019), (2020, 2029), (1995, 2205), (2015, 2015)])
def test_the_year_pattern_matches_exactly_the_years_of_the_range(first: int, last: int) -> None:
    pattern = re.compile(f"^({year_pattern(first, last)})$")
    assert [year for year in range(1000, 10000) if pattern.match(str(year))] == list(range(first, last + 1))


def _validator(openapi: dict[str, Any], name: str) -> jsonschema.Draft4Validator:
    return jsonschema.Draft4Validator(_component(openapi, name))


def test_the_error_components_describe_the_bodies_the_api_renders(openapi: dict[str, Any], world: World) -> None:
    error, invalid = _validator(openapi, "Error"), _validator(openapi, "ValidationError")
    township, county = api_as(world.personas["township"]), api_as(world.personas["county"])

    unauthenticated = api_as(None).get("/api/v1/cadres/")
    assert unauthenticated.status_code == 401
    error.validate(unauthenticated.json())

    forbidden = township.post("/api/v1/accounts/", {}, format="json")
    assert forbidden.status_code == 403
    error.validate(forbidden.json())

    not_found = township.get(f"/api/v1/cadres/{world.leaders['D'].pk}/")
    assert not_found.status_code == 404
    error.validate(not_found.json())

    refused = county.post("/api/v1/recall-cases/", {"trigger": "nonsense"}, format="json")
    assert refused.status_code == 400
    assert set(refused.json()) >= {"cadre", "trigger", "evidence"}
    invalid.validate(refused.json())

    control = township.get("/api/v1/cadres/?name=%00")
    assert control.status_code == 400
    invalid.validate(control.json())

    team = world.teams["A"].pk
    nested = county.post("/api/v1/funds/reimbursements/", {"team": team, "date": "2026-01-01", "expenses": ["x"]})
    assert nested.status_code == 400
    assert "expenses" in nested.json()
    invalid.validate(nested.json())

    request = leave_request(world.members["A"], days=4)
    assert county.post(f"/api/v1/leave-requests/{request.pk}/approve/", {}, format="json").status_code == 200
    conflict = county.post(f"/api/v1/leave-requests/{request.pk}/reject/", {}, format="json")
    assert conflict.status_code == 409
    error.validate(conflict.json())
    assert LeaveRequest.objects.get(pk=request.pk).status == LeaveRequest.Status.APPROVED


def test_an_api_address_that_matches_no_route_is_the_apis_json_404(world: World) -> None:
    township = api_as(world.personas["township"])
    for url in ("/api/v1/leave-requests/abc/", "/api/v1/leave-requests/-1/approve/", "/api/v1/no-such-thing/"):
        response = township.get(url)
        assert response.status_code == 404, url
        assert response["Content-Type"] == "application/json", url
        assert response.json() == {"detail": "未找到该对象，或它不在您的管辖范围内。"}


def test_a_page_address_that_matches_no_route_keeps_the_html_404(world: World, client: Any) -> None:
    client.force_login(world.personas["township"])
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_recorded_finding_with_its_time_of_day_conforms_to_the_schema(openapi: dict[str, Any], world: World) -> None:
    """Found by the schemathesis run: a finding recorded with ``"time": "01:18:07.2"`` answered
    ``"time": "01:18:07.200000"``, which the ``time`` format (RFC 3339, an offset required) refuses —
    as it refuses every local ``HH:MM:SS`` DRF writes. Times of day are documented by a pattern."""
    import jsonschema_rs

    township = api_as(world.personas["township"])
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    body = {"cadre": world.members["A"].pk, "date": yesterday.isoformat(), "source": "inspection"}
    response = township.post("/api/v1/absence-findings/", {**body, "time": "01:18:07.2"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["time"] == "01:18:07.200000"
    for name in ("AbsenceFinding", "AbsenceFindingCreateRequest"):
        schema = _component(openapi, name)["properties"]["time"]
        assert "format" not in schema
        validator = jsonschema_rs.validator_for({"type": "string", "pattern": schema["pattern"]}, validate_formats=True)
        assert validator.is_valid(response.json()["time"])
        assert validator.is_valid("10:30")
        assert not validator.is_valid("24:00")
