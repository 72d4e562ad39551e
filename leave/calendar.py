"""The working calendar on which "half a day" is counted (第十九条2: 收到驻村干部请假申请，县乡审批人员
应在半日内作出答复; SPEC.md "Leave").

Default reading (a policy value): ``approval_deadline_office_hours`` office hours, where office hours
are ``office_hours`` ("08:30-12:00,14:30-18:00", Asia/Shanghai) on official working days — weekends and
public holidays are off, 调休 make-up Saturdays and Sundays are on, as the State Council publishes them
(the ``chinesecalendar`` package). For a year the package does not know yet, Monday to Friday are
working days, so a deadline is never left unset.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: no deadline looks further than this many calendar days ahead (the longest holiday is 9 days)
_HORIZON_DAYS = 60


def is_workday(day: dt.date) -> bool:
    """Whether ``day`` is an official working day (调休 make-up days included, holidays excluded)."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # a year the installed calendar does not cover yet
        return day.weekday() < 5


def next_workday(day: dt.date) -> dt.date:
    """The first working day after ``day``."""
    candidate = day + dt.timedelta(days=1)
    for _ in range(_HORIZON_DAYS):
        if is_workday(candidate):
            return candidate
        candidate += dt.timedelta(days=1)
    return candidate


@lru_cache(maxsize=16)
def parse_office_hours(office_hours: str) -> tuple[tuple[dt.time, dt.time], ...]:
    """``"08:30-12:00,14:30-18:00"`` → ((08:30, 12:00), (14:30, 18:00)), sorted; ValueError if malformed."""
    intervals = []
    for part in office_hours.split(","):
        begin, _, finish = part.strip().partition("-")
        start, end = dt.time.fromisoformat(begin.strip()), dt.time.fromisoformat(finish.strip())
        if end <= start:
            raise ValueError(f"office hours interval {part!r} ends before it starts")
        intervals.append((start, end))
    if not intervals:
        raise ValueError("no office hours")
    return tuple(sorted(intervals))


def due_at(received_at: dt.datetime, office_hours: str, hours: Decimal = Decimal("4")) -> dt.datetime:
    """The moment ``hours`` office hours after ``received_at`` on the working calendar (Asia/Shanghai).

    A request received outside office hours starts its clock at the next opening: received on Friday at
    17:00 with 4 hours to go, the deadline is Monday 11:30 (1 hour on Friday, 3 on Monday) — or the
    Tuesday when Monday is a holiday, or the Sunday when that Sunday is a 调休 working day.
    """
    if received_at.tzinfo is None:
        raise ValueError("received_at must be timezone-aware")
    intervals = parse_office_hours(office_hours)
    local = received_at.astimezone(SHANGHAI)
    remaining = dt.timedelta(seconds=float(hours) * 3600)
    day = local.date()
    for _ in range(_HORIZON_DAYS):
        if is_workday(day):
            for begin, finish in intervals:
                opens = dt.datetime.combine(day, begin, tzinfo=SHANGHAI)
                closes = dt.datetime.combine(day, finish, tzinfo=SHANGHAI)
                start = max(opens, local)
                if start >= closes:
                    continue
                if remaining <= closes - start:
                    return start + remaining
                remaining -= closes - start
        day += dt.timedelta(days=1)
    raise ValueError("no working time within the horizon; check the office hours setting")
