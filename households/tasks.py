"""Household visit jobs on Celery: thin, idempotent tasks that call one service each."""

from __future__ import annotations

from celery import shared_task

from zhucun.jobs import RETRY_TRANSIENT

from . import services


@shared_task(name="households.flag_overdue_visits", acks_late=True, **RETRY_TRANSIENT)
def flag_overdue_visits() -> int:
    """Daily: tell team leaders of their village's overdue visits (第六条7–8), once a month per village."""
    return services.overdue_visits_flag()
