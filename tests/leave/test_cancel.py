"""第十九条2, half days and cancelling: an approved leave can be cancelled by its applicant before it
starts (audited, the approvers told); once it has started the applicant reports back instead."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from leave import selectors
from leave.models import LeaveRequest
from tests.conftest import api_as
from tests.leave.factories import leave_request
from zhucun.models import AuditEvent, Notification
from zhucun.testing.world import World


def _approved(world: World, start: dt.date) -> LeaveRequest:
    return leave_request(world.leaders["A"], start=start, days=2, status=LeaveRequest.Status.APPROVED)


def test_the_applicant_cancels_an_approved_leave_before_it_starts_第十九条(world: World) -> None:
    start = timezone.localdate() + dt.timedelta(days=3)
    leave = _approved(world, start)
    response = api_as(world.personas["cadre"]).post(reverse("api:leave-request-cancel", args=[leave.pk]))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"
    assert AuditEvent.objects.filter(action="leave.request_cancel", object_id=str(leave.pk)).exists()
    assert Notification.objects.filter(recipient=world.personas["township"], title__contains="取消").exists()
    # A cancelled leave excuses nothing and blocks nothing.
    assert selectors.approved_leave_days(cadre_ids=[leave.cadre_id], start=start, end=start) == {}


def test_a_leave_that_has_started_cannot_be_cancelled_and_nobody_else_cancels_第十九条(world: World) -> None:
    started = _approved(world, timezone.localdate())
    response = api_as(world.personas["cadre"]).post(reverse("api:leave-request-cancel", args=[started.pk]))
    assert response.status_code == 400
    assert "销假" in response.json()["detail"][0]
    later = _approved(world, timezone.localdate() + dt.timedelta(days=5))
    assert (
        api_as(world.personas["township"]).post(reverse("api:leave-request-cancel", args=[later.pk])).status_code == 403
    )
    assert set(LeaveRequest.objects.values_list("status", flat=True)) == {"approved"}


def test_the_panel_offers_cancel_to_the_applicant_before_the_leave_starts_第十九条(world: World) -> None:
    leave = _approved(world, timezone.localdate() + dt.timedelta(days=3))
    client = Client()
    client.force_login(world.personas["cadre"])
    page = client.get(reverse("leave-detail", args=[leave.pk])).content.decode()
    assert reverse("leave-cancel", args=[leave.pk]) in page
    assert client.post(reverse("leave-cancel", args=[leave.pk])).status_code == 302
    leave.refresh_from_db()
    assert leave.status == "cancelled"
