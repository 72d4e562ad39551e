"""A real Celery worker on Redis runs a scheduled job against the test database (CI sets
ZHUCUN_REQUIRE_CELERY, so there the test cannot be skipped)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
import uuid

import pytest
from django.db import connection

from cadres.models import Cadre
from cadres.tasks import expire_terms
from zhucun.celery import app
from zhucun.models import AuditEvent
from zhucun.testing.world import World


def _needs(condition: bool, reason: str) -> None:
    if not condition:
        if os.environ.get("ZHUCUN_REQUIRE_CELERY"):
            pytest.fail(f"CI requires the real-worker test: {reason}")
        pytest.skip(reason)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_term_expiry_job_runs_on_a_real_worker_on_redis(world: World) -> None:
    """第三条: a cadre whose 3-year term ended is marked 期满 by the nightly job, run by a worker."""
    _needs(bool(os.environ.get("REDIS_URL")), "REDIS_URL is not set")
    _needs(connection.vendor == "postgresql", "the worker must share a server database (PostgreSQL)")
    ended = world.members["A"]
    Cadre.objects.filter(pk=ended.pk).update(term_end=dt.date(2026, 1, 31))
    db = connection.settings_dict
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "zhucun.settings.local",
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "zhucun",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=INFO",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    app.conf.task_always_eager = False
    try:
        expire_terms.apply_async(args=["2026-02-01"], queue=queue)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            ended.refresh_from_db()
            if ended.status == Cadre.Status.EXPIRED:
                break
            assert worker.poll() is None, "the worker exited early"
            time.sleep(0.3)
    finally:
        app.conf.task_always_eager = True
        worker.terminate()
        output = worker.communicate(timeout=20)[0]
    assert ended.status == Cadre.Status.EXPIRED, output[-2000:]
    assert "Task cadres.expire_terms" in output
    # Only the cadre whose term ended is touched, and the change is audited.
    assert Cadre.objects.filter(status=Cadre.Status.EXPIRED).count() == 1
    event = AuditEvent.objects.get(action="cadre.term_expired")
    assert event.object_id == str(ended.pk)
    assert event.region_code == world.village("A")
