"""The rules of supervision, each in one place and citing its article. Pure functions over values:
services, views and jobs call them and never re-decide.

* 第十三条3 随机抽查 — how many random presence checks a cadre may get a month, how long they have to
  answer, what an answer means (docs/decisions/0120, 0121);
* 第七条 帮扶任务清单 — who sets which part of a team's annual task list, when a task is overdue
  (docs/decisions/0122).
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from attendance.rules import GeofenceReading, half_of
from zhucun.policy import PolicyProfile

from .models import PresenceCheck

# --- 第十三条3 随机抽查 --------------------------------------------------------------------------


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of ``day``'s calendar month (the cap counts per calendar month)."""
    return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])


def minutes_refusal(minutes: int, profile: PolicyProfile) -> str | None:
    """Why ``minutes`` cannot be the time given to answer, or None: between the profile's bounds."""
    low, high = profile.presence_check_min_minutes, profile.presence_check_max_minutes
    if not low <= minutes <= high:
        return f"确认时限应为 {low} 至 {high} 分钟。"
    return None


def cap_refusal(*, issued_this_month: int, profile: PolicyProfile) -> str | None:
    """第十三条3 随机抽查, kept light (SPEC.md "Light on the cadres": the national rules against 指尖上的
    形式主义 forbid making it a daily ritual): at most the profile's number of checks per cadre per
    calendar month. Why the next one is refused, or None."""
    cap = profile.presence_checks_per_cadre_per_month
    if issued_this_month >= cap:
        return f"该干部本月已被随机抽查 {issued_this_month} 次，每月最多 {cap} 次，下月再抽查。"
    return None


def due_at(*, issued_at: dt.datetime, minutes: int) -> dt.datetime:
    return issued_at + dt.timedelta(minutes=minutes)


def answer_status(reading: GeofenceReading) -> str:
    """An answer inside the village's geofence (the sign-in's rule, attendance.rules.village_geofence) is
    在岗; outside it 不在范围."""
    return PresenceCheck.Status.PRESENT if reading.inside else PresenceCheck.Status.OUTSIDE_GEOFENCE


def raises_finding(status: str) -> bool:
    """A missed check and an answer outside the geofence are absences to explain: each raises a *pending*
    finding (source 随机抽查) that the township confirms or dismisses (第二十条2 counts only confirmed
    findings without approved leave; docs/decisions/0121)."""
    return status in (PresenceCheck.Status.MISSED, PresenceCheck.Status.OUTSIDE_GEOFENCE)


def finding_day_and_half(moment_local: dt.datetime) -> tuple[dt.date, str]:
    """The day and half a presence-check finding names: those of the moment the check asked about (its
    due time, in Asia/Shanghai) — 第十九条2 counts absences in half days (docs/decisions/0073)."""
    return moment_local.date(), half_of(moment_local.time())


def excused_now(*, excused: dict[str, str], half: str) -> bool:
    """Whether approved leave or official business covers ``half`` (a cadre away with approval is not
    asked to prove presence, and a miss in such a half is no absence)."""
    return half in excused


def may_answer(check: Any, *, now: dt.datetime) -> str | None:
    """Why a check can no longer be answered, or None: it must be pending and not past its time."""
    if check.status != PresenceCheck.Status.PENDING:
        return f"该抽查已{PresenceCheck.Status(check.status).label}，无需重复确认。"
    if now > check.due_at:
        return "该抽查已超过确认时限，未能确认。"
    return None
