"""Duties calendar jobs on Celery: thin, idempotent tasks that call one service each. The year's
obligations and the daily status fan out one task per county, like the attendance jobs (decisions 0050,
0179, 0181): the outbox rows are all written before any is published, and every county task is
idempotent."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from cadres import selectors as cadres_selectors
from zhucun import outbox
from zhucun.jobs import RETRY_TRANSIENT

from . import services


@shared_task(name="duties.generate_obligations", acks_late=True, **RETRY_TRANSIENT)
def generate_obligations() -> int:
    """Daily (idempotent): every body's obligations of this year, and of next year from December on,
    so the first quarter's reminders can go out in time. The bodies above the counties here, then one
    task per county and year for the rest. Returns the number of county tasks queued."""
    today = timezone.localdate()
    years = [today.year, today.year + 1] if today.month == 12 else [today.year]
    codes = cadres_selectors.county_codes()
    for year in years:
        services.obligations_generate_above_counties(year=year, counties=codes)
    calls = [(code, year) for year in years for code in codes]
    outbox.enqueue_many(generate_obligations_county.name, calls)
    return len(calls)


@shared_task(name="duties.generate_obligations_county", acks_late=True, **RETRY_TRANSIENT)
def generate_obligations_county(county_code: str, year: int) -> int:
    return services.obligations_generate_in_county(year=year, county_code=county_code)


@shared_task(name="duties.mark_overdue", acks_late=True, **RETRY_TRANSIENT)
def mark_overdue(day: str | None = None) -> int:
    """Daily: fulfil from records, mark overdue and escalate (第十七条), remind before the due dates. The
    obligations above the counties here, then one task per county, all judged on the same day
    (docs/decisions/0181). Returns the number of county tasks queued."""
    target = dt.date.fromisoformat(day) if day else timezone.localdate()
    codes = cadres_selectors.county_codes()
    services.obligations_update_above_counties(today=target, counties=codes)
    outbox.enqueue_many(mark_overdue_county.name, [(code, target.isoformat()) for code in codes])
    return len(codes)


@shared_task(name="duties.mark_overdue_county", acks_late=True, **RETRY_TRANSIENT)
def mark_overdue_county(county_code: str, day: str) -> dict[str, int]:
    return services.obligations_update_in_county(today=dt.date.fromisoformat(day), county_code=county_code)
