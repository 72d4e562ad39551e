"""``manage.py export_audit --since YYYY-MM-DD [--until YYYY-MM-DD] [--output FILE] [--operator NAME]``:
the audit events of a period (Asia/Shanghai days, both included) as JSON lines, oldest first, for
shipping off the host (issue 10 item 13; docs/decisions/0057). To a file, a ``FILE.sha256`` is written
beside it. The export itself is recorded as an audit event naming the operator."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from zhucun.audit import os_operator
from zhucun.audit_archive import events_between, write_checksum, write_jsonl
from zhucun.models import AuditEvent


def _date(value: str, name: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--{name} 应为 YYYY-MM-DD 格式的日期，例如 2026-01-01；收到「{value}」。") from None
    if not 2015 <= day.year <= 2100:
        raise CommandError(f"--{name} 应在 2015 年至 2100 年之间；收到「{value}」。")
    return day


class Command(BaseCommand):
    help = "Export the audit events of a period as JSON lines (stdout or --output FILE with FILE.sha256)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", required=True, help="first day, YYYY-MM-DD (Asia/Shanghai)")
        parser.add_argument("--until", help="last day, YYYY-MM-DD (default: today)")
        parser.add_argument("--output", help="file to write (default: standard output)")
        parser.add_argument("--operator", default="", help="who runs the export (default: the OS user)")

    def handle(self, *args: Any, **options: Any) -> None:
        since = _date(options["since"], "since")
        until = _date(options["until"], "until") if options["until"] else timezone.localdate()
        if until < since:
            raise CommandError(f"--until（{until}）不能早于 --since（{since}）。")
        operator = options["operator"].strip() or os_operator()
        events = events_between(since, until)
        target = options["output"]
        if target:
            path = Path(target)
            if not path.parent.is_dir():
                raise CommandError(f"目录 {path.parent} 不存在，请先创建或换一个 --output 路径。")
            with path.open("w", encoding="utf-8") as out:
                rows, sha256 = write_jsonl(events, out)
            write_checksum(path, sha256)
        else:
            rows, sha256 = write_jsonl(events, self.stdout)  # type: ignore[arg-type]
        with transaction.atomic():
            AuditEvent.objects.create(
                operator=f"{operator} (export_audit)"[:100],
                action="audit.export",
                object_type="zhucun.auditevent",
                object_id="",
                object_repr=f"导出 {since} 至 {until} 的操作记录 {rows} 条",
                after={
                    "since": since.isoformat(),
                    "until": until.isoformat(),
                    "rows": rows,
                    "file": Path(target).name if target else "<stdout>",
                    "sha256": sha256,
                },
            )
        self.stderr.write(f"exported {rows} events ({since} – {until}), sha256 {sha256}")
