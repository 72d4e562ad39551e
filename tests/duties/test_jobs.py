"""The daily job: overdue after the date and escalated to the level above, reminders 7 days and 1 day
before (each once), obligations fulfilled by records kept elsewhere (第十五条5, 第十四条3); and both jobs
run by run_jobs before the outbox is drained."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessment.models import CountyEvaluationOpinion
from attendance.models import WorkLog
from cadres.models import Unit
from cadres.selectors import county_codes
from duties import services, tasks
from duties.models import Obligation
from tests.duties.helpers import EXPECTED_2026, more_bodies, units_at_every_level
from zhucun import outbox
from zhucun.jobs import SCHEDULED_JOBS
from zhucun.models import AuditEvent, Notification, OutboxMessage
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


def test_the_jobs_as_run_jobs_runs_them_make_this_years_obligations_and_flag_past_ones(
    office_hours: dt.datetime, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    from zhucun.celery import app

    app.loader.import_default_modules()
    # the county tasks are published after the job commits; the tests' Celery runs them in process
    with django_capture_on_commit_callbacks(execute=True):
        assert app.tasks["duties.generate_obligations"].apply().get() == 3  # one task per county
    assert Obligation.objects.count() == EXPECTED_2026
    with django_capture_on_commit_callbacks(execute=True):
        app.tasks["duties.generate_obligations"].apply().get()
    assert Obligation.objects.count() == EXPECTED_2026  # idempotent
    app.tasks["duties.mark_overdue"].apply().get()
    today = timezone.localdate()
    assert not Obligation.objects.filter(status="open", due__lt=today).exists()


# --- one task per county (docs/decisions/0179) -------------------------------------------------------

#: the world with units_at_every_level in 2026: 9 units; 7 organization departments (the province, 2
#: cities, 甲县, 丙县, 丁县, and 乙县 for its unit); 3 counties; 4 townships
WITH_EVERY_LEVEL_2026 = EXPECTED_2026 + 5 * 12 + (1 + 2 + 1)
#: who carries which of them: the job itself (above the counties) and each county's task
ABOVE_2026 = 4 * 12 + (4 + 3 * 2 + 4)  # central, province, city and 乙县 units; 省, two 市, 乙县 departments
JIA_2026 = 3 * 12 + 4 + 5 + 2 * 8  # units A, B and 甲县's unit stationed in 丁县; the department, county, 2 townships
BING_2026 = DING_2026 = 12 + 4 + 5 + 8


def _obligations() -> set[tuple[str, str, str, str, int | None, str, dt.date]]:
    return set(
        Obligation.objects.values_list("duty", "body_key", "period", "region_code", "unit_id", "body_name", "due")
    )


def test_the_job_makes_the_bodies_above_the_counties_and_queues_one_task_per_county(
    office_hours: dt.datetime, world: World
) -> None:
    units_at_every_level(world)
    assert tasks.generate_obligations() == 3
    messages = OutboxMessage.objects.filter(task="duties.generate_obligations_county")
    assert sorted(m.args for m in messages) == [["130102", 2026], ["130104", 2026], ["130202", 2026]]
    # until the outbox is drained only the bodies no county carries have their obligations
    assert Obligation.objects.count() == ABOVE_2026
    assert set(Obligation.objects.values_list("region_code", flat=True)) == {"13", "1301", "1302", "130103"}
    assert outbox.drain() == 3
    assert not OutboxMessage.objects.exists()
    assert Obligation.objects.count() == WITH_EVERY_LEVEL_2026
    assert AuditEvent.objects.filter(action="duties.generate").count() == WITH_EVERY_LEVEL_2026
    # again: the same tasks, nothing new
    assert tasks.generate_obligations() == 3
    assert outbox.drain() == 3
    assert Obligation.objects.count() == WITH_EVERY_LEVEL_2026
    assert AuditEvent.objects.filter(action="duties.generate").count() == WITH_EVERY_LEVEL_2026


def test_in_december_each_county_gets_a_task_for_this_year_and_one_for_next(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 12, 5, 1, 0, tzinfo=dt.UTC))
    assert tasks.generate_obligations() == 6
    args = sorted(
        OutboxMessage.objects.filter(task="duties.generate_obligations_county").values_list("args", flat=True)
    )
    assert args == [[county, year] for county in ("130102", "130104", "130202") for year in (2026, 2027)]
    assert set(Obligation.objects.values_list("year", flat=True)) == {2026, 2027}  # the province's, the cities'


def test_each_county_task_makes_its_countys_obligations_and_together_what_one_run_over_the_country_makes(
    world: World,
) -> None:
    units_at_every_level(world)
    counties = county_codes()
    assert services.obligations_generate_above_counties(year=2026, counties=counties) == ABOVE_2026
    made: dict[str, set[str]] = {}
    expected = {"130102": JIA_2026, "130104": BING_2026, "130202": DING_2026}
    for code in counties:
        before = set(Obligation.objects.values_list("pk", flat=True))
        assert tasks.generate_obligations_county(code, 2026) == expected[code]
        made[code] = set(Obligation.objects.exclude(pk__in=before).values_list("region_code", flat=True))
        assert tasks.generate_obligations_county(code, 2026) == 0
    assert made == {"130102": {"130102", "130102001", "130102002"}, "130104": {"130104", "130104001"},
                    "130202": {"130202", "130202001"}}  # fmt: skip
    # 甲县's own unit serves in 丁县: its obligations are 甲县's (第十二条 谁选派谁管理)
    jia_unit = Unit.objects.get(name="甲县交通运输局")
    assert set(Obligation.objects.filter(unit=jia_unit).values_list("region_code", flat=True)) == {"130102"}
    fanned_out = _obligations()
    assert len(fanned_out) == WITH_EVERY_LEVEL_2026
    # the same rows as one run over the whole country, in one process
    Obligation.objects.all().delete()
    assert services.obligations_generate(year=2026) == WITH_EVERY_LEVEL_2026
    assert _obligations() == fanned_out


def test_a_unit_moved_to_another_county_keeps_its_obligations_and_gets_none_twice(world: World) -> None:
    services.obligations_generate_in_county(year=2026, county_code="130102")
    unit = world.units["A"]
    Unit.objects.filter(pk=unit.pk).update(region_id="130104")  # now a unit of 丙县
    assert services.obligations_generate_in_county(year=2026, county_code="130104") == 4 + 5 + 12 + 8  # not A's
    assert set(Obligation.objects.filter(unit=unit).values_list("region_code", flat=True)) == {"130102"}


def test_a_county_task_runs_a_fixed_number_of_queries_whatever_the_size_of_the_county(world: World) -> None:
    with CaptureQueriesContext(connection) as small:
        assert services.obligations_generate_in_county(year=2026, county_code="130102") == 2 * 12 + 4 + 5 + 2 * 8
    more_bodies(40)
    with CaptureQueriesContext(connection) as large:
        created = services.obligations_generate_in_county(year=2027, county_code="130102")
    assert created == 2 * 12 + 4 + 5 + 2 * 8 + 40 * (12 + 8)

    def reads(queries: CaptureQueriesContext) -> int:
        return sum(1 for q in queries.captured_queries if not q["sql"].lstrip().upper().startswith("INSERT"))

    # reads do not grow with the county's bodies; writes are batched, never one per body
    assert reads(large) == reads(small)
    assert len(large) - reads(large) <= created / 20
