"""The holiday and 调休 table is kept by provincial staff, every change audited, and a missing year is
never a silent guess: provincial staff are warned from October 1 (issue 11 item 3, decision 0085)."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from accounts.services import account_create
from zhucun import workcalendar
from zhucun.jobs import SCHEDULED_JOBS
from zhucun.models import AuditEvent, Notification, WorkCalendarDay, WorkCalendarYear
from zhucun.tasks import warn_missing_work_calendar
from zhucun.testing.world import PASSWORD, World
from zhucun.workcalendar import services

NEW_YEAR_2027 = dt.date(2027, 1, 1)


def _add_new_year(world: World) -> WorkCalendarDay:
    return services.work_calendar_day_add(
        actor=world.personas["province"], date=NEW_YEAR_2027, kind="holiday", name="元旦"
    )


def _warnings(user_ids: list[int] | None = None) -> list[tuple[int, str]]:
    notes = Notification.objects.filter(title__contains="节假日和调休安排尚未发布")
    if user_ids is not None:
        notes = notes.filter(recipient_id__in=user_ids)
    return sorted(notes.values_list("recipient_id", "title"))


# --- edits, audited ----------------------------------------------------------------------------


def test_adding_a_day_is_audited_with_its_author_and_starts_the_year_unpublished(world: World) -> None:
    day = _add_new_year(world)
    event = AuditEvent.objects.get(action="calendar.day_add", object_id=str(day.pk))
    assert event.actor == world.personas["province"]
    assert event.after == {"id": day.pk, "date": "2027-01-01", "kind": "holiday", "name": "元旦"}
    assert event.region_code == "13"
    assert WorkCalendarYear.objects.get(year=2027).published_at is None


def test_changing_a_day_is_audited_before_and_after(world: World) -> None:
    day = _add_new_year(world)
    services.work_calendar_day_change(
        actor=world.personas["province"], day_id=day.pk, date=dt.date(2027, 1, 2), kind="holiday", name="元旦"
    )
    event = AuditEvent.objects.get(action="calendar.day_change")
    assert (event.before, event.after) == (
        {"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
        {"date": "2027-01-02", "kind": "holiday", "name": "元旦"},
    )
    assert event.actor == world.personas["province"]


def test_deleting_a_day_is_audited_and_the_day_is_an_ordinary_weekday_again(world: World) -> None:
    day = _add_new_year(world)
    assert not workcalendar.is_workday(NEW_YEAR_2027)
    services.work_calendar_day_delete(actor=world.personas["province"], day_id=day.pk)
    event = AuditEvent.objects.get(action="calendar.day_delete")
    assert event.before == {"id": day.pk, "date": "2027-01-01", "kind": "holiday", "name": "元旦"}
    assert event.object_id == str(day.pk)
    assert not WorkCalendarDay.objects.filter(date=NEW_YEAR_2027).exists()
    assert workcalendar.is_workday(NEW_YEAR_2027)  # a Friday


def test_publishing_and_withdrawing_a_year_are_audited(world: World) -> None:
    province = world.personas["province"]
    _add_new_year(world)
    services.work_calendar_year_publish(actor=province, year=2027, source="国办发明电〔2026〕X号")
    published = AuditEvent.objects.get(action="calendar.year_publish")
    assert published.before is not None and published.before["published_at"] is None
    assert published.after is not None and published.after["published_by_id"] == province.pk
    assert published.after["source"] == "国办发明电〔2026〕X号"
    assert workcalendar.is_published(2027)

    services.work_calendar_year_unpublish(actor=province, year=2027, note="误发布，文号待核")
    withdrawn = AuditEvent.objects.get(action="calendar.year_unpublish")
    assert withdrawn.after is not None and withdrawn.after["published_at"] is None
    assert not workcalendar.is_published(2027)


@pytest.mark.parametrize(
    ("date", "kind", "name", "field", "message"),
    [
        (dt.date(2027, 1, 9), "makeup_workday", "元旦调休上班", None, None),  # a Saturday: fine
        (dt.date(2027, 1, 8), "makeup_workday", "元旦调休上班", "kind", "调休上班日应为周六或周日"),  # a Friday
        (NEW_YEAR_2027, "holiday", "  ", "name", "请填写节日名称"),
        (NEW_YEAR_2027, "off", "元旦", "kind", "类型应为"),
        (dt.date(2003, 1, 1), "holiday", "元旦", "date", "只能录入2004年"),
        (dt.date(2026, 10, 1), "holiday", "国庆节", "date", "已有安排（国庆节，放假）"),
    ],
)
def test_bad_days_are_refused_naming_the_field_and_nothing_is_written(
    world: World, date: dt.date, kind: str, name: str, field: str | None, message: str | None
) -> None:
    audits, days = AuditEvent.objects.count(), WorkCalendarDay.objects.count()
    if field is None:
        services.work_calendar_day_add(actor=world.personas["province"], date=date, kind=kind, name=name)
        assert WorkCalendarDay.objects.count() == days + 1
        return
    with pytest.raises(ValidationError) as refused:
        services.work_calendar_day_add(actor=world.personas["province"], date=date, kind=kind, name=name)
    assert message is not None and message in refused.value.message_dict[field][0]
    assert (AuditEvent.objects.count(), WorkCalendarDay.objects.count()) == (audits, days)


def test_a_year_with_no_holiday_entered_cannot_be_published(world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        services.work_calendar_year_publish(actor=world.personas["province"], year=2027, source="国办发明电")
    assert "还没有录入任何放假日期" in refused.value.message_dict["year"][0]
    assert not AuditEvent.objects.filter(action="calendar.year_publish").exists()
    assert not workcalendar.is_published(2027)


def test_publishing_needs_its_source(world: World) -> None:
    _add_new_year(world)
    with pytest.raises(ValidationError) as refused:
        services.work_calendar_year_publish(actor=world.personas["province"], year=2027, source=" ")
    assert "请写明依据" in refused.value.message_dict["source"][0]


# --- the seed ------------------------------------------------------------------------------------


def test_the_seed_is_idempotent_and_never_overwrites_a_year_staff_started(world: World) -> None:
    """A year missing from the table is restored from the library; a year staff have started (a
    marker exists) is theirs, even when the library knows it."""
    WorkCalendarDay.objects.filter(date__year__in=[2024, 2025]).delete()
    WorkCalendarYear.objects.filter(year__in=[2024, 2025]).delete()
    services.work_calendar_day_add(
        actor=world.personas["province"], date=dt.date(2025, 1, 1), kind="holiday", name="元旦（手工）"
    )

    assert services.work_calendar_seed_from_library() == [2024]
    assert services.work_calendar_seed_from_library() == []

    assert WorkCalendarYear.objects.get(year=2024).published_at is not None
    assert WorkCalendarDay.objects.get(date=dt.date(2024, 10, 1)).name == "国庆节"
    assert list(WorkCalendarDay.objects.filter(date__year=2025).values_list("name", flat=True)) == ["元旦（手工）"]
    assert WorkCalendarYear.objects.get(year=2025).published_at is None
    seeded = AuditEvent.objects.get(action="calendar.seed", object_id=str(WorkCalendarYear.objects.get(year=2024).pk))
    assert seeded.actor is None and seeded.after is not None and seeded.after["year"] == 2024


def test_the_seed_command_says_what_it_did(db: None) -> None:
    out = StringIO()
    call_command("seed_work_calendar", stdout=out)
    assert "已是最新" in out.getvalue()


# --- the warning from October 1 --------------------------------------------------------------------


def test_a_year_without_a_table_warns_provincial_staff_from_october_once_per_recipient(world: World) -> None:
    province = world.personas["province"]
    others = [world.personas[p].pk for p in ("city", "county", "township", "unit", "cadre")]

    assert services.work_calendar_warn_missing(today=dt.date(2026, 9, 30)) == 0  # not yet
    assert services.work_calendar_warn_missing(today=dt.date(2026, 10, 1)) == 1
    assert services.work_calendar_warn_missing(today=dt.date(2026, 10, 2)) == 0  # once
    assert _warnings() == [(province.pk, "2027年节假日和调休安排尚未发布，请及时录入")]
    note = Notification.objects.get(recipient=province)
    assert note.url == "/calendar/2027/" and "暂按周一至周五计算" in note.body
    assert _warnings(others) == []

    # A provincial official who joins later is told too — once.
    newcomer = account_create(actor=None, username="prov2", password=PASSWORD, role="province_org", scope="13")
    assert services.work_calendar_warn_missing(today=dt.date(2026, 11, 15)) == 1
    assert services.work_calendar_warn_missing(today=dt.date(2027, 1, 5)) == 0  # 2027 still missing: told already
    assert [pk for pk, _ in _warnings()] == sorted([province.pk, newcomer.pk])


def test_the_warning_stops_once_the_year_is_published(world: World) -> None:
    province = world.personas["province"]
    _add_new_year(world)
    assert services.work_calendar_warn_missing(today=dt.date(2026, 10, 1)) == 1  # entered, not published
    services.work_calendar_year_publish(actor=province, year=2027, source="国办发明电")
    assert workcalendar.years_missing(dt.date(2026, 12, 1)) == []
    Notification.objects.all().delete()
    assert services.work_calendar_warn_missing(today=dt.date(2026, 12, 1)) == 0


def test_the_warning_job_is_scheduled_and_runs_by_run_jobs(world: World) -> None:
    assert "zhucun.warn_missing_work_calendar" in [name for name, _ in SCHEDULED_JOBS]
    assert warn_missing_work_calendar("2026-10-01") == 1
    out = StringIO()
    call_command("run_jobs", stdout=out)
    assert "zhucun.warn_missing_work_calendar:" in out.getvalue()
