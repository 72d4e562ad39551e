"""Background jobs of the shell (Celery beat; ``manage.py run_jobs``). Thin: a date or ids in, one
service: the working-calendar warning, publishing the outbox, delivering notifications and the morning digest."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from zhucun.jobs import DELIVERY_RETRY, RETRY_TRANSIENT
from zhucun.workcalendar.services import work_calendar_warn_missing


@shared_task(name="zhucun.warn_missing_work_calendar", acks_late=True, **RETRY_TRANSIENT)
def warn_missing_work_calendar(day: str | None = None) -> int:
    """From October 1, warn provincial staff that next year's holiday table is missing (once per year
    and recipient; docs/decisions/0085)."""
    return work_calendar_warn_missing(today=dt.date.fromisoformat(day) if day else None)


@shared_task(name="zhucun.purge_audit_events", acks_late=True, **RETRY_TRANSIENT)
def purge_audit_events() -> int:
    """Archive then delete audit events past ZHUCUN_AUDIT_RETENTION_DAYS (zhucun/audit_archive.py).
    Idempotent: a second run finds nothing left to purge."""
    from zhucun.audit_archive import purge_expired

    return purge_expired().rows


@shared_task(name="zhucun.drain_outbox", acks_late=True)
def drain_outbox() -> int:
    """Publish the tasks the broker could not take when they were asked for (decision 0050). Raises,
    so ``run_jobs`` and the worker's log report it, while the broker is still unreachable."""
    from zhucun.outbox import drain

    return drain()


@shared_task(name="zhucun.send_delivery", acks_late=True, **DELIVERY_RETRY)
def send_delivery(delivery_id: int) -> str:
    """Send one delivery through its channel (decision 0152). Idempotent: a delivery already sent,
    failed or skipped is left as it is; a transient failure is retried with backoff."""
    from zhucun.deliveries import send

    return send(delivery_id=delivery_id)


@shared_task(name="zhucun.send_digests", acks_late=True, **RETRY_TRANSIENT)
def send_digests() -> int:
    """The morning digest: each person's non-urgent notifications, one message per channel."""
    from zhucun.deliveries import build_digests

    return build_digests()


@shared_task(name="zhucun.send_due_deliveries", acks_late=True, **RETRY_TRANSIENT)
def send_due_deliveries() -> int:
    """Queue the deliveries whose quiet hours ended, and those whose task was lost."""
    from zhucun.deliveries import queue_due

    return queue_due()
