"""Background jobs of the organization model. Thin: they take ids or dates and call one service."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from zhucun.jobs import RETRY_TRANSIENT

from .services import cadre_terms_expire, term_end_reminders_send


@shared_task(name="cadres.expire_terms", acks_late=True, **RETRY_TRANSIENT)
def expire_terms(day: str | None = None) -> int:
    """Mark cadres whose term ended as 期满 (第三条). Idempotent."""
    today = dt.date.fromisoformat(day) if day else timezone.localdate()
    return cadre_terms_expire(today=today)


@shared_task(name="cadres.term_end_reminders", acks_late=True, **RETRY_TRANSIENT)
def term_end_reminders() -> int:
    """90 and 30 days before a term ends, remind the unit and its organization department (第三条)."""
    return term_end_reminders_send()
