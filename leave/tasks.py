"""Background jobs of leave (Celery beat; ``manage.py run_jobs``). Thin: each takes an ISO timestamp
(or nothing: now) and calls one service. Idempotent through ``reminded_at``, ``escalated_at`` and
``report_back_flagged_at``; rows are locked with SKIP LOCKED so overlapping runs never double-send.
No task is scheduled with a countdown or eta: beat runs them every few minutes, which keeps every
delay far below the broker's visibility timeout (settings: 3600 s)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from zhucun.jobs import RETRY_TRANSIENT

from .services import leave_requests_flag_missing_report_back, leave_steps_escalate, leave_steps_remind


def _at(now: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(now) if now else None


@shared_task(name="leave.remind_deadlines", acks_late=True, **RETRY_TRANSIENT)
def remind_deadlines(now: str | None = None) -> int:
    """Remind approvers an hour before their half-day deadline (第十九条2)."""
    return leave_steps_remind(now=_at(now))


@shared_task(name="leave.escalate_overdue", acks_late=True, **RETRY_TRANSIENT)
def escalate_overdue(now: str | None = None) -> int:
    """Report answers overdue past the half-day deadline to the approver's superior (第十九条2)."""
    return leave_steps_escalate(now=_at(now))


@shared_task(name="leave.flag_missing_report_back", acks_late=True, **RETRY_TRANSIENT)
def flag_missing_report_back(now: str | None = None) -> int:
    """Flag to the township an approved leave not reported back (销假) by the next working day."""
    return leave_requests_flag_missing_report_back(now=_at(now))
