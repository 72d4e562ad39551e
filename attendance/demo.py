"""Attendance history for the demo province, so the dashboards of `make run` show a real month:
most cadres in the village most days, a few short of 25 days, one village nobody signed in to today,
and yesterday's absences as pending findings. Deterministic and idempotent.

Today is left open for the demo's cadre logins (issue 15 item 14): ganbu, ganbu2 and ganbu3 are the
team of 东庄村, the village nobody has signed in to yet — a newcomer signs in with one tap and sees
the village covered on longzhou's dashboard. One more cadre of 龙州镇 has not signed in either, so the
dashboard's list of who has not signed in names someone outside that village too."""

from __future__ import annotations

import datetime as dt
import uuid

from django.utils import timezone

from cadres.models import Cadre
from cadres.selectors import county_codes

from . import jobs
from .models import SignIn

#: a village left uncovered today (the township dashboard's red row): the team of the demo cadre
#: logins (cadres.demo.DEMO_ACCOUNTS "ganbu", leave.demo "ganbu2"/"ganbu3"), whose sign-in stays open
UNCOVERED_TODAY = "130125100200"
#: the township of the demo's township login (longzhou)
DEMO_TOWNSHIP = "130125100"
#: a village where one cadre (the last by name) has not signed in today, the others have
ONE_MISSING_TODAY = "130125100202"


def seed_attendance(*, today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    first = today.replace(day=1)
    cadres = list(Cadre.objects.filter(status=Cadre.Status.ACTIVE).select_related("team"))
    missing = Cadre.objects.filter(status=Cadre.Status.ACTIVE, team__village_id=ONE_MISSING_TODAY).order_by("-name")
    missing_today = missing.values_list("pk", flat=True).first()
    rows = []
    for index, cadre in enumerate(cadres):
        day = first
        while day <= today:
            skip = (index + day.day) % (9 if index % 4 else 4) == 0  # every 4th cadre misses many days
            if day == today and cadre.team.village_id.startswith(DEMO_TOWNSHIP):
                # today in 龙州镇: open for the demo logins and one more; everybody else has signed in
                skip = cadre.team.village_id == UNCOVERED_TODAY or cadre.pk == missing_today
            if not skip:
                late = (index + day.day) % 11 == 0
                rows.append(
                    SignIn(
                        cadre=cadre,
                        village_code=cadre.team.village_id,
                        date=day,
                        client_id=uuid.uuid5(uuid.NAMESPACE_OID, f"demo-{cadre.pk}-{day}"),
                        status=SignIn.Status.LATE if late else SignIn.Status.OK,
                        inside_geofence=True,
                        distance_m=40 + (index * 37 + day.day * 13) % 600,
                        server_time=timezone.make_aware(
                            dt.datetime.combine(day, dt.time(8 if not late else 10, index % 50))
                        ),
                    )
                )
            day += dt.timedelta(days=1)
    before = SignIn.objects.count()
    SignIn.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    yesterday = today - dt.timedelta(days=1)
    if yesterday >= first:
        for code in county_codes():
            jobs.absence_findings_for_day(county_code=code, day=yesterday)
    return SignIn.objects.count() - before
