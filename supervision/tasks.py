"""Supervision jobs on Celery: thin, idempotent tasks that call one service each (zhucun/jobs.py)."""

from __future__ import annotations

from celery import shared_task

from zhucun.jobs import RETRY_TRANSIENT

from . import services


@shared_task(name="supervision.presence_checks", acks_late=True, **RETRY_TRANSIENT)
def presence_checks() -> int:
    """Every five minutes: random presence checks past their time become 未按时确认 with a pending
    finding (第十三条3, API.md "Random presence checks")."""
    return services.presence_checks_expire()


@shared_task(name="supervision.task_overdue_flags", acks_late=True, **RETRY_TRANSIENT)
def task_overdue_flags() -> int:
    """Nightly: tasks of the annual lists past their deadline and not done are flagged once, and the
    team's leader and the body that set them told (第七条 完成时限)."""
    return services.task_overdue_flags()


@shared_task(name="supervision.unit_return_flags", acks_late=True, **RETRY_TRANSIENT)
def unit_return_flags() -> int:
    """Nightly: units whose cadres were posted 回单位 on more days of the month than the profile allows
    are flagged (第十一条)."""
    return services.unit_return_flags()
