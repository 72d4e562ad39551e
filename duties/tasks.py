"""Duties calendar jobs on Celery: thin, idempotent tasks that call one service each."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.utils import timezone

from zhucun.jobs import RETRY_TRANSIENT

from . import services


@shared_task(name="duties.generate_obligations", acks_late=True, **RETRY_TRANSIENT)
def generate_obligations() -> int:
    """Daily (idempotent): every body's obligations of this year, and of next year from December on,
    so the first quarter's reminders can go out in time."""
    today = timezone.localdate()
    created = services.obligations_generate(year=today.year)
    if today.month == 12:
        created += services.obligations_generate(year=today.year + 1)
    return created


@shared_task(name="duties.mark_overdue", acks_late=True, **RETRY_TRANSIENT)
def mark_overdue() -> dict[str, Any]:
    """Daily: fulfil from records, mark overdue and escalate, remind 7 days and 1 day before."""
    return services.obligations_update()
