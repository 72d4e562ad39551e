"""The end of a term (第三条, issue 12): reminders 90 and 30 days before, and the handover checklist."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from cadres import services
from cadres.models import Cadre, Handover, TermReminder
from cadres.policies import HANDOVER_ITEMS
from zhucun.models import AuditEvent, Notification
from zhucun.testing.world import World


def _ends_on(cadre: Cadre, day: dt.date) -> None:
    Cadre.objects.filter(pk=cadre.pk).update(term_end=day)


def test_the_unit_and_its_department_are_reminded_90_and_30_days_ahead_once_each(world: World) -> None:
    today = dt.date(2026, 11, 30)
    cadre = world.members["A"]
    _ends_on(cadre, today + dt.timedelta(days=80))
    assert services.term_end_reminders_send(today=today) == 1  # within 90 days: the first reminder
    assert services.term_end_reminders_send(today=today) == 0
    to = set(
        Notification.objects.filter(url=reverse("cadre-detail", args=[cadre.pk])).values_list("recipient_id", flat=True)
    )
    assert to == {world.personas["unit"].pk, world.personas["county"].pk}
    assert services.term_end_reminders_send(today=today + dt.timedelta(days=55)) == 1  # 25 days left
    assert set(TermReminder.objects.filter(cadre=cadre).values_list("days_before", flat=True)) == {90, 30}


def test_the_handover_opens_30_days_before_the_end_and_is_ticked_by_the_township(world: World) -> None:
    cadre, township = world.members["A"], world.personas["township"]
    with pytest.raises(ValidationError):  # the term runs until 2028
        services.handover_tick(actor=township, cadre=cadre, item="work_log", done=True)
    Cadre.objects.filter(pk=cadre.pk).update(status=Cadre.Status.ADJUSTED)
    cadre.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.handover_tick(actor=world.personas["unit"], cadre=cadre, item="work_log", done=True)
    for key, _ in HANDOVER_ITEMS:
        record = services.handover_tick(actor=township, cadre=cadre, item=key, done=True, note="已交")
    assert record.completed_at is not None
    assert AuditEvent.objects.filter(action="cadre.handover_tick").count() == len(HANDOVER_ITEMS)
    services.handover_tick(actor=township, cadre=cadre, item="party", done=False)
    assert Handover.objects.get(cadre=cadre).completed_at is None


def test_the_handover_page_lists_the_items_and_the_township_ticks_one(world: World) -> None:
    cadre = world.members["A"]
    Cadre.objects.filter(pk=cadre.pk).update(status=Cadre.Status.RECALLED)
    client = Client()
    client.force_login(world.personas["township"])
    detail = client.get(reverse("cadre-detail", args=[cadre.pk])).content.decode()
    assert reverse("cadre-handover", args=[cadre.pk]) in detail
    assert client.post(reverse("cadre-handover", args=[cadre.pk]), {"item": "funds", "done": "1"}).status_code == 302
    page = client.get(reverse("cadre-handover", args=[cadre.pk])).content.decode()
    assert "工作经费账目核对" in page and "p_township" in page
