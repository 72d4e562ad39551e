"""The nightly jobs of issue 5 (zhucun/jobs.py): sanction expiry and round deadline reminders."""

from __future__ import annotations

import datetime as dt

from assessment.models import AssessmentRound, RecallCase, Sanction
from assessment.tasks import expire_sanctions, remind_round_deadlines
from zhucun.jobs import SCHEDULED_JOBS
from zhucun.models import AuditEvent, Notification
from zhucun.testing.world import World


def test_the_jobs_are_scheduled() -> None:
    names = {name for name, _ in SCHEDULED_JOBS}
    assert {
        "assessment.detect_recall_triggers",
        "assessment.expire_sanctions",
        "assessment.remind_round_deadlines",
    } <= names


def test_sanctions_past_their_end_are_marked_once_第二十条(world: World) -> None:
    cadre = world.members["A"]
    case = RecallCase.objects.create(cadre=cadre, unit=cadre.unit, village_code=cadre.team.village_id, trigger="other")
    ended = Sanction.objects.create(
        cadre=cadre, case=case, village_code=case.village_code, kind="no_awards",
        starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 12, 31),
    )  # fmt: skip
    Sanction.objects.create(
        cadre=cadre, case=case, village_code=case.village_code, kind="no_promotion",
        starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2026, 12, 31),
    )  # fmt: skip
    assert expire_sanctions("2026-01-01") == 1
    assert expire_sanctions("2026-01-01") == 0
    ended.refresh_from_db()
    assert ended.expired_at is not None
    assert AuditEvent.objects.filter(action="sanction.expire").count() == 1


def test_an_overdue_round_reminds_its_department_once(world: World) -> None:
    AssessmentRound.objects.create(year=2025, level="county", region_code="130102", deadline=dt.date(2026, 3, 31))
    AssessmentRound.objects.create(
        year=2024, level="county", region_code="130104", deadline=dt.date(2025, 3, 31), status="finalized"
    )
    assert remind_round_deadlines("2026-04-01") == 1
    assert remind_round_deadlines("2026-04-02") == 0
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["p_county"]
