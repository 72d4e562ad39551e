"""`make run` shows supervision at work (supervision/demo.py)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from supervision.models import PresenceCheck


@pytest.mark.django_db
def test_the_demo_has_presence_checks_answered_missed_and_one_waiting_for_the_demo_cadre() -> None:
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    statuses = set(PresenceCheck.objects.values_list("status", flat=True))
    assert {"present", "outside_geofence", "missed"} <= statuses
    missed = PresenceCheck.objects.get(status="missed")
    assert missed.finding is not None and missed.finding.source == "presence_check"
    count = PresenceCheck.objects.count()
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert PresenceCheck.objects.count() == count
