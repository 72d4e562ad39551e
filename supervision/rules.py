"""The rules of supervision, each in one place and citing its article. Pure functions over values:
services, views and jobs call them and never re-decide.

* 第十三条3 随机抽查 — how many random presence checks a cadre may get a month, how long they have to
  answer, what an answer means (docs/decisions/0120, 0121);
* 第七条 帮扶任务清单 — who sets which part of a team's annual task list, who reports its progress,
  when a task is overdue (docs/decisions/0122).
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from attendance.rules import GeofenceReading, half_of
from cadres.models import Cadre, Region, Team
from zhucun.policy import PolicyProfile

from .models import AnnualTask, PresenceCheck

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


# --- 第七条 驻村工作队年度帮扶任务清单 ------------------------------------------------------------------

#: The regulation took effect in 2018; no task list is older.
FIRST_TASK_YEAR = 2018


def team_county_code(team: Team) -> str:
    return Region.prefix_of(team.village_id, Region.Level.COUNTY)


def is_team_county(user: Any, team: Team) -> bool:
    """The county organization department of the county where the team is stationed — its own region,
    not one lent by a grant (第七条 规定内容由县级党委…确定; the county office keeps the list)."""
    return (
        getattr(user, "is_authenticated", False)
        and getattr(user, "role", "") == "county_org"
        and str(getattr(user, "region_id", "")) == team_county_code(team)
    )


def is_team_leader(user: Any, team: Team) -> bool:
    """The team's own leader in post (队长 or 第一书记兼队长) keeps the team's list (SPEC.md)."""
    cadre: Cadre | None = getattr(user, "cadre", None) if getattr(user, "role", "") == "cadre" else None
    return cadre is not None and cadre.team_id == team.pk and cadre.is_leader and cadre.status == Cadre.Status.ACTIVE


def is_team_unit(user: Any, team: Team) -> bool:
    """The team's dispatching unit (第九条1 指导驻村工作队制定年度自选任务清单)."""
    return getattr(user, "role", "") == "unit" and getattr(user, "unit_id", None) == team.unit_id


def origin_of(user: Any, team: Team, kind: str) -> str | None:
    """第七条: who may put a task of ``kind`` on the team's list, as which body — or None. 规定内容 only
    the team's county; 自选内容 the dispatching unit (派出单位帮扶支持) or the team itself (驻村工作队自身
    争取)."""
    if kind == AnnualTask.Kind.REQUIRED:
        return AnnualTask.Origin.COUNTY if is_team_county(user, team) else None
    if kind == AnnualTask.Kind.OPTIONAL:
        if is_team_unit(user, team):
            return AnnualTask.Origin.UNIT
        if is_team_leader(user, team):
            return AnnualTask.Origin.TEAM
    return None


def may_report_progress(user: Any, task: AnnualTask) -> bool:
    """The team's leader reports progress on every task of its list; the body that set a task may too
    (the county its 规定内容, the unit its 自选内容)."""
    team = task.team
    if is_team_leader(user, team):
        return True
    if task.kind == AnnualTask.Kind.REQUIRED:
        return is_team_county(user, team)
    return is_team_unit(user, team)


def task_refusals(
    *,
    year: int,
    kind: str,
    title: str,
    target: str,
    deadline: dt.date | None,
    responsible_department: str,
    today: dt.date,
) -> dict[str, list[str]]:
    """What is wrong with a new task, field by field (Chinese), or nothing. 第七条: 规定内容 name the task
    target, the deadline (完成时限) and the county department that coordinates it (县直责任部门); a
    task's deadline lies in its year."""
    errors: dict[str, list[str]] = {}
    if not FIRST_TASK_YEAR <= year <= today.year + 1:
        errors["year"] = [f"年度应在 {FIRST_TASK_YEAR} 至 {today.year + 1} 年之间。"]
    if kind not in AnnualTask.Kind.values:
        errors["kind"] = ["类别应为 required（规定内容）或 optional（自选内容）。"]
    if not title.strip():
        errors["title"] = ["请填写任务名称。"]
    if not target.strip():
        errors["target"] = ["请填写任务目标。"]
    if deadline is None:
        errors["deadline"] = ["请填写完成时限。"]
    elif "year" not in errors and deadline.year != year:
        errors["deadline"] = [f"完成时限应在 {year} 年内。"]
    if kind == AnnualTask.Kind.REQUIRED and not responsible_department.strip():
        errors["responsible_department"] = ["规定内容须写明协调落实的县直责任部门（第七条）。"]
    return errors


def progress_refusal(progress: int | None) -> str | None:
    if progress is not None and not 0 <= progress <= 100:
        return "进度应为 0 至 100 之间的整数（百分比）。"
    return None


def is_overdue(*, done: bool, deadline: dt.date, today: dt.date) -> bool:
    """第七条 完成时限: a task not done by its deadline is overdue from the next day."""
    return not done and deadline < today
