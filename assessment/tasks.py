"""Background jobs of assessment and recall. Thin: they take ids or dates and call one service;
each is idempotent (zhucun/jobs.py schedules them; ``manage.py run_jobs`` runs them once)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from zhucun.jobs import RETRY_TRANSIENT


@shared_task(name="assessment.detect_recall_triggers", acks_late=True, **RETRY_TRANSIENT)
def detect_recall_triggers(day: str | None = None) -> int:
    """第二十条1–2, the nightly backstop of the immediate detection: final 不称职 grades and three
    confirmed absence days without a case get one, and so does a profile's yearly leave limit (decision
    0079); open 不称职 cases whose grade no longer stands are closed. Running it twice changes nothing."""
    from .services import (
        recall_detect_absences,
        recall_detect_incompetent,
        recall_detect_leave_days,
        recall_reconcile_incompetent,
    )

    today = dt.date.fromisoformat(day) if day else timezone.localdate()
    return (
        len(recall_reconcile_incompetent())
        + len(recall_detect_absences())
        + len(recall_detect_incompetent())
        + len(recall_detect_leave_days(today=today))
    )


@shared_task(name="assessment.expire_sanctions", acks_late=True, **RETRY_TRANSIENT)
def expire_sanctions(day: str | None = None) -> int:
    """第二十条: sanctions past their end date are marked expired."""
    from .services import sanctions_expire

    return sanctions_expire(today=dt.date.fromisoformat(day) if day else timezone.localdate())


@shared_task(name="assessment.remind_round_deadlines", acks_late=True, **RETRY_TRANSIENT)
def remind_round_deadlines(day: str | None = None) -> int:
    """第二十一条: rounds not finalized by their deadline remind their department, once."""
    from .services import rounds_remind_overdue

    return rounds_remind_overdue(today=dt.date.fromisoformat(day) if day else timezone.localdate())


@shared_task(name="assessment.build_export", acks_late=True)
def build_export(job_id: int) -> str:
    """Build a large assessment workbook for an ExportJob (progress in the row, file when done). Not
    retried: a failure is shown on the job's page and the user asks again. Idempotent: a job already
    done is not built again (the outbox delivers at least once)."""
    from .services import export_job_run

    return export_job_run(job_id=job_id)
