"""Supervision for the demo province, so `make run` shows it at work: random presence checks in 龙州镇
over the last days — answered in the village, answered outside it, missed (each with its pending
finding) — and one waiting on the demo cadre's phone. Deterministic and idempotent."""

from __future__ import annotations

import contextlib
import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import User
from cadres.models import Cadre

from . import services
from .models import PresenceCheck

DEMO_TOWNSHIP = "130125100"
DEMO_CADRE_VILLAGE = "130125100200"


def seed_presence_checks(*, now: dt.datetime | None = None) -> int:
    if PresenceCheck.objects.exists():
        return 0
    now = now or timezone.now()
    issuer = User.objects.filter(role="township", region_id=DEMO_TOWNSHIP).first()
    cadres = list(
        Cadre.objects.filter(status=Cadre.Status.ACTIVE, team__village__code__startswith=DEMO_TOWNSHIP)
        .exclude(team__village_id=DEMO_CADRE_VILLAGE)
        .order_by("team__village_id", "pk")[:6]
    )
    rows = []
    for index, cadre in enumerate(cadres):
        issued = timezone.localtime(now - dt.timedelta(days=index + 1)).replace(hour=10, minute=15, second=0)
        due = issued + dt.timedelta(minutes=30)
        outcome = ("present", "present", "outside_geofence", "missed_pending", "present", "present")[index % 6]
        rows.append(
            PresenceCheck(
                cadre=cadre, village_code=cadre.team.village_id, minutes=30, issued_by=issuer, issued_at=issued,
                due_at=due, status="pending" if outcome == "missed_pending" else outcome,
                answered_at=None if outcome == "missed_pending" else issued + dt.timedelta(minutes=4 + index),
                distance_m=None if outcome == "missed_pending" else (2600 if outcome == "outside_geofence" else 120),
            )
        )  # fmt: skip
    PresenceCheck.objects.bulk_create(rows)
    services.presence_checks_expire(now=now)  # the missed one gets its pending finding
    demo_cadre = Cadre.objects.filter(team__village_id=DEMO_CADRE_VILLAGE, role="first_secretary_leader").first()
    if issuer is not None and demo_cadre is not None:
        # on approved leave today, or already checked: the demo shows the others
        with contextlib.suppress(ValidationError):
            services.presence_check_issue(actor=issuer, cadre=demo_cadre, minutes=120)
    return PresenceCheck.objects.count()


def seed_supervision() -> dict[str, int]:
    """Everything supervision shows in the demo (hooked into ``manage.py seed_demo``)."""
    return {"presence_checks": seed_presence_checks()}
