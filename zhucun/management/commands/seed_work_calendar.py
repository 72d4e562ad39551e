"""``manage.py seed_work_calendar``: add the holiday and 调休 tables of the years the installed
``chinesecalendar`` knows and the database does not have yet (``migrate`` does the same)."""

from typing import Any

from django.core.management.base import BaseCommand

from zhucun.workcalendar.services import work_calendar_seed_from_library


class Command(BaseCommand):
    help = "Seed the working calendar from chinesecalendar (years not in the table yet; idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        added = work_calendar_seed_from_library()
        if added:
            self.stdout.write(f"已导入 {added[0]}–{added[-1]} 年的节假日和调休安排（{len(added)} 年）。")
        else:
            self.stdout.write("节假日和调休安排已是最新，无需导入。")
