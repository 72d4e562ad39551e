"""The daily job: overdue after the date and escalated to the level above, reminders 7 days and 1 day
before (each once), obligations fulfilled by records kept elsewhere (第十五条5, 第十四条3); and both jobs
run by run_jobs before the outbox is drained."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessment.models import CountyEvaluationOpinion
from attendance.models import WorkLog
from cadres.models import Unit
from cadres.selectors import county_codes
from duties import selectors, services, tasks
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
    with django_capture_on_commit_callbacks(execute=True):
        assert app.tasks["duties.mark_overdue"].apply().get() == 3  # one task per county
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


# --- the daily job, one task per county (docs/decisions/0181) -----------------------------------------

#: a day with every kind of work: the first quarter and the year's plan overdue, the second quarter's
#: and the first half year's obligations due in 6 days (reminded), a township's check in May
DAY = dt.date(2026, 6, 24)


def _records(world: World, year: int = 2026) -> None:
    """A township's work-log check (第十五条5) and 甲县's evaluation opinion (第十四条3) of ``year``."""
    log = WorkLog.objects.create(
        team=world.teams["A"], village_code=world.village("A"), author=world.leaders["A"],
        date=dt.date(year, 5, 6), content="走访",
    )  # fmt: skip
    moment = timezone.make_aware(dt.datetime(year, 5, 7, 10, 0))
    WorkLog.objects.filter(pk=log.pk).update(checked_by=world.personas["township"], checked_at=moment)
    CountyEvaluationOpinion.objects.create(
        year=year, subject_type="team", team=world.teams["A"], unit=world.units["A"], county_code="130102",
        opinion="工作扎实", recorded_by=world.personas["county"],
    )  # fmt: skip


def _outcome() -> dict[str, list[Any]]:
    """What a run of the daily job did: the obligations' state, its audit events and its notifications."""
    return {
        "obligations": sorted(
            Obligation.objects.values_list(
                "pk", "status", "fulfilled_on", "fulfilled_by_records", "note", "reminded_days", "overdue_at"
            )
        ),
        "events": sorted(
            (e.action, e.object_id, repr(e.before), repr(e.after), e.region_code)
            for e in AuditEvent.objects.filter(action__startswith="duties.").exclude(action="duties.generate")
        ),
        "notifications": sorted(Notification.objects.values_list("recipient_id", "title", "url")),
    }


def test_the_daily_job_does_the_part_above_the_counties_and_queues_one_task_per_county_for_its_day(
    office_hours: dt.datetime, world: World
) -> None:
    units = units_at_every_level(world)
    services.obligations_generate(year=2026)
    assert tasks.mark_overdue(DAY.isoformat()) == 3
    messages = OutboxMessage.objects.filter(task="duties.mark_overdue_county")
    assert sorted(m.args for m in messages) == [[code, "2026-06-24"] for code in ("130102", "130104", "130202")]
    # until the outbox is drained only what no county task keeps is judged: the province's and the cities'
    # departments, the central, province and city units, and the unit of 乙县 (no townships, no task)
    late = Obligation.objects.filter(due__lt=DAY).exclude(status="done")
    overdue = set(late.filter(status="overdue").values_list("region_code", flat=True))
    assert overdue == {"13", "1301", "130103"}  # 唐山市's department has nothing due before July
    assert {o.region_code[:6] for o in late.filter(status="open")} == {"130102", "130104", "130202"}
    city_unit = Obligation.objects.get(unit=units["city"], duty="unit_support_plan")
    assert city_unit.status == "overdue"
    city = world.personas["city"]
    assert list(Notification.objects.filter(recipient=city).values_list("title", flat=True)) == [
        "下级有 2 项履职事项已逾期（第十七条），请督促"  # the city unit's: keyed to the city, not to a county
    ]
    assert outbox.drain() == 3
    assert not late.filter(status="open").exists()
    # each county's task judged the job's day, not the day it ran (26 November): the quarter is not over
    second_quarter = Obligation.objects.filter(
        region_code__startswith="1301", period="2026-Q2", due=dt.date(2026, 6, 30)
    )
    assert {(o.status, o.reminded_days) for o in second_quarter} == {("open", "7")}
    # each obligation was marked overdue once, by its one owner (the city unit's by the job)
    overdue_events = AuditEvent.objects.filter(action="duties.overdue")
    assert overdue_events.count() == late.filter(status="overdue").count()
    assert overdue_events.filter(object_id=str(city_unit.pk)).count() == 1
    assert Notification.objects.filter(recipient=city, title__startswith="下级有").count() == 1
    # again, the same day: the same tasks, nothing done or told twice
    done = _outcome()
    assert tasks.mark_overdue(DAY.isoformat()) == 3
    assert outbox.drain() == 3
    assert _outcome() == done


def test_every_obligation_has_one_owner_a_county_task_or_the_job(world: World) -> None:
    units_at_every_level(world)
    services.obligations_generate(year=2026)
    counties = county_codes()
    owners = {"job": set(selectors.obligations_above_counties(counties).values_list("pk", flat=True))}
    for code in counties:
        owners[code] = set(selectors.obligations_of_county(code).values_list("pk", flat=True))
    everyone = [pk for kept in owners.values() for pk in kept]
    assert len(everyone) == len(set(everyone)) == Obligation.objects.count()
    assert {o.region_code for o in Obligation.objects.filter(pk__in=owners["job"])} == {"13", "1301", "1302", "130103"}


def test_the_county_tasks_together_do_and_tell_what_one_run_over_the_country_does(
    office_hours: dt.datetime, world: World
) -> None:
    units_at_every_level(world)
    services.obligations_generate(year=2026)
    _records(world)

    def outcome_of(run: Any) -> dict[str, list[Any]]:
        with transaction.atomic():
            run()
            outcome = _outcome()
            transaction.set_rollback(True)
        return outcome

    whole = outcome_of(lambda: services.obligations_update(today=DAY))
    fanned = outcome_of(lambda: (tasks.mark_overdue(DAY.isoformat()), outbox.drain()))
    assert fanned == whole
    statuses = {status for _, status, *_ in whole["obligations"]}
    by_records = {source for *_, source, _, _, _ in whole["obligations"]}
    assert statuses == {"open", "done", "overdue"} and by_records == {"", "work_log_checks", "county_opinions"}
    assert any(days == "7" for *_, days, _ in whole["obligations"])
    # the city hears once of its unit (from the job) and once per county of the county's own, named
    titles = sorted(title for recipient, title, _ in whole["notifications"] if recipient == world.personas["city"].pk)
    assert titles == [
        "下级丙县有 1 项履职事项已逾期（第十七条），请督促",
        "下级有 2 项履职事项已逾期（第十七条），请督促",
        "下级甲县有 1 项履职事项已逾期（第十七条），请督促",
    ]
    # 甲县 hears of its own townships and units unnamed, once; and of its own obligations as a body
    county = [title for recipient, title, _ in whole["notifications"] if recipient == world.personas["county"].pk]
    assert sorted(county) == [
        "下级有 10 项履职事项已逾期（第十七条），请督促",
        "您有 1 项履职事项将在 7 天内到期，请按时履行并登记",
        "您有 1 项履职事项已逾期，请尽快履行并登记",
    ]


def test_a_county_task_runs_twice_and_does_and_tells_nothing_the_second_time(
    office_hours: dt.datetime, world: World
) -> None:
    services.obligations_generate(year=2026)
    _records(world)
    first = tasks.mark_overdue_county("130102", DAY.isoformat())
    assert first["overdue"] > 0 and first["reminded"] > 0 and first["fulfilled_by_records"] == 2
    done = _outcome()
    assert tasks.mark_overdue_county("130102", DAY.isoformat()) == {
        "fulfilled_by_records": 0, "overdue": 0, "reminded": 0,
    }  # fmt: skip
    assert _outcome() == done
    # the other counties' obligations are untouched
    assert not Obligation.objects.filter(region_code__startswith="130104").exclude(status="open").exists()


def test_a_county_task_reads_only_the_accounts_it_may_tell(office_hours: dt.datetime, world: World) -> None:
    services.obligations_generate(year=2026)
    read: list[int] = []  # the rows of each read of the accounts table
    counting = False

    def count_accounts(execute: Any, sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        nonlocal counting
        if not counting and sql.lstrip().startswith('SELECT "accounts_user".'):
            counting = True  # the count below passes through this wrapper too
            try:
                with context["connection"].cursor() as cursor:
                    cursor.execute(f"SELECT COUNT(*) FROM ({sql}) AS accounts", params)  # noqa: S608 (Django's own SQL)
                    read.append(cursor.fetchone()[0])
            finally:
                counting = False
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count_accounts):
        services.obligations_update_in_county(today=DAY, county_code="130104")
    # 丙县's township and its city's department, not every account of the country
    assert read == [2]
    assert Notification.objects.filter(recipient=world.township_accounts["C"]).exists()
    assert Notification.objects.filter(recipient=world.personas["city"], title__startswith="下级丙县").exists()


def test_a_county_task_runs_a_fixed_number_of_queries_whatever_the_size_of_the_county_to_update(
    office_hours: dt.datetime, world: World
) -> None:
    services.obligations_generate_in_county(year=2026, county_code="130102")
    _records(world)
    with CaptureQueriesContext(connection) as small:
        counted = services.obligations_update_in_county(today=DAY, county_code="130102")
    more_bodies(40)
    services.obligations_generate_in_county(year=2027, county_code="130102")
    _records(world, 2027)
    with CaptureQueriesContext(connection) as large:
        counted_large = services.obligations_update_in_county(today=DAY.replace(year=2027), county_code="130102")
    assert counted_large["overdue"] > 10 * counted["overdue"] and counted_large["reminded"] > 10 * counted["reminded"]

    def reads(queries: CaptureQueriesContext) -> int:
        return sum(1 for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("SELECT"))

    # reads do not grow with the county's bodies and obligations; writes are bulk: the same statements on
    # PostgreSQL, a few more batches on SQLite (its limit of 999 bound parameters a statement)
    assert reads(large) == reads(small)
    if connection.vendor == "postgresql":
        assert len(large) == len(small)
    assert len(large) - reads(large) <= len(small) - reads(small) + 4
