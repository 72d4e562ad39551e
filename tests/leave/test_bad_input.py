"""A leave in year 1, 2200 or 9999 is a typo, not a plan: a 400 naming the date, nothing written
(issue 10 item 8). A leave starts within a year of today."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from leave import services
from leave.models import LeaveRequest
from tests.conftest import api_as
from zhucun.testing.world import World

URL = "/api/v1/leave-requests/"


def _body(start: str, end: str) -> dict[str, str]:
    return {"kind": "personal", "start": start, "start_half": "am", "end": end, "end_half": "pm", "reason": "家中有事"}


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("0001-01-01", "0001-01-02", "start"),
        ("2200-03-01", "2200-03-02", "start"),
        ("9999-12-30", "9999-12-31", "start"),
        ("2026-12-01", "9999-12-31", "end"),
    ],
)
def test_a_leave_in_an_implausible_year_is_a_400_naming_the_date(
    world: World, start: str, end: str, field: str
) -> None:
    response = api_as(world.personas["cadre"]).post(URL, _body(start, end), format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not LeaveRequest.objects.exists()


def test_a_leave_starting_more_than_a_year_ahead_is_refused(world: World) -> None:
    start = timezone.localdate() + dt.timedelta(days=400)

    response = api_as(world.personas["cadre"]).post(URL, _body(str(start), str(start)), format="json")

    assert response.status_code == 400
    assert "一年以后" in response.json()["start"][0]
    assert not LeaveRequest.objects.exists()


def test_a_leave_starting_in_eleven_months_is_accepted(world: World) -> None:
    start = timezone.localdate() + dt.timedelta(days=330)

    response = api_as(world.personas["cadre"]).post(URL, _body(str(start), str(start)), format="json")

    assert response.status_code == 201, response.content


def test_the_phone_form_refuses_a_leave_in_9999_with_the_field_named(world: World) -> None:
    client = Client()
    client.force_login(world.personas["cadre"])

    response = client.post(reverse("leave-new"), _body("9999-12-30", "9999-12-31"))

    assert "开始日期应在" in response.content.decode()
    assert not LeaveRequest.objects.exists()


@pytest.mark.parametrize("param", ["start", "end"])
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "2026-02-30"])
def test_the_register_refuses_an_implausible_period_with_a_400_page(world: World, param: str, day: str) -> None:
    client = Client()
    client.force_login(world.personas["county"])

    response = client.get(reverse("leave-register"), {param: day})

    assert response.status_code == 400
    assert "日期" in response.content.decode()


def test_an_approvers_comment_longer_than_the_column_is_a_400_not_a_database_error(world: World) -> None:
    from tests.leave.factories import leave_request

    request = leave_request(world.leaders["A"], reason="事由")
    client = Client()
    client.force_login(world.personas["township"])

    response = client.post(
        reverse("leave-decide", args=[request.pk]), {"decision": "approve", "comment": "意" * 600}, follow=True
    )

    request.refresh_from_db()
    assert request.status == LeaveRequest.Status.PENDING
    assert "500 字" in response.content.decode()


def test_a_half_day_that_is_neither_morning_nor_afternoon_is_named_in_chinese_only(member_a: User) -> None:
    """Issue 15 item 10: the message said 上午（am）或下午（pm）."""
    start = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        services.leave_request_create(
            actor=member_a, kind="personal", start=start, start_half="noon", end=start, end_half="pm", reason="家事"
        )
    assert refused.value.message_dict["start_half"] == ["开始时间请选择上午或下午。"]
