"""The audit trail: services call ``audit_record`` inside their transaction, so a change and its
record commit or roll back together (SPEC.md non-negotiable 6)."""

from __future__ import annotations

import contextvars
import datetime as dt
import decimal
import getpass
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django.db import models, transaction

from zhucun.models import AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

#: Who runs a management command or job when there is no logged-in actor (``operator_context``).
_OPERATOR: contextvars.ContextVar[str] = contextvars.ContextVar("zhucun_audit_operator", default="")


@contextmanager
def operator_context(operator: str) -> Iterator[None]:
    """Events recorded inside without an ``actor`` name ``operator`` (the command line's person)."""
    token = _OPERATOR.set(operator[:100])
    try:
        yield
    finally:
        _OPERATOR.reset(token)


def os_operator() -> str:
    """The operating-system account running this process: the default operator of a command."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (a container running under an arbitrary uid)
        return "unknown"


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The concrete field values of ``obj`` as JSON-safe data (foreign keys by id)."""
    names = set(fields) if fields is not None else None
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if names is not None and field.name not in names:
            continue
        value = getattr(obj, field.attname)
        data[field.attname] = value if type(value) in _PLAIN else _jsonable(value)
    return data


_PLAIN = frozenset({str, int, float, bool, type(None)})  # JSON-safe as they are (_jsonable's identity cases)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, dict):  # a JSONField's value stays data, not its repr
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return str(value)


def audit_event(
    *,
    actor: User | None,
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    region_code: str = "",
) -> AuditEvent:
    """An unsaved event, for services that write many at once with ``audit_record_many``."""
    real_actor = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent(
        actor=real_actor,
        operator="" if real_actor is not None else _OPERATOR.get(),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        region_code=region_code,
        before=before,
        after=after,
    )


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    region_code: str = "",
) -> AuditEvent:
    """Record one change. Must run inside the service's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must be called inside the service's transaction")
    event = audit_event(actor=actor, action=action, obj=obj, before=before, after=after, region_code=region_code)
    event.save()
    return event


def audit_record_many(events: list[AuditEvent]) -> None:
    """Record many changes at once (imports). Must run inside the service's transaction.

    Like ``AuditEvent.objects.bulk_create(events)``: each event gets its ``pk`` and ``at``. On PostgreSQL
    the rows go through COPY: a bulk INSERT spends most of its time quoting the JSON of ``before`` and
    ``after`` into array literals on the client (5 s of a 22,000-row roster import, against 1 s)."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record_many must be called inside the service's transaction")
    if connection.vendor != "postgresql" or len(events) < 2:
        AuditEvent.objects.bulk_create(events, batch_size=1000)
        return
    _copy_events(connection, events)


def _copy_events(connection: Any, events: list[AuditEvent]) -> None:
    meta = AuditEvent._meta
    fields = [meta.pk, *(field for field in meta.concrete_fields if not field.primary_key)]
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    with connection.cursor() as cursor:
        missing = [event for event in events if event.pk is None]
        if missing:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, meta.pk.column, len(missing)],
            )
            for event, (pk,) in zip(missing, cursor.fetchall(), strict=True):
                event.pk = pk
        # The values bulk_create would send: each field's pre_save (``at`` is auto_now_add) and
        # get_db_prep_save, which leaves a str, an int or None as it is except in a JSON column.
        plan = [
            (field, type(field).pre_save is not models.Field.pre_save, isinstance(field, models.JSONField))
            for field in fields
        ]
        columns = ", ".join(quote(field.column) for field in fields)
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # psycopg 3
            for event in events:
                row = []
                for field, pre_save, is_json in plan:
                    value = field.pre_save(event, True) if pre_save else getattr(event, field.attname)
                    if is_json or type(value) not in _AS_IS:
                        value = field.get_db_prep_save(value, connection)
                    row.append(value)
                copy.write_row(row)
    for event in events:
        event._state.adding = False
        event._state.db = connection.alias


_AS_IS = frozenset({str, int, type(None)})


def update_audited(
    *, actor: User | None, action: str, obj: models.Model, changes: dict[str, Any], region_code: str = ""
) -> AuditEvent:
    """Set ``changes`` on ``obj``, save only those fields, and record their values before and after —
    the common shape of a state change (a decision, a withdrawal, 销假). Inside the service's
    transaction, like ``audit_record``."""
    fields = list(changes)
    before = snapshot(obj, fields)
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.save(update_fields=fields)
    return audit_record(
        actor=actor, action=action, obj=obj, before=before, after=snapshot(obj, fields), region_code=region_code
    )


# --- Reads that take data out of the system (issue 10 item 7) ---------------------------------------

#: query parameters that say how a list was shown, not what it holds
_NOT_FILTERS = frozenset({"export", "page", "page_size", "sort", "csrfmiddlewaretoken"})


def scope_description(user: User | AnonymousUser) -> dict[str, Any]:
    """The caller's scope as data (zhucun.scoping): what an export could contain at most."""
    from zhucun.scoping import scope_of

    scope = scope_of(user)
    described: dict[str, Any] = {"role": scope.role}
    if scope.everything:
        described["everything"] = True
    if scope.region_prefixes:
        described["regions"] = list(scope.region_prefixes)
    if scope.unit_id is not None:
        described["unit_id"] = scope.unit_id
    if scope.cadre_id is not None:
        described["cadre_id"] = scope.cadre_id
    return described


def home_region_code(user: User | AnonymousUser) -> str:
    """The org-tree key of a user's own events (who sees them in the viewer): their region, their
    unit's region, or their team's village; empty (the province only) otherwise."""
    region_id = getattr(user, "region_id", None)
    if region_id:
        return str(region_id)
    unit = getattr(user, "unit", None) if getattr(user, "unit_id", None) else None
    if unit is not None and unit.region_id:
        return str(unit.region_id)
    cadre = getattr(user, "cadre", None) if getattr(user, "cadre_id", None) else None
    if cadre is not None:
        return str(cadre.team.village_id)
    return ""


def audit_export(
    *,
    user: User | AnonymousUser,
    kind: str,
    title: str,
    params: Mapping[str, Any] | None = None,
    rows: int | None = None,
    filename: str = "",
    region_code: str | None = None,
    action: str = "export.xlsx",
    object_id: str = "",
) -> AuditEvent:
    """Record that ``user`` took data out: which list (``kind``, a model label or an export's name),
    with which filters (``params``, e.g. ``request.GET``), within which scope, how many rows, as which
    file. A read has no service transaction of its own: the event is one INSERT, and the download is
    returned only once it is recorded (if recording fails, nothing is downloaded)."""
    filters: dict[str, Any] = {}
    for key, value in (params or {}).items():
        if key in _NOT_FILTERS:
            continue
        values = params.getlist(key) if hasattr(params, "getlist") else [value]  # type: ignore[union-attr]
        values = [v for v in values if v not in ("", None)]
        if values:
            filters[key] = values[0] if len(values) == 1 else values
    after: dict[str, Any] = {"scope": scope_description(user), "filters": filters}
    if rows is not None:
        after["rows"] = rows
    if filename:
        after["file"] = filename
    from accounts.models import User

    event = AuditEvent(
        actor=user if isinstance(user, User) and user.is_authenticated else None,
        operator="" if getattr(user, "is_authenticated", False) else _OPERATOR.get(),
        action=action,
        object_type=kind,
        object_id=object_id[:64],
        object_repr=title[:200],
        region_code=home_region_code(user) if region_code is None else region_code,
        after=after,
    )
    event.save()  # one INSERT: atomic by itself, no savepoint needed
    return event
