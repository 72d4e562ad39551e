"""The scheduled jobs, in one list: Celery beat runs them on schedule and ``manage.py run_jobs`` runs
every one once, now (API.md "Jobs"). Later capabilities append their jobs here."""

from __future__ import annotations

import os
from typing import Any

from celery.schedules import crontab
from django.db import InterfaceError, OperationalError

from zhucun.channels.base import TransientDeliveryError


def _digest_time() -> tuple[int, int]:
    """ZHUCUN_DIGEST_TIME (HH:MM, Asia/Shanghai), read from the environment: the settings import this
    module while they load."""
    hour, _, minute = os.environ.get("ZHUCUN_DIGEST_TIME", "07:30").partition(":")
    return int(hour), int(minute or 0)


_DIGEST_HOUR, _DIGEST_MINUTE = _digest_time()

#: (task name, beat schedule) — every entry also runs in ``run_jobs``.
SCHEDULED_JOBS: list[tuple[str, crontab]] = [
    ("cadres.expire_terms", crontab(hour=0, minute=30)),
    ("cadres.term_end_reminders", crontab(hour=8, minute=5)),
    # --- working calendar (issue 11 item 3): next year's holiday table missing from October 1 ---
    ("zhucun.warn_missing_work_calendar", crontab(hour=8, minute=5)),
    # --- attendance (issue 3) ---
    ("attendance.ensure_partitions", crontab(hour=0, minute=5)),  # the months ahead (decision 0178)
    ("attendance.coverage_check", crontab(minute="*/15", hour="6-23")),
    ("attendance.absence_findings", crontab(hour=0, minute=20)),
    ("attendance.erase_coordinates", crontab(hour=2, minute=0)),
    # --- leave (issue 4) ---
    ("leave.remind_deadlines", crontab(minute="*/10")),
    ("leave.escalate_overdue", crontab(minute="*/10")),
    ("leave.flag_missing_report_back", crontab(hour=9, minute=0)),
    # --- assessment and recall (issue 5) ---
    ("assessment.detect_recall_triggers", crontab(hour=1, minute=15)),
    ("assessment.expire_sanctions", crontab(hour=0, minute=45)),
    ("assessment.remind_round_deadlines", crontab(hour=8, minute=0)),
    # --- team funds (issue 12) ---
    ("funding.overdue_flags", crontab(hour=7, minute=10)),
    ("funding.insurance_gaps", crontab(hour=7, minute=20)),
    ("funding.open_year", crontab(hour=0, minute=5, day_of_month=1, month_of_year=1)),
    # --- the duties calendar (issue 13): obligations first, then their status, reminders, escalation ---
    ("duties.generate_obligations", crontab(hour=0, minute=10)),
    ("duties.mark_overdue", crontab(hour=7, minute=30)),
    # --- supervision (issue 13) ---
    ("supervision.presence_checks", crontab(minute="*/5")),
    ("supervision.task_overdue_flags", crontab(hour=7, minute=30)),
    ("supervision.unit_return_flags", crontab(hour=1, minute=40)),
    # --- households and visits (issue 14, 第六条7–8): overdue visits to the team leader ---
    ("households.flag_overdue_visits", crontab(hour=7, minute=40)),
    # --- audit retention (issue 10 item 13) ---
    ("zhucun.purge_audit_events", crontab(hour=3, minute=30)),
    ("accounts.purge_password_resets", crontab(hour=3, minute=40)),  # kept as long (decision 0173)
    # --- notification channels (issue 15, decision 0151): the morning digest, then what is due ---
    ("zhucun.send_digests", crontab(hour=_DIGEST_HOUR, minute=_DIGEST_MINUTE)),
    ("zhucun.send_due_deliveries", crontab(minute="*/5")),
    # --- the outbox (issue 10; decision 0050): last, so run_jobs publishes what the jobs above queued ---
    ("zhucun.drain_outbox", crontab()),
]

#: Options of every idempotent task: a lost database connection (a PostgreSQL restart or failover,
#: issue 10 item 6), a deadlock or a serialization failure is retried after a random wait of up to
#: 2, 4, 8, 16 and 32 s (exponential backoff, full jitter), and then the task fails (decision 0053).
#: Other errors are bugs: not retried.
RETRY_TRANSIENT: dict[str, Any] = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 5,
}


def beat_schedule() -> dict[str, dict[str, object]]:
    return {name: {"task": name, "schedule": schedule} for name, schedule in SCHEDULED_JOBS}


#: The delivery task (zhucun.send_delivery, decision 0152): besides the database errors above, a
#: platform that could not take the message now (timeout, 5xx, busy, rate limited) is retried after
#: a random wait of up to 30 s, 1, 2, 4 … 30 min. The service marks the delivery failed after
#: ZHUCUN_DELIVERY_MAX_ATTEMPTS tries and stops raising, so Celery's own limit is only a backstop.
DELIVERY_RETRY: dict[str, Any] = {
    **RETRY_TRANSIENT,
    "autoretry_for": (*RETRY_TRANSIENT["autoretry_for"], TransientDeliveryError),
    "retry_backoff": 30,
    "retry_backoff_max": 1800,
    "max_retries": 20,
}
