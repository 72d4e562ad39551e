"""Attendance jobs on Celery: thin tasks that take codes and dates and call attendance/jobs.py. The
fan-outs write one outbox row per county before publishing any (decision 0050), so a broker that
fails part-way loses no county; every county task is idempotent (attendance/jobs.py)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from cadres import selectors as cadres_selectors
from zhucun import outbox
from zhucun.jobs import RETRY_TRANSIENT
from zhucun.policy import profile_on

from . import jobs, partitions, rules


@shared_task(name="attendance.coverage_check", acks_late=True, **RETRY_TRANSIENT)
def coverage_check(day: str | None = None) -> int:
    """Runs every 15 minutes; acts once the day's sign-in window has closed (the window is a policy
    value, so the schedule does not hard-code it). Fans out one task per county."""
    now = timezone.localtime()
    target = dt.date.fromisoformat(day) if day else now.date()
    if day is None and not rules.after_window(now.time(), profile_on(target)):
        return 0
    codes = cadres_selectors.county_codes()
    outbox.enqueue_many(coverage_check_county.name, [(code, target.isoformat()) for code in codes])
    return len(codes)


@shared_task(name="attendance.coverage_check_county", acks_late=True, **RETRY_TRANSIENT)
def coverage_check_county(county_code: str, day: str) -> int:
    return jobs.coverage_check(county_code=county_code, day=dt.date.fromisoformat(day))


@shared_task(name="attendance.absence_findings", acks_late=True, **RETRY_TRANSIENT)
def absence_findings(day: str | None = None) -> int:
    """After a day has ended: that day's absences without leave become pending findings."""
    target = dt.date.fromisoformat(day) if day else timezone.localdate() - dt.timedelta(days=1)
    codes = cadres_selectors.county_codes()
    outbox.enqueue_many(absence_findings_county.name, [(code, target.isoformat()) for code in codes])
    return len(codes)


@shared_task(name="attendance.absence_findings_county", acks_late=True, **RETRY_TRANSIENT)
def absence_findings_county(county_code: str, day: str) -> int:
    return jobs.absence_findings_for_day(county_code=county_code, day=dt.date.fromisoformat(day))


@shared_task(name="attendance.erase_coordinates", acks_late=True, **RETRY_TRANSIENT)
def erase_coordinates() -> int:
    today = timezone.localdate()
    return jobs.coordinates_erase(before=today - dt.timedelta(days=profile_on(today).coordinate_retention_days))


@shared_task(name="attendance.ensure_partitions", acks_late=True, **RETRY_TRANSIENT)
def ensure_partitions() -> int:
    """Every night: this month's and the next months' sign-in partitions exist before their first
    sign-in (PostgreSQL; decision 0178). Returns how many were created."""
    return len(partitions.ensure_ahead(timezone.localdate()))
