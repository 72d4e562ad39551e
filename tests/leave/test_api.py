"""The leave API as API.md writes it: shapes, statuses, Chinese errors, nothing written on refusal."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.models import User
from leave.models import LeaveRequest
from tests.conftest import api_as
from tests.leave.factories import leave_request
from zhucun.models import AuditEvent
from zhucun.testing.world import World

URL = "/api/v1/leave-requests/"


def body(days: int = 4, **changes: str) -> dict[str, str]:
    start = timezone.localdate() + dt.timedelta(days=1)
    values = {
        "kind": "personal",
        "start": start.isoformat(),
        "start_half": "am",
        "end": (start + dt.timedelta(days=days - 1)).isoformat(),
        "end_half": "pm",
        "reason": "家中有事",
    }
    values.update(changes)
    return values


def test_a_cadre_asks_for_leave_and_gets_the_steps_of_the_routing(member_a: User) -> None:
    response = api_as(member_a).post(URL, body(), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert set(data) >= {"id", "status", "days", "steps"}
    assert data["status"] == "pending"
    assert data["days"] == 4.0
    assert [(s["approver"], s["status"]) for s in data["steps"]] == [("county_office", "pending")]
    assert data["steps"][0]["due_at"].endswith("+08:00")


def test_a_leaders_two_day_leave_has_two_steps(world: World) -> None:
    response = api_as(world.personas["cadre"]).post(URL, body(days=2), format="json")
    assert [(s["approver"], s["status"], s["due_at"] is None) for s in response.json()["steps"]] == [
        ("township", "pending", False),
        ("county_office", "waiting", True),
    ]


def test_bad_input_is_a_400_with_chinese_field_errors_and_nothing_written(member_a: User) -> None:
    response = api_as(member_a).post(URL, body(kind="vacation", end_half="evening"), format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"kind", "end_half"}
    assert "假别" in response.json()["kind"][0]
    past = api_as(member_a).post(URL, body(start="2020-01-01"), format="json")
    assert past.status_code == 400
    assert "开始日期" in past.json()["start"][0]
    assert LeaveRequest.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="leave.").exists()


def test_staff_may_not_ask_for_leave(world: World) -> None:
    response = api_as(world.personas["county"]).post(URL, body(), format="json")
    assert response.status_code == 403
    assert LeaveRequest.objects.count() == 0


def test_approve_then_a_second_approve_is_409(world: World) -> None:
    request = leave_request(world.members["A"], days=4)
    first = api_as(world.personas["county"]).post(f"{URL}{request.pk}/approve/", {"comment": "同意"}, format="json")
    assert first.status_code == 200
    assert first.json()["status"] == "approved"
    assert first.json()["steps"][0]["comment"] == "同意"
    assert first.json()["steps"][0]["decided_by"] == "p_county"
    second = api_as(world.personas["county"]).post(f"{URL}{request.pk}/reject/", {"comment": "不同意"}, format="json")
    assert second.status_code == 409
    assert "已由他人处理" in second.json()["detail"]


def test_reject_without_a_comment_is_400(world: World) -> None:
    request = leave_request(world.members["A"], days=4)
    response = api_as(world.personas["county"]).post(f"{URL}{request.pk}/reject/", {}, format="json")
    assert response.status_code == 400
    assert "理由" in response.json()["comment"][0]


def test_withdraw_and_report_back_by_the_applicant(world: World) -> None:
    leader = world.personas["cadre"]
    pending = leave_request(world.leaders["A"])
    assert api_as(leader).post(f"{URL}{pending.pk}/withdraw/").json()["status"] == "withdrawn"
    assert api_as(leader).post(f"{URL}{pending.pk}/withdraw/").status_code == 409
    approved = leave_request(world.leaders["A"], start=timezone.localdate(), status="approved")
    assert api_as(leader).post(f"{URL}{approved.pk}/report-back/").json()["status"] == "reported_back"


def test_list_awaiting_me_is_the_inbox(world: World) -> None:
    mine = leave_request(world.members["A"], days=4)
    leave_request(world.members["A"], days=2, start=timezone.localdate() + dt.timedelta(days=20))
    county = api_as(world.personas["county"])
    assert [row["id"] for row in county.get(f"{URL}?awaiting_me=true").json()["results"]] == [mine.pk]
    assert county.get(URL).json()["count"] == 2
    assert county.get(f"{URL}?status=approved").json()["count"] == 0


def test_a_cadre_lists_only_their_own(world: World, member_a: User) -> None:
    own = leave_request(world.members["A"], days=4)
    leave_request(world.leaders["A"], days=4)
    assert [row["id"] for row in api_as(member_a).get(URL).json()["results"]] == [own.pk]
