"""The inbox's search, filters and bulk rejection, and the register's region choice and default
period (issue 15 item 12; decisions 0164, 0165)."""

from __future__ import annotations

import datetime as dt

from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from leave import services
from leave.models import LeaveRequest
from tests.leave.factories import leave_request
from zhucun.models import AuditEvent
from zhucun.testing.world import World


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _rows(html: str) -> set[int]:
    return {int(part.split('"')[0]) for part in html.split('data-testid="inbox-row" data-leave-id="')[1:]}


def test_the_inbox_searches_by_name_and_filters_by_township_and_kind(world: World) -> None:
    a = leave_request(world.members["A"], days=4)
    b = leave_request(world.members["B"], days=4, kind="sick")
    client = _client(world.personas["county"])
    page = client.get(reverse("leave-inbox")).content.decode()
    assert _rows(page) == {a.pk, b.pk}
    assert '<option value="130102001">甲一镇</option>' in page  # townships by name, not code
    assert _rows(client.get(reverse("leave-inbox"), {"q": world.members["A"].name}).content.decode()) == {a.pk}
    assert _rows(client.get(reverse("leave-inbox"), {"township": "130102002"}).content.decode()) == {b.pk}
    assert _rows(client.get(reverse("leave-inbox"), {"kind": "sick"}).content.decode()) == {b.pk}
    # a township outside the list (an edited link) filters nothing rather than leaking or failing
    assert _rows(client.get(reverse("leave-inbox"), {"township": "130201001"}).content.decode()) == {a.pk, b.pk}


def test_bulk_reject_refuses_all_ticked_with_the_reason_and_audits_each(world: World) -> None:
    first = leave_request(world.members["A"], days=4)
    second = leave_request(world.members["B"], days=4)
    response = _client(world.personas["county"]).post(
        reverse("leave-bulk-reject"), {"ids": [first.pk, second.pk], "reason": "村里近期有检查，请改期"}
    )
    assert response.status_code == 302
    assert set(LeaveRequest.objects.values_list("status", flat=True)) == {"rejected"}
    assert {step.comment for step in first.steps.all()} == {"村里近期有检查，请改期"}
    assert AuditEvent.objects.filter(action="leave.step_reject").count() == 2


def test_bulk_reject_without_a_reason_changes_nothing(world: World) -> None:
    first = leave_request(world.members["A"], days=4)
    response = _client(world.personas["county"]).post(reverse("leave-bulk-reject"), {"ids": [first.pk], "reason": " "})
    assert response.status_code == 302
    assert "请填写理由" in str(next(iter(get_messages(response.wsgi_request))))
    first.refresh_from_db()
    assert first.status == "pending"


def test_bulk_reject_racing_an_approval_is_a_409_and_undoes_the_batch(world: World) -> None:
    first = leave_request(world.members["A"], days=4)
    taken = leave_request(world.members["B"], days=4)
    services.leave_request_approve(actor=world.personas["county"], request_id=taken.pk)  # someone was faster
    response = _client(world.personas["county"]).post(
        reverse("leave-bulk-reject"), {"ids": [first.pk, taken.pk], "reason": "请改期"}
    )
    assert response.status_code == 409
    assert "没有驳回任何申请" in response.content.decode()
    assert f'data-leave-id="{first.pk}"' in response.content.decode()  # the inbox as it now stands
    first.refresh_from_db()
    assert first.status == "pending"
    assert not AuditEvent.objects.filter(action="leave.step_reject").exists()


def test_the_register_offers_the_regions_in_scope_by_name(world: World) -> None:
    page = _client(world.personas["county"]).get(reverse("leave-register")).content.decode()
    assert 'data-testid="register-region"' in page
    assert '<option value="130102001">甲一镇</option>' in page
    assert "甲村" in page
    assert "130201" not in page  # another county is not offered
    assert "如 130102001" not in page  # no code to type
    refused = _client(world.personas["county"]).get(reverse("leave-register"), {"region": "130201001"})
    assert refused.status_code == 400


def test_the_register_opens_on_this_month_and_every_upcoming_leave_decision_0164(
    office_hours: dt.datetime, world: World
) -> None:
    next_month = leave_request(world.members["A"], start=dt.date(2026, 12, 14), days=3, reason="下月请假")
    in_the_spring = leave_request(world.members["B"], start=dt.date(2027, 3, 1), days=2, reason="春季请假")
    page = _client(world.personas["county"]).get(reverse("leave-register")).content.decode()
    for leave in (next_month, in_the_spring):
        assert reverse("leave-detail", args=[leave.pk]) in page
    assert 'value="2026-11-01"' in page
    assert timezone.localdate() == dt.date(2026, 11, 26)
