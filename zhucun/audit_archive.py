"""Retention of the audit trail and its export for off-host shipping (issue 10 item 13;
docs/decisions/0057).

Events stay online ``ZHUCUN_AUDIT_RETENTION_DAYS`` (default 365, never below 180: zhucun/checks.py and
the database trigger). The daily purge job first writes the events it will delete to a JSON-lines file
with a SHA-256 beside it (``sha256sum -c`` checks it), then deletes exactly those events under the
``audit_purge`` permit (zhucun/append_only.py) and records the purge itself as an event.
``manage.py export_audit`` writes any period in the same format.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Max, Min, QuerySet
from django.utils import timezone

from zhucun import append_only
from zhucun.models import AuditEvent

PURGE_OPERATOR = "job:zhucun.purge_audit_events"


def retention_days() -> int:
    days = getattr(settings, "ZHUCUN_AUDIT_RETENTION_DAYS", 365)
    if not isinstance(days, int) or days < append_only.MIN_RETENTION_DAYS:
        raise ImproperlyConfigured(
            f"ZHUCUN_AUDIT_RETENTION_DAYS 为 {days!r}：操作记录至少在线保存 {append_only.MIN_RETENTION_DAYS} 天，"
            "请改为不小于该值的整数。"
        )
    return days


def archive_dir() -> Path:
    configured = getattr(settings, "ZHUCUN_AUDIT_ARCHIVE_DIR", "")
    return Path(configured) if configured else Path(settings.MEDIA_ROOT) / "audit-archive"


def event_record(event: AuditEvent) -> dict[str, Any]:
    """One event as plain data: the line of the archive and of ``export_audit``."""
    actor = event.actor if event.actor_id is not None else None
    return {
        "id": event.pk,
        "at": event.at.astimezone(dt.UTC).isoformat(),
        "actor_id": event.actor_id,
        "actor": actor.get_username() if actor is not None else None,
        "operator": event.operator,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "region_code": event.region_code,
        "before": event.before,
        "after": event.after,
    }


def events_between(since: dt.date, until: dt.date) -> QuerySet[AuditEvent]:
    """Events from the start of ``since`` to the end of ``until``, Asia/Shanghai days, oldest first."""
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(since, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return AuditEvent.objects.filter(at__gte=start, at__lt=end)


def write_jsonl(events: QuerySet[AuditEvent], out: IO[str]) -> tuple[int, str]:
    """Write ``events`` (oldest first) as JSON lines; returns (rows, SHA-256 of the bytes written)."""
    digest = hashlib.sha256()
    rows = 0
    for line in _lines(events):
        digest.update(line.encode())
        out.write(line)
        rows += 1
    return rows, digest.hexdigest()


def _lines(events: QuerySet[AuditEvent]) -> Iterator[str]:
    for event in events.select_related("actor").order_by("at", "id").iterator(chunk_size=2000):
        yield json.dumps(event_record(event), ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n"


def write_checksum(path: Path, sha256: str) -> Path:
    """``<file>.sha256`` in the format of ``sha256sum``, so ``sha256sum -c`` checks the shipped file."""
    checksum = path.with_name(path.name + ".sha256")
    checksum.write_text(f"{sha256}  {path.name}\n", encoding="utf-8")
    return checksum


@dataclasses.dataclass(frozen=True)
class PurgeResult:
    rows: int
    file: Path | None = None
    sha256: str = ""


def purge_expired(*, now: dt.datetime | None = None) -> PurgeResult:
    """Archive, then delete, the events older than the retention period. Idempotent: a second run
    finds nothing. If the deletion fails, the archive file is removed and nothing is deleted."""
    days = retention_days()
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    expired = AuditEvent.objects.filter(at__lt=cutoff)
    bounds = expired.aggregate(last=Max("id"), first_at=Min("at"))
    if bounds["last"] is None:
        return PurgeResult(rows=0)
    # Events are immutable and new ones are stamped now, so this set cannot change under us.
    batch = expired.filter(id__lte=bounds["last"])
    folder = archive_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime(now or timezone.now())
    first_day = timezone.localtime(bounds["first_at"]).date()
    path = folder / f"audit-{first_day:%Y%m%d}-{timezone.localtime(cutoff):%Y%m%d}-purged-{stamp:%Y%m%d%H%M%S}.jsonl"
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", encoding="utf-8") as out:
        rows, sha256 = write_jsonl(batch, out)
        out.flush()
        os.fsync(out.fileno())
    partial.rename(path)
    checksum = write_checksum(path, sha256)
    try:
        with append_only.permit("audit_purge"):
            deleted, _ = batch.delete()
            if deleted != rows:
                raise RuntimeError(f"audit purge: archived {rows} events but deleting removed {deleted}")
            _record_purge(rows=rows, path=path, sha256=sha256, cutoff=cutoff, days=days, last_id=bounds["last"])
    except Exception:
        path.unlink(missing_ok=True)
        checksum.unlink(missing_ok=True)
        raise
    return PurgeResult(rows=rows, file=path, sha256=sha256)


def _record_purge(*, rows: int, path: Path, sha256: str, cutoff: dt.datetime, days: int, last_id: int) -> None:
    AuditEvent.objects.create(
        operator=PURGE_OPERATOR,
        action="audit.purge",
        object_type="zhucun.auditevent",
        object_id=f"..{last_id}",
        object_repr=f"清理 {rows} 条超过 {days} 天的操作记录（已归档）",
        after={
            "rows": rows,
            "file": path.name,
            "sha256": sha256,
            "before": cutoff.astimezone(dt.UTC).isoformat(),
            "retention_days": days,
        },
    )
