"""第十九条2 (半日内作出答复): the deadline is 4 office hours on the official working calendar — office
hours 08:30–12:00 and 14:30–18:00 Asia/Shanghai, weekends and public holidays off, 调休 days on."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from leave.calendar import SHANGHAI, due_at, is_workday, next_workday, parse_office_hours

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


def test_a_year_the_calendar_does_not_know_falls_back_to_monday_to_friday() -> None:
    assert is_workday(dt.date(2099, 6, 1))  # a Monday
    assert not is_workday(dt.date(2099, 6, 6))  # a Saturday


def test_next_working_day_skips_the_holiday() -> None:
    assert next_workday(dt.date(2026, 9, 30)) == dt.date(2026, 10, 8)
    assert next_workday(dt.date(2026, 10, 9)) == dt.date(2026, 10, 10)  # the 调休 Saturday


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        due_at(dt.datetime(2026, 11, 26, 10, 0), HOURS)


def test_malformed_office_hours_are_refused() -> None:
    with pytest.raises(ValueError, match="ends before it starts"):
        parse_office_hours("18:00-08:30")
