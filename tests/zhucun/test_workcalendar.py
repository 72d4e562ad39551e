"""第十九条2 (半日内作出答复): the deadline is 4 office hours on the official working calendar — office
hours 08:30–12:00 and 14:30–18:00 Asia/Shanghai, weekends and public holidays off, 调休 days on — read
from the holiday table in the database (zhucun/workcalendar), seeded from chinesecalendar."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhucun import workcalendar
from zhucun.models import WorkCalendarDay, WorkCalendarYear
from zhucun.testing.world import World
from zhucun.workcalendar import SHANGHAI, due_at, is_workday, next_workday, parse_office_hours
from zhucun.workcalendar.services import work_calendar_day_add, work_calendar_year_publish

pytestmark = pytest.mark.django_db

HOURS = "08:30-12:00,14:30-18:00"


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def test_received_before_office_hours_starts_at_half_past_eight_and_skips_lunch() -> None:
    """07:00 → the clock starts at 08:30: 3.5 h until 12:00, the last half hour from 14:30."""
    assert due_at(at(2026, 11, 26, 7, 0), HOURS) == at(2026, 11, 26, 15, 0)


def test_the_lunch_break_does_not_count() -> None:
    """Thursday 10:00: 2 hours until 12:00, then 2 more from 14:30."""
    assert due_at(at(2026, 11, 26, 10, 0), HOURS) == at(2026, 11, 26, 16, 30)


def test_received_during_lunch_starts_at_half_past_two_and_runs_into_the_next_morning() -> None:
    """12:45 → 3.5 h from 14:30 to 18:00, the last half hour on Friday from 08:30."""
    assert due_at(at(2026, 11, 26, 12, 45), HOURS) == at(2026, 11, 27, 9, 0)


def test_received_friday_evening_is_due_monday_morning_over_the_weekend() -> None:
    """Friday 17:00: 1 hour on Friday, 3 on Monday from 08:30."""
    assert due_at(at(2026, 11, 27, 17, 0), HOURS) == at(2026, 11, 30, 11, 30)


def test_received_on_saturday_is_due_monday() -> None:
    assert due_at(at(2026, 11, 28, 10, 0), HOURS) == at(2026, 11, 30, 15, 0)


def test_a_public_holiday_does_not_count() -> None:
    """National Day 2026: 1–7 October are off; Wednesday 30 September 16:00 → 2 h that day, 2 h on the
    first working day after the holiday (Thursday 8 October)."""
    assert not is_workday(dt.date(2026, 10, 1))
    assert due_at(at(2026, 9, 30, 16, 0), HOURS) == at(2026, 10, 8, 10, 30)


def test_a_make_up_working_saturday_counts() -> None:
    """调休: Saturday 10 October 2026 is a working day; Friday 9 October 17:00 → 1 h Friday, 3 h on that
    Saturday morning."""
    assert is_workday(dt.date(2026, 10, 10))
    assert due_at(at(2026, 10, 9, 17, 0), HOURS) == at(2026, 10, 10, 11, 30)


def test_a_make_up_working_sunday_counts() -> None:
    """调休: Sunday 4 January 2026 is a working day after the New Year holiday (1–3 January)."""
    assert is_workday(dt.date(2026, 1, 4))
    assert due_at(at(2025, 12, 31, 17, 0), HOURS) == at(2026, 1, 4, 11, 30)


def test_the_deadline_is_the_same_moment_whatever_the_timezone_it_was_received_in() -> None:
    received = at(2026, 11, 26, 10, 0).astimezone(dt.UTC)
    assert due_at(received, HOURS) == at(2026, 11, 26, 16, 30)


def test_other_office_hours_and_lengths_come_from_the_profile() -> None:
    assert due_at(at(2026, 11, 26, 9, 0), "09:00-17:00", Decimal("8")) == at(2026, 11, 26, 17, 0)
    assert due_at(at(2026, 11, 26, 9, 0), HOURS, Decimal("2")) == at(2026, 11, 26, 11, 0)


def test_a_year_the_table_does_not_know_falls_back_to_monday_to_friday_and_says_so() -> None:
    assert is_workday(dt.date(2099, 6, 1))  # a Monday
    assert not is_workday(dt.date(2099, 6, 6))  # a Saturday
    assert workcalendar.is_provisional(dt.date(2099, 6, 1))
    assert not workcalendar.is_provisional(dt.date(2026, 6, 1))


def test_next_working_day_skips_the_holiday() -> None:
    assert next_workday(dt.date(2026, 9, 30)) == dt.date(2026, 10, 8)
    assert next_workday(dt.date(2026, 10, 9)) == dt.date(2026, 10, 10)  # the 调休 Saturday


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        due_at(dt.datetime(2026, 11, 26, 10, 0), HOURS)


def test_malformed_office_hours_are_refused() -> None:
    with pytest.raises(ValueError, match="ends before it starts"):
        parse_office_hours("18:00-08:30")


# --- issue 11 item 3: the calendar no longer ends in 2026 ---------------------------------------


def test_new_years_day_2027_is_a_holiday_once_the_table_says_so_and_a_deadline_from_new_years_eve_skips_it_第十九条(
    world: World,
) -> None:
    """Received Thursday 31 December 2026 at 16:00: 2 office hours that day. Before 2027's table is
    entered, Friday 1 January counts as a working day — provisionally, and said so; once provincial
    staff enter it as a holiday, the remaining 2 hours fall on Monday 4 January."""
    received = at(2026, 12, 31, 16, 0)
    assert due_at(received, HOURS) == at(2027, 1, 1, 10, 30)
    assert workcalendar.deadline_is_provisional(received, at(2027, 1, 1, 10, 30))

    work_calendar_day_add(actor=world.personas["province"], date=dt.date(2027, 1, 1), kind="holiday", name="元旦")

    assert not is_workday(dt.date(2027, 1, 1))
    assert due_at(received, HOURS) == at(2027, 1, 4, 10, 30)
    assert next_workday(dt.date(2026, 12, 31)) == dt.date(2027, 1, 4)


def test_a_makeup_working_saturday_entered_for_2027_counts(world: World) -> None:
    work_calendar_day_add(
        actor=world.personas["province"], date=dt.date(2027, 2, 20), kind="makeup_workday", name="春节调休上班"
    )
    assert is_workday(dt.date(2027, 2, 20))  # a Saturday
    assert due_at(at(2027, 2, 19, 17, 0), HOURS) == at(2027, 2, 20, 11, 30)


def test_a_published_year_is_no_longer_provisional(world: World) -> None:
    province = world.personas["province"]
    work_calendar_day_add(actor=province, date=dt.date(2027, 1, 1), kind="holiday", name="元旦")
    assert workcalendar.is_provisional(dt.date(2027, 1, 1))
    work_calendar_year_publish(actor=province, year=2027, source="国务院办公厅关于2027年部分节假日安排的通知")
    assert not workcalendar.is_provisional(dt.date(2026, 12, 31), dt.date(2027, 1, 4))


def test_the_seed_holds_every_year_chinesecalendar_knows_and_leaves_2027_to_provincial_staff() -> None:
    """Migrating seeds 2004–2026 as published (the State Council's notices as the library carries
    them); 2027 is not invented — it waits for provincial staff (decision 0085)."""
    published = set(WorkCalendarYear.objects.filter(published_at__isnull=False).values_list("year", flat=True))
    assert published == set(range(2004, 2027))
    assert not WorkCalendarYear.objects.filter(year=2027).exists()
    assert not WorkCalendarDay.objects.filter(date__year=2027).exists()
    national_day = WorkCalendarDay.objects.get(date=dt.date(2026, 10, 1))
    assert (national_day.kind, national_day.name) == ("holiday", "国庆节")
    makeup = WorkCalendarDay.objects.get(date=dt.date(2026, 10, 10))
    assert (makeup.kind, makeup.name) == ("makeup_workday", "国庆节调休上班")


def test_a_deadline_loads_each_year_once_not_a_query_per_day() -> None:
    """The approval hot path: a deadline across the 9-day National Day holiday (and a year change)
    costs two queries per year the first time, and none while the cache holds."""
    with CaptureQueriesContext(connection) as cold:
        assert due_at(at(2026, 9, 30, 16, 0), HOURS) == at(2026, 10, 8, 10, 30)
        due_at(at(2026, 12, 31, 16, 0), HOURS)
    assert len(cold) == 4  # 2026 and 2027: the year's marker and its days
    with CaptureQueriesContext(connection) as warm:
        due_at(at(2026, 9, 30, 16, 0), HOURS)
        due_at(at(2026, 12, 31, 16, 0), HOURS)
    assert len(warm) == 0


def test_saving_a_day_clears_the_cache_so_the_change_applies_at_once(world: World) -> None:
    assert is_workday(dt.date(2027, 1, 1))  # cached now
    WorkCalendarDay.objects.create(date=dt.date(2027, 1, 1), kind="holiday", name="元旦")
    assert not is_workday(dt.date(2027, 1, 1))
