"""Attendance refuses absurd input with a 400 naming the field and writes nothing (issue 10 item 8):
coordinates that are not numbers, dates in year 1 or 9999, ids that name no cadre. Several of these
held before item 8 (DRF's FloatField refuses NaN; the services bound their dates) and stay as guards."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.urls import reverse

from attendance.models import AbsenceFinding, SignIn, Whereabouts, WorkLog
from tests.attendance.conftest import INSIDE
from tests.conftest import api_as
from zhucun.testing.world import World

SIGNIN = "/api/v1/signins/"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("longitude", "NaN"),
        ("longitude", "nan"),
        ("latitude", "NaN"),
        ("longitude", "Infinity"),
        ("latitude", "-Infinity"),
        ("longitude", "1e309"),
        ("latitude", 90.5),
        ("longitude", -180.5),
        ("longitude", "x" * 2000),
    ],
)
def test_a_signin_with_coordinates_that_are_not_a_place_is_a_400_naming_the_field(
    world: World, clock: Any, field: str, value: object
) -> None:
    body = {"client_id": str(uuid.uuid4()), **INSIDE, field: value}

    response = api_as(world.personas["cadre"]).post(SIGNIN, body, format="json")

    assert response.status_code == 400, response.content
    assert set(response.json()) == {field}
    assert any("\u4e00" <= char <= "\u9fff" for char in response.json()[field][0])
    assert not SignIn.objects.exists()


@pytest.mark.parametrize("device_time", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "2200-01-01T08:00"])
def test_a_signin_with_an_absurd_device_time_is_a_400(world: World, clock: Any, device_time: str) -> None:
    body = {"client_id": str(uuid.uuid4()), **INSIDE, "device_time": device_time}

    response = api_as(world.personas["cadre"]).post(SIGNIN, body, format="json")

    assert response.status_code == 400, response.content
    assert "device_time" in response.json()
    assert not SignIn.objects.exists()


@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31", "2200-01-01", "9999-12-31"])
def test_a_finding_dated_in_an_implausible_year_is_a_400_naming_the_date(world: World, clock: Any, day: str) -> None:
    response = api_as(world.personas["township"]).post(
        reverse("api:absence-finding-list"),
        {"cadre": world.members["A"].pk, "date": day, "source": "inspection"},
        format="json",
    )

    assert response.status_code == 400, response.content
    assert "日期" in response.json()["date"][0]
    assert not AbsenceFinding.objects.exists()


def test_a_finding_for_a_cadre_id_too_large_for_any_key_is_a_400(world: World, clock: Any) -> None:
    response = api_as(world.personas["township"]).post(
        reverse("api:absence-finding-list"),
        {"cadre": 99999999999999999999999, "date": "2026-11-25", "source": "inspection"},
        format="json",
    )

    assert response.status_code == 400
    assert "cadre" in response.json()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_whereabouts_and_work_logs_in_an_implausible_year_are_400s(world: World, clock: Any, day: str) -> None:
    client = api_as(world.personas["cadre"])

    whereabouts = client.post("/api/v1/whereabouts/", {"date": day, "status": "in_village"}, format="json")
    log = client.post("/api/v1/work-logs/", {"date": day, "content": "走访农户"}, format="json")

    assert whereabouts.status_code == log.status_code == 400
    assert "date" in whereabouts.json() and "date" in log.json()
    assert not Whereabouts.objects.exists() and not WorkLog.objects.exists()


@pytest.mark.parametrize("param", ["date", "date_from", "date_to"])
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_date_filters_refuse_implausible_dates(world: World, param: str, day: str) -> None:
    response = api_as(world.personas["township"]).get(SIGNIN, {param: day})

    assert response.status_code == 400
    assert "2015-01-01" in response.json()[param][0]
