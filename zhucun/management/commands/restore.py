"""``manage.py restore BACKUP_DIR --database-name NAME [--media-root DIR]`` (``make restore``): restore a
backup of ``make backup`` into a new database and an empty media directory, then prove it: the key
tables' row counts and checksums must equal those recorded at backup time (zhucun/backup.py)."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from zhucun.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup folder into a new PostgreSQL database and verify it against the manifest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup_dir", help="a zhucun-YYYYmmdd-HHMMSS folder written by `manage.py backup`")
        parser.add_argument("--database-name", required=True, help="the new database to create and fill")
        parser.add_argument("--media-root", default=None, help="an absent or empty directory (default: MEDIA_ROOT)")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="the connection used to create it")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            outcome = restore(
                connection=connections[options["database"]],
                folder=Path(options["backup_dir"]),
                database_name=options["database_name"],
                media_root=Path(options["media_root"] or settings.MEDIA_ROOT),
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        for table, values in outcome["tables"].items():
            self.stdout.write(f"{table}: {values['rows']} rows, checksum {values['checksum']}")
        if outcome["differences"]:
            raise CommandError(
                "恢复后的数据与备份时不一致："
                + "；".join(f"{table}" for table in outcome["differences"])
                + "。请勿使用该数据库，检查备份文件后重试。"
            )
        self.stdout.write(f"restored into {options['database_name']}: every key table matches the backup")
