"""Celery queues (issue 16 item 4): the scheduled jobs, the exports and the notifications each have a
queue of their own, so a province's 2,800 county jobs cannot hold up a message an approver must read
within the half-day deadline, and a 100 MB workbook cannot take a jobs worker's memory. docker-compose
runs one worker per queue (the exports' with prefetch 1 and a memory cap per child); a worker started
without ``-Q`` (development, the tests) consumes all three.

Settings read ``QUEUES`` and ``route`` (CELERY_TASK_QUEUES, CELERY_TASK_ROUTES, docs/decisions/0102).
"""

from __future__ import annotations

from typing import Any

JOBS, EXPORTS, NOTIFICATIONS = "jobs", "exports", "notifications"
QUEUES = (JOBS, EXPORTS, NOTIFICATIONS)

#: Tasks that build a file a person downloads (bounded memory per worker child).
EXPORT_TASKS = frozenset({"assessment.build_export"})
#: Tasks that deliver messages through the channels (decisions 0150–0152, the reset code of 0173).
NOTIFICATION_TASKS = frozenset(
    {"zhucun.send_delivery", "zhucun.send_digests", "zhucun.send_due_deliveries", "accounts.send_reset_code"}
)


def queue_of(name: str) -> str:
    """The queue of the task called ``name``: every other task is a job."""
    if name in EXPORT_TASKS:
        return EXPORTS
    if name in NOTIFICATION_TASKS:
        return NOTIFICATIONS
    return JOBS


def route(name: str, args: Any, kwargs: Any, options: Any, task: Any = None, **_: Any) -> dict[str, str]:
    """Celery's router signature (task_routes): also applies to the outbox's ``send_task`` by name."""
    return {"queue": queue_of(name)}
