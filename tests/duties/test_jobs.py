"""The daily job: overdue after the date and escalated to the level above, reminders 7 days and 1 day
before (each once), obligations fulfilled by records kept elsewhere (第十五条5, 第十四条3); and both jobs
run by run_jobs before the outbox is drained."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from assessment.models import CountyEvaluationOpinion
from attendance.models import WorkLog
from duties import services
from duties.models import Obligation
from zhucun.jobs import SCHEDULED_JOBS
from zhucun.models import AuditEvent, Notification
from zhucun.testing.world import World

pytestmark = pytest.mark.django_db


def _study(world: World, period: str = "2026-Q1") -> Obligation:
    return Obligation.objects.get(duty="unit_quarterly_study", unit=world.units["A"], period=period)


def test_an_unfulfilled_obligation_is_overdue_after_its_date_and_the_level_above_hears_第九条2(world: World) -> None:
    services.obligations_generate(year=2026)
    assert services.obligations_update(today=dt.date(2026, 3, 31))["overdue"] == 0  # due today: still open
    assert _study(world).status == "open"
    result = services.obligations_update(today=dt.date(2026, 4, 1))
    study = _study(world)
    assert study.status == "overdue" and study.overdue_at is not None
    assert result["overdue"] == Obligation.objects.filter(status="overdue").count() > 0
    # the unit itself and its organization department (甲县, the county persona) are told
    assert Notification.objects.filter(recipient=world.personas["unit"], title__contains="已逾期").exists()
    assert Notification.objects.filter(recipient=world.personas["county"], title__contains="下级").exists()
    # the township's overdue quarter goes to its county; the county's own (第十四条2) to the city
    assert Notification.objects.filter(recipient=world.personas["city"], title__contains="下级").exists()
    assert AuditEvent.objects.filter(action="duties.overdue", object_id=str(study.pk)).exists()
    # a second run sends nothing again
    before = Notification.objects.count()
    assert services.obligations_update(today=dt.date(2026, 4, 1))["overdue"] == 0
    assert Notification.objects.count() == before


def test_reminders_go_7_days_and_1_day_before_each_once(world: World) -> None:
    services.obligations_generate(year=2026)
    unit = world.personas["unit"]

    def reminders() -> int:
        return Notification.objects.filter(recipient=unit, title__contains="到期").count()

    services.obligations_update(today=dt.date(2026, 3, 23))  # 8 days before the quarter's end
    assert reminders() == 0
    services.obligations_update(today=dt.date(2026, 3, 24))
    assert reminders() == 1 and _study(world).reminded_days == "7"
    services.obligations_update(today=dt.date(2026, 3, 25))
    assert reminders() == 1
    services.obligations_update(today=dt.date(2026, 3, 30))
    assert reminders() == 2 and _study(world).reminded_days == "7,1"
    services.obligations_update(today=dt.date(2026, 3, 30))
    assert reminders() == 2


def test_a_done_obligation_is_neither_reminded_nor_overdue(world: World) -> None:
    services.obligations_generate(year=2026)
    services.obligation_fulfil(
        actor=world.personas["unit"], obligation=_study(world), day=dt.date(2026, 2, 10), note="党组会研究",
        today=dt.date(2026, 3, 1),
    )  # fmt: skip
    services.obligations_update(today=dt.date(2026, 4, 2))
    assert _study(world).status == "done"


def test_township_work_log_checks_fulfil_its_check_duty_第十五条5(world: World) -> None:
    services.obligations_generate(year=2026)
    log = WorkLog.objects.create(
        team=world.teams["A"], village_code=world.village("A"), author=world.leaders["A"], date=dt.date(2026, 5, 6),
        content="走访",
    )  # fmt: skip
    moment = timezone.make_aware(dt.datetime(2026, 5, 7, 10, 0))
    WorkLog.objects.filter(pk=log.pk).update(checked_by=world.personas["township"], checked_at=moment)
    # a county official's check is not the township's duty done
    other = WorkLog.objects.create(
        team=world.teams["B"], village_code=world.village("B"), author=world.leaders["B"], date=dt.date(2026, 5, 6),
        content="走访",
    )  # fmt: skip
    WorkLog.objects.filter(pk=other.pk).update(checked_by=world.personas["county"], checked_at=moment)
    result = services.obligations_update(today=dt.date(2026, 7, 2))
    assert result["fulfilled_by_records"] == 1
    q2 = Obligation.objects.get(duty="township_log_check", body_key="130102001", period="2026-Q2")
    assert (q2.status, q2.fulfilled_on, q2.fulfilled_by_records) == ("done", dt.date(2026, 5, 7), "work_log_checks")
    # the check in May does not fulfil the first quarter, nor the other township's
    assert Obligation.objects.get(duty="township_log_check", body_key="130102001", period="2026-Q1").status == "overdue"
    assert Obligation.objects.get(duty="township_log_check", body_key="130102002", period="2026-Q2").status == "overdue"
    assert AuditEvent.objects.filter(action="duties.fulfil_from_records", object_id=str(q2.pk)).exists()


def test_county_evaluation_opinions_fulfil_the_countys_duty_第十四条3(world: World) -> None:
    services.obligations_generate(year=2026)
    CountyEvaluationOpinion.objects.create(
        year=2026, subject_type="team", team=world.teams["A"], unit=world.units["A"], county_code="130102",
        opinion="工作扎实", recorded_by=world.personas["county"],
    )  # fmt: skip
    services.obligations_update(today=timezone.localdate())
    assert Obligation.objects.get(duty="county_evaluation_opinions", body_key="130102").status == "done"
    assert Obligation.objects.get(duty="county_evaluation_opinions", body_key="130104").status != "done"


def test_both_jobs_are_scheduled_before_the_outbox_is_drained() -> None:
    names = [name for name, _ in SCHEDULED_JOBS]
    assert names[-1] == "zhucun.drain_outbox"
    assert names.index("duties.generate_obligations") < names.index("duties.mark_overdue") < len(names) - 1


def test_the_jobs_as_run_jobs_runs_them_make_this_years_obligations_and_flag_past_ones(world: World) -> None:
    from zhucun.celery import app

    app.loader.import_default_modules()
    created = app.tasks["duties.generate_obligations"].apply().get()
    assert created > 0
    assert app.tasks["duties.generate_obligations"].apply().get() == 0  # idempotent
    app.tasks["duties.mark_overdue"].apply().get()
    today = timezone.localdate()
    assert not Obligation.objects.filter(status="open", due__lt=today).exists()
