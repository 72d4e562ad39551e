"""Jobs of the shared infrastructure (listed in zhucun/jobs.py)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="zhucun.purge_audit_events", acks_late=True)
def purge_audit_events() -> int:
    """Archive then delete audit events past ZHUCUN_AUDIT_RETENTION_DAYS (zhucun/audit_archive.py).
    Idempotent: a second run finds nothing left to purge."""
    from zhucun.audit_archive import purge_expired

    return purge_expired().rows
