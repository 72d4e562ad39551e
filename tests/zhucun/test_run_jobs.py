"""Issue 10 item 5: ``manage.py run_jobs`` runs every scheduled job even when some fail, reports each
failure by name, and exits non-zero at the end (an operator's cron sees it)."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cadres.models import Cadre
from tests.zhucun.brokers import closed_port_url, publishing_to
from zhucun.jobs import SCHEDULED_JOBS
from zhucun.testing.world import World


def test_a_failing_job_does_not_stop_the_others_and_the_command_fails_at_the_end(
    office_hours: dt.datetime, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cadres.selectors

    def broken(**_: object) -> int:
        raise RuntimeError("数据库里的一行坏了")

    # The fan-outs break (they share the list of counties); the term expiry (first) and the leave jobs
    # (between them) still run.
    monkeypatch.setattr(cadres.selectors, "county_codes", broken)
    Cadre.objects.filter(pk=world.members["C"].pk).update(term_end=dt.date(2020, 1, 1))
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("run_jobs", stdout=out, stderr=err)
    failed = [
        "attendance.coverage_check",
        "attendance.absence_findings",
        "funding.insurance_gaps",
        "duties.generate_obligations",
        "duties.mark_overdue",
    ]
    assert all(f"{name}: 失败" in err.getvalue() and "数据库里的一行坏了" in err.getvalue() for name in failed)
    assert "5 个任务失败" in str(failure.value)
    ran = [name for name, _ in SCHEDULED_JOBS if name not in failed]
    assert all(f"{name}: " in out.getvalue() for name in ran), out.getvalue()
    assert Cadre.objects.get(pk=world.members["C"].pk).status == Cadre.Status.EXPIRED


def test_with_redis_refusing_every_job_runs_and_the_unpublished_work_is_reported(world: World) -> None:
    out, err = StringIO(), StringIO()
    with publishing_to(closed_port_url()), pytest.raises(CommandError):
        call_command("run_jobs", stdout=out, stderr=err)
    # The fan-outs kept their counties in the outbox; the drain job could not publish them and says so.
    assert "zhucun.drain_outbox: 失败" in err.getvalue()
    assert "消息队列" in err.getvalue()
    assert all(f"{name}: " in out.getvalue() for name, _ in SCHEDULED_JOBS if name != "zhucun.drain_outbox")


def test_when_every_job_succeeds_the_command_succeeds(world: World) -> None:
    out = StringIO()
    call_command("run_jobs", stdout=out)
    assert all(f"{name}: " in out.getvalue() for name, _ in SCHEDULED_JOBS)
