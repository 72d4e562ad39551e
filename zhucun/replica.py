"""Reads that may come from a streaming replica (issue 16 item 3, docs/scaling.md §4, decision 0103).

With ``DATABASE_REPLICA_URL`` set, the settings add a ``replica`` database and this router sends the
reads of the views marked ``@reads_from_replica`` there — the dashboards, the registers and the
exports: read-only, and fine with a second of lag. Everything else stays on the primary: every write
(``db_for_write``), every read outside those views, and so every decision (leave, grading, sign-in),
which locks and reads on the primary inside its transaction.

Read-your-writes: a person who has just changed something (any successful POST, PUT, PATCH or DELETE)
reads from the primary for ``ZHUCUN_REPLICA_LAG_SECONDS`` (a short cookie set by
``PrimaryAfterWriteMiddleware``), so the dashboard that follows a confirmed finding shows it. A job a
request queued (the assessment workbook) has no cookie: ``replica_reads(after=job)`` reads the replica
only once it has the job's own row (see there).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import connections, models, transaction
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

REPLICA = "replica"
#: The cookie that keeps a person who has just written on the primary.
COOKIE = "zc_primary"

_replica_reads: ContextVar[bool] = ContextVar("zhucun_replica_reads", default=False)
_primary_only: ContextVar[bool] = ContextVar("zhucun_primary_only", default=False)

P = ParamSpec("P")
R = TypeVar("R")


def enabled() -> bool:
    return bool(getattr(settings, "ZHUCUN_REPLICA_ENABLED", False)) and REPLICA in connections.settings


@contextmanager
def replica_reads(*, after: models.Model | None = None) -> Iterator[None]:
    """Reads inside go to the replica when one is configured (and the person has not just written).

    ``after``: for a job a request queued, the row that request wrote (the export job's own row). The
    job has no cookie to say its requester has just written; instead, its reads go to the replica only
    if the replica already has that row. A standby replays the primary's commits in their order, so a
    replica that has the row has everything the requester committed before asking — the round they
    had just finalized — however far it lags. One small query decides, once, for the whole block;
    a replica still behind leaves the block on the primary (no waiting, no stale workbook)."""
    primary = None
    if after is not None and enabled() and not replicated(after):
        logger.info("the replica has not replayed %s %s yet: reading the primary", after._meta.label, after.pk)
        primary = _primary_only.set(True)
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        if primary is not None:
            _primary_only.reset(primary)
        _replica_reads.reset(token)


def replicated(row: models.Model) -> bool:
    """Whether the replica has ``row`` yet (a row the primary committed: it can only be behind)."""
    return type(row)._base_manager.using(REPLICA).filter(pk=row.pk).exists()


def reads_from_replica(view: Callable[P, R]) -> Callable[P, R]:
    """Mark a read-only view (a dashboard, a register, an export) as served from the replica."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with replica_reads():
            return view(*args, **kwargs)

    return wrapper


class ReplicaRouter:
    """Django database router: the marked views' reads to the replica, everything else default."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if not _replica_reads.get() or _primary_only.get() or not enabled():
            return None
        if transaction.get_connection().in_atomic_block:
            return None  # a read inside a transaction belongs to that transaction (a decision)
        return REPLICA

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # the replica holds the same rows

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool | None:
        return db != REPLICA  # the replica follows the primary's WAL


class PrimaryAfterWriteMiddleware:
    """Read-your-writes: after a successful write, this person's reads stay on the primary for a while."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _primary_only.set(COOKIE in request.COOKIES)
        try:
            response = self.get_response(request)
        finally:
            _primary_only.reset(token)
        if enabled() and request.method not in {"GET", "HEAD", "OPTIONS"} and response.status_code < 400:
            response.set_cookie(
                COOKIE, "1", max_age=settings.ZHUCUN_REPLICA_LAG_SECONDS, httponly=True, samesite="Lax",
                secure=request.is_secure(),
            )  # fmt: skip
        return response
