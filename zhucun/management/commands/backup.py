"""``manage.py backup [--output-dir DIR]`` (``make backup``): pg_dump (custom format) of the database
plus the media directory into a timestamped folder with a manifest (zhucun/backup.py)."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from zhucun.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the PostgreSQL database and the media directory into a timestamped folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output-dir", default=None, help="where to write (default: ZHUCUN_BACKUP_DIR)")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args: Any, **options: Any) -> None:
        output = Path(options["output_dir"] or settings.ZHUCUN_BACKUP_DIR)
        try:
            folder = backup(
                connection=connections[options["database"]], media_root=Path(settings.MEDIA_ROOT), output_dir=output
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(str(folder))
