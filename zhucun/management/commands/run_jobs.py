"""``manage.py run_jobs``: run every scheduled job once, now — the same code Celery beat runs."""

from typing import Any

from django.core.management.base import BaseCommand

from zhucun.celery import app
from zhucun.jobs import SCHEDULED_JOBS


class Command(BaseCommand):
    help = "Run every scheduled job once, now, in this process."

    def handle(self, *args: Any, **options: Any) -> None:
        app.loader.import_default_modules()  # registers every app's tasks
        for name, _ in SCHEDULED_JOBS:
            result = app.tasks[name].apply().get()
            self.stdout.write(f"{name}: {result}")
