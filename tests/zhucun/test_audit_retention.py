"""Issue 10 item 13: the audit trail stays online at least six months (ZHUCUN_AUDIT_RETENTION_DAYS,
refused below 180); the daily purge archives what it deletes (JSON lines + SHA-256) before deleting
exactly that; ``export_audit`` writes any period for off-host shipping."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from pathlib import Path
from typing import Any as SettingsWrapper  # pytest-django's settings fixture

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError
from django.utils import timezone

from tests.zhucun.test_append_only import old_event
from zhucun import append_only
from zhucun.audit_archive import purge_expired
from zhucun.jobs import SCHEDULED_JOBS, beat_schedule
from zhucun.models import AuditEvent
from zhucun.testing.world import World


@pytest.fixture
def archive(settings: SettingsWrapper, tmp_path: Path) -> Path:
    settings.ZHUCUN_AUDIT_ARCHIVE_DIR = str(tmp_path / "audit-archive")
    return tmp_path / "audit-archive"


@pytest.mark.parametrize(("days", "refused"), [(179, True), (0, True), (180, False), (365, False)])
def test_a_retention_below_six_months_is_refused_by_the_system_check(
    settings: SettingsWrapper, days: int, refused: bool
) -> None:
    settings.ZHUCUN_AUDIT_RETENTION_DAYS = days
    errors = [message for message in run_checks() if message.id == "zhucun.E001"]
    assert bool(errors) is refused
    if refused:
        assert "至少在线保存 180 天" in errors[0].msg


def test_the_default_retention_is_a_year(settings: SettingsWrapper) -> None:
    assert settings.ZHUCUN_AUDIT_RETENTION_DAYS == 365


def test_the_purge_job_is_scheduled_and_run_by_run_jobs() -> None:
    assert "zhucun.purge_audit_events" in dict(SCHEDULED_JOBS)
    assert beat_schedule()["zhucun.purge_audit_events"]["task"] == "zhucun.purge_audit_events"


def test_the_purge_archives_then_deletes_only_events_past_retention(db: None, archive: Path) -> None:
    expired = [old_event(400, object_repr="去年的记录"), old_event(366, object_repr='他说"好"\n换行')]
    kept = [old_event(364), old_event(10)]

    result = purge_expired()

    assert result.rows == 2
    assert not AuditEvent.objects.filter(pk__in=[e.pk for e in expired]).exists()
    assert AuditEvent.objects.filter(pk__in=[e.pk for e in kept]).count() == 2
    assert result.file is not None and result.file.parent == archive
    lines = [json.loads(line) for line in result.file.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == [e.pk for e in expired]  # oldest first
    assert lines[1]["object_repr"] == '他说"好"\n换行'
    digest = hashlib.sha256(result.file.read_bytes()).hexdigest()
    assert result.sha256 == digest
    checksum = result.file.with_name(result.file.name + ".sha256").read_text()
    assert checksum == f"{digest}  {result.file.name}\n"  # `sha256sum -c` format
    purge = AuditEvent.objects.get(action="audit.purge")
    assert purge.operator == "job:zhucun.purge_audit_events"
    assert purge.after is not None and (purge.after["rows"], purge.after["sha256"]) == (2, digest)


def test_a_second_purge_finds_nothing(db: None, archive: Path) -> None:
    old_event(400)
    assert purge_expired().rows == 1
    assert purge_expired().rows == 0
    assert len(list(archive.glob("*.jsonl"))) == 1


def test_the_purge_job_runs_through_celery(db: None, archive: Path) -> None:
    from zhucun.tasks import purge_audit_events

    old_event(400)
    assert purge_audit_events.apply().get() == 1


def test_a_shorter_retention_setting_cannot_purge_younger_events(
    db: None, archive: Path, settings: SettingsWrapper
) -> None:
    event = old_event(100)
    settings.ZHUCUN_AUDIT_RETENTION_DAYS = 30
    with pytest.raises(ImproperlyConfigured, match="至少在线保存 180 天"):
        purge_expired()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_when_the_deletion_is_refused_nothing_is_deleted_and_no_archive_is_left(
    db: None, archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without its permit the database refuses the deletion: the purge leaves neither a gap nor a
    half-true archive."""
    from django.db import transaction

    event = old_event(400)
    monkeypatch.setattr(append_only, "permit", lambda kind, using="default": transaction.atomic())
    with pytest.raises(IntegrityError):
        purge_expired()
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert list(archive.iterdir()) == []


def test_export_audit_writes_a_period_as_json_lines_with_its_checksum(world: World, tmp_path: Path) -> None:
    today = timezone.localdate()
    old_event(400, object_repr="太早")
    inside = AuditEvent.objects.filter(at__date__gte=today - dt.timedelta(days=1)).count()
    target = tmp_path / "audit.jsonl"
    call_command("export_audit", since=f"{today - dt.timedelta(days=1)}", until=f"{today}", output=str(target),
                 operator="张三", stderr=io.StringIO())  # fmt: skip
    lines = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == inside and inside > 0
    assert "太早" not in {line["object_repr"] for line in lines}
    assert set(lines[0]) == {"id", "at", "actor_id", "actor", "operator", "action", "object_type", "object_id",
                             "object_repr", "region_code", "before", "after"}  # fmt: skip
    sha = hashlib.sha256(target.read_bytes()).hexdigest()
    assert (tmp_path / "audit.jsonl.sha256").read_text() == f"{sha}  audit.jsonl\n"
    recorded = AuditEvent.objects.get(action="audit.export")
    assert recorded.operator == "张三 (export_audit)"
    assert recorded.after is not None and (recorded.after["rows"], recorded.after["sha256"]) == (inside, sha)


def test_export_audit_writes_to_standard_output(world: World) -> None:
    out = io.StringIO()
    call_command("export_audit", since=f"{timezone.localdate()}", stdout=out, stderr=io.StringIO())
    assert out.getvalue().count("\n") == AuditEvent.objects.exclude(action="audit.export").count()


@pytest.mark.parametrize(
    ("since", "until", "message"),
    [
        ("2026-13-01", None, "--since 应为 YYYY-MM-DD"),
        ("0001-01-01", None, "--since 应在 2015 年至 2100 年之间"),
        ("2026-03-02", "2026-03-01", "--until（2026-03-01）不能早于 --since"),
    ],
)
def test_export_audit_refuses_bad_dates_in_chinese(db: None, since: str, until: str | None, message: str) -> None:
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call_command("export_audit", since=since, until=until)
    assert not AuditEvent.objects.filter(action="audit.export").exists()
