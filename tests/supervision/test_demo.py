"""`make run` shows supervision at work (supervision/demo.py)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import RegionGrant
from supervision.models import AnnualTask, Demand, InspectionPlan, InspectionResult, PresenceCheck


@pytest.mark.django_db
def test_the_demo_has_presence_checks_and_every_teams_task_list() -> None:
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    statuses = set(PresenceCheck.objects.values_list("status", flat=True))
    assert {"present", "outside_geofence", "missed"} <= statuses
    missed = PresenceCheck.objects.get(status="missed")
    assert missed.finding is not None and missed.finding.source == "presence_check"
    tasks = AnnualTask.objects.all()
    assert {"required", "optional"} <= set(tasks.values_list("kind", flat=True))
    if timezone.localdate().timetuple().tm_yday > 1:  # the overdue task ran past its deadline ten days ago
        assert tasks.filter(overdue_flagged_at__isnull=False).exists()
    assert InspectionPlan.objects.count() == 2 and InspectionResult.objects.count() >= 3
    assert RegionGrant.objects.filter(user__username="xingtang", content_object_id="130126").exists()
    assert Demand.objects.filter(source="cadre").exists() and Demand.objects.filter(source="demander").exists()
    counts = (PresenceCheck.objects.count(), tasks.count())
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (PresenceCheck.objects.count(), AnnualTask.objects.count()) == counts
