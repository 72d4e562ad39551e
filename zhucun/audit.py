"""The audit trail: services call ``audit_record`` inside their transaction, so a change and its
record commit or roll back together (SPEC.md non-negotiable 6)."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable
from typing import Any

from django.db import models, transaction

from zhucun.models import AuditEvent


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The concrete field values of ``obj`` as JSON-safe data (foreign keys by id)."""
    names = set(fields) if fields is not None else None
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if names is not None and field.name not in names:
            continue
        value = getattr(obj, field.attname)
        data[field.attname] = _jsonable(value)
    return data


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def audit_event(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    region_code: str = "",
) -> AuditEvent:
    """An unsaved event, for services that write many at once with ``audit_record_many``."""
    return AuditEvent(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
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
    actor: Any,
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
    """Record many changes in one INSERT (imports). Must run inside the service's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record_many must be called inside the service's transaction")
    AuditEvent.objects.bulk_create(events, batch_size=1000)


def update_audited(
    *, actor: Any, action: str, obj: models.Model, changes: dict[str, Any], region_code: str = ""
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
