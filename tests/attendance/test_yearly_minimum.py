"""A profile with a yearly minimum (the 2021 national template: at least 200 days a year in the
village): the dashboard's ``meets_25_days`` flag reads the yearly rule, prorated to the days in post."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.management import call_command

from attendance import rules
from attendance.models import SignIn
from cadres.models import Cadre
from tests.conftest import api_as
from zhucun.policy import profile_on
from zhucun.testing.world import World


def _present(cadre: Cadre, days: list[dt.date]) -> None:
    SignIn.objects.bulk_create(
        [
            SignIn(cadre=cadre, village_code=cadre.team.village_id, date=day, client_id=uuid.uuid4(), status="ok",
                   inside_geofence=True, distance_m=50)
            for day in days
        ]
    )  # fmt: skip


def _days(first: dt.date, count: int) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range(count)]


def test_under_the_national_template_the_meets_flag_reads_the_yearly_rule(world: World, clock: Any) -> None:
    """By the end of October 304 of 2026's 365 days have passed: the pro-rata share of 200 days is 167.
    The leader was in the village 170 days (only 20 in October); the member 160 (26 in October)."""
    leader, member = world.leaders["A"], world.members["A"]
    _present(leader, _days(dt.date(2026, 1, 1), 150) + _days(dt.date(2026, 10, 1), 20))
    _present(member, _days(dt.date(2026, 1, 1), 134) + _days(dt.date(2026, 10, 1), 26))
    client = api_as(world.personas["township"])
    before = {r["id"]: r for r in client.get("/api/v1/dashboards/attendance/?month=2026-10").json()["cadres"]}
    assert (before[leader.pk]["meets_25_days"], before[member.pk]["meets_25_days"]) == (False, True)

    call_command("apply_profile", "national_2021", "--from", "2026-01-01")
    after = {r["id"]: r for r in client.get("/api/v1/dashboards/attendance/?month=2026-10").json()["cadres"]}
    assert (after[leader.pk]["meets_25_days"], after[member.pk]["meets_25_days"]) == (True, False)
    assert (after[leader.pk]["days_required"], after[leader.pk]["days_counted"]) == (167, 170)
    assert after[leader.pk]["days_present"] == 20  # the month's own days are still the month's


def test_the_yearly_rule_is_prorated_to_the_days_in_post(world: World, clock: Any) -> None:
    call_command("apply_profile", "national_2021", "--from", "2026-01-01")
    verdict = rules.minimum_days_verdict(
        profile=profile_on(dt.date(2026, 12, 31)), month=dt.date(2026, 12, 1), today=dt.date(2027, 1, 5),
        term_start=dt.date(2026, 7, 1), term_end=dt.date(2028, 6, 30), counted=101, counted_today=False,
    )  # fmt: skip
    # 184 days in post of 365: 200 × 184 / 365 = 100.8 → 101.
    assert (verdict.period, verdict.required, verdict.meets) == ("2026", 101, True)
