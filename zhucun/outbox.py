"""The transactional outbox (decision 0050): work handed to Celery survives a broker that is down.

``enqueue`` writes the task as an ``OutboxMessage`` row in the transaction of the change that asks
for it, so the two commit together or not at all. After the commit the row is published once, with
the broker's bounded timeouts (settings, decision 0051); if the broker does not take it, the row
stays, counted as a failed attempt, and the ``zhucun.drain_outbox`` job (every minute) publishes it
when the broker answers again. A request therefore never fails, nor waits long, because Redis is
down, and nothing it asked for is lost.

Delivery is at least once: a publish that timed out may still have reached Redis, and a worker
killed before its acknowledgement runs the task again. Every task enqueued here is idempotent.

Tasks take JSON arguments (ids, codes, ISO dates), as every task in this codebase does.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from celery.exceptions import Retry
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from zhucun.celery import app
from zhucun.models import OutboxMessage

logger = logging.getLogger(__name__)

#: How long a sender owns the rows it claimed: far above one bounded publish (about a second).
CLAIM_SECONDS = 120
#: The drain job publishes at most this many rows a run, in batches; beat runs it every minute.
DRAIN_LIMIT = 5000
DRAIN_BATCH = 200
#: A message that fails on its own (not because the broker is down) waits this long, doubling.
RETRY_BASE_SECONDS = 60
RETRY_MAX_SECONDS = 3600

#: The broker is unreachable: kombu re-raises redis-py's connection and timeout errors as its own
#: OperationalError; a bare socket error may escape while a pooled connection is being closed.
BROKER_ERRORS: tuple[type[BaseException], ...] = (KombuOperationalError, OSError)


class BrokerUnavailable(Exception):
    """The drain job could not reach the broker; the messages stay in the outbox."""


def enqueue(task: str, *args: Any, key: str = "", **kwargs: Any) -> OutboxMessage:
    """Publish ``task(*args, **kwargs)`` once the current transaction commits (at once outside one).
    ``key`` names what the task is about (``assessment.exportjob:42``) so a page can say whether it
    is still waiting to be queued (:func:`waiting_to_queue`)."""
    message = OutboxMessage.objects.create(
        task=task, args=list(args), kwargs=kwargs, key=key, next_attempt_at=timezone.now()
    )
    transaction.on_commit(lambda: publish([message]))
    return message


def enqueue_many(task: str, calls: Iterable[Sequence[Any]]) -> list[OutboxMessage]:
    """One ``task`` per argument tuple (a fan-out): every row is written before any is published, so
    a broker failure part-way loses none of them."""
    now = timezone.now()
    messages = OutboxMessage.objects.bulk_create(
        [OutboxMessage(task=task, args=list(args), next_attempt_at=now) for args in calls]
    )
    if messages:
        transaction.on_commit(lambda: publish(messages))
    return messages


def waiting_to_queue(key: str) -> bool:
    """True while a message about ``key`` could not be published yet (the broker was down)."""
    return OutboxMessage.objects.filter(key=key, attempts__gt=0).exists()


def publish(messages: list[OutboxMessage]) -> int:
    """The commit hook: publish ``messages`` now. A broker failure is recorded on the rows (the drain
    job sends them later) and never raised: the change that asked for them is committed, and the
    request that made it must still answer. Returns the number published."""
    now = timezone.now()
    token = uuid.uuid4().hex
    claimed = _free(now).filter(pk__in=[m.pk for m in messages]).update(claim=token, claimed_until=_until(now))
    if claimed != len(messages):  # the drain job took some first
        messages = list(OutboxMessage.objects.filter(claim=token).order_by("pk"))
    sent, _ = _send(messages, now)
    return sent


def drain(*, now: dt.datetime | None = None, limit: int = DRAIN_LIMIT) -> int:
    """Publish the messages that are due, oldest first. Raises :class:`BrokerUnavailable` when the
    broker cannot be reached (the rest wait for the next run). Returns the number published."""
    now = now or timezone.now()
    total = seen = 0
    while seen < limit:
        due = _free(now).filter(next_attempt_at__lte=now).order_by("next_attempt_at", "pk")
        ids = list(due.values_list("pk", flat=True)[: min(DRAIN_BATCH, limit - seen)])
        if not ids:
            break
        seen += len(ids)
        token = uuid.uuid4().hex
        _free(now).filter(pk__in=ids).update(claim=token, claimed_until=_until(now))
        batch = list(OutboxMessage.objects.filter(claim=token).order_by("next_attempt_at", "pk"))
        sent, broker_error = _send(batch, now)
        total += sent
        if broker_error is not None:
            waiting = OutboxMessage.objects.count()
            raise BrokerUnavailable(
                f"消息队列（Redis）无法连接，{waiting} 个任务待发送，恢复后将自动发送：{broker_error}"
            ) from broker_error
    return total


def _free(now: dt.datetime) -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))


def _until(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(seconds=CLAIM_SECONDS)


def _send(messages: list[OutboxMessage], now: dt.datetime) -> tuple[int, BaseException | None]:
    """Publish claimed ``messages``; delete those sent, record the failure on the others. Returns the
    number sent and the broker error that stopped the batch, if one did."""
    if not messages:
        return 0, None
    if app.conf.task_always_eager:
        return _run_in_process(messages), None
    sent: list[int] = []
    poisoned: set[int] = set()
    broker_error: BaseException | None = None
    try:
        with app.producer_or_acquire() as producer:
            for message in messages:
                try:
                    app.send_task(message.task, args=message.args, kwargs=message.kwargs, producer=producer)
                except BROKER_ERRORS:
                    raise
                except Exception as exc:  # this message alone (e.g. arguments the serializer refuses)
                    logger.exception("outbox: %s could not be published", message.task)
                    _failed([message], exc, now + _backoff(message.attempts))
                    poisoned.add(message.pk)
                    continue
                sent.append(message.pk)
    except BROKER_ERRORS as exc:
        broker_error = exc
    OutboxMessage.objects.filter(pk__in=sent).delete()
    if broker_error is not None:
        logger.warning("outbox: the broker is unreachable (%s); %s message(s) wait", broker_error, len(messages))
        # Not sent because the broker is down: due again at once, the next drain tries them first.
        handled = poisoned.union(sent)
        _failed([m for m in messages if m.pk not in handled], broker_error, now)
    return len(sent), broker_error


def _run_in_process(messages: list[OutboxMessage]) -> int:
    """Eager mode (development without Redis, tests): run each task here, as ``.delay()`` would. The
    row goes before its task runs — a task that fails is not run again, as with a worker — and the
    rows not reached when a task raises are left for the drain job."""
    app.loader.import_default_modules()
    done = 0
    try:
        for message in messages:
            OutboxMessage.objects.filter(pk=message.pk).delete()
            done += 1
            try:
                app.tasks[message.task].apply_async(args=message.args, kwargs=message.kwargs)
            except Retry as retry:
                # A task asking to be retried later (a delivery channel that was busy): a worker would
                # run it again after the countdown; here the change is committed and the request must
                # still answer, so the retry is left to the task's own sweeper (zhucun.deliveries).
                logger.warning("outbox: %s asked for a retry in process: %s", message.task, retry)
    finally:
        OutboxMessage.objects.filter(pk__in=[m.pk for m in messages[done:]]).update(claim="", claimed_until=None)
    return done


def _failed(messages: list[OutboxMessage], error: BaseException, next_attempt_at: dt.datetime) -> None:
    OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).update(
        attempts=F("attempts") + 1,
        last_error=f"{type(error).__name__}: {error}"[:300],
        next_attempt_at=next_attempt_at,
        claim="",
        claimed_until=None,
    )


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(RETRY_BASE_SECONDS * 2**attempts, RETRY_MAX_SECONDS))
