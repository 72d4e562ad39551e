"""Jobs, exports and notifications on queues of their own (issue 16 item 4, zhucun/queues.py): asked of
Celery's own router, which the outbox's ``send_task`` goes through too."""

from __future__ import annotations

from zhucun import queues
from zhucun.celery import app
from zhucun.jobs import SCHEDULED_JOBS


def _queue(name: str) -> str:
    return str(app.amqp.router.route({}, name)["queue"].name)


def _registered() -> set[str]:
    app.loader.import_default_modules()
    return {name for name in app.tasks if not name.startswith("celery.")}


def test_the_named_export_and_notification_tasks_exist() -> None:
    assert _registered() >= queues.EXPORT_TASKS | queues.NOTIFICATION_TASKS


def test_every_task_goes_to_its_queue_and_the_rest_are_jobs() -> None:
    routed = {name: _queue(name) for name in _registered()}
    assert {n for n, q in routed.items() if q == "exports"} == {"assessment.build_export"}
    assert {n for n, q in routed.items() if q == "notifications"} == {
        "zhucun.send_delivery", "zhucun.send_digests", "zhucun.send_due_deliveries", "accounts.send_reset_code"
    }  # fmt: skip
    assert {n for n, q in routed.items() if q not in {"exports", "notifications"}} <= {
        n for n, q in routed.items() if q == "jobs"
    }


def test_the_scheduled_county_jobs_never_share_a_queue_with_messages() -> None:
    scheduled = {name for name, _ in SCHEDULED_JOBS}
    assert {_queue(n) for n in scheduled - queues.NOTIFICATION_TASKS} == {"jobs"}


def test_a_worker_without_q_consumes_every_queue() -> None:
    assert {queue.name for queue in app.conf.task_queues} == {"jobs", "exports", "notifications"}
    assert app.conf.task_default_queue == "jobs"
