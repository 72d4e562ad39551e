"""``manage.py run_jobs``: run every scheduled job once, now — the same code Celery beat runs.

Every job runs even when one before it fails; each failure is reported on stderr with its job's
name, and the command exits non-zero at the end (issue 10 item 5), so cron and CI see it."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from zhucun.celery import app
from zhucun.jobs import SCHEDULED_JOBS


class Command(BaseCommand):
    help = "Run every scheduled job once, now, in this process."

    def handle(self, *args: Any, **options: Any) -> None:
        app.loader.import_default_modules()  # registers every app's tasks
        failed: list[str] = []
        for name, _ in SCHEDULED_JOBS:
            started = time.perf_counter()
            try:
                # throw=False: a transient error is retried as on a worker (zhucun.jobs.RETRY_TRANSIENT);
                # get() raises what the job finally failed with.
                result = app.tasks[name].apply(throw=False).get()
            except Exception as exc:  # reported, and the next job still runs
                failed.append(name)
                self.stderr.write(f"{name}: 失败 — {type(exc).__name__}: {exc}")
                continue
            # the seconds each job took in this process (its fan-out's tasks run on the workers)
            self.stdout.write(f"{name}: {result} ({time.perf_counter() - started:.2f} s)")
        if failed:
            raise CommandError(
                f"{len(failed)} 个任务失败：{'、'.join(failed)}。请按上面的错误处理后重新运行 run_jobs。"
            )
