"""The rules of supervision, each in one place and citing its article. Pure functions over values:
services, views and jobs call them and never re-decide.

* 第十三条3 随机抽查 — how many random presence checks a cadre may get a month, how long they have to
  answer, what an answer means (docs/decisions/0120);
* 第七条 帮扶任务清单 — who sets which part of a team's annual task list, who reports its progress,
  when a task is overdue (docs/decisions/0122);
* 第十三条2 督导检查 — who plans an inspection of which region, who inspects, who is lent a region for
  a 交叉检查 and until when, what a result turns into (docs/decisions/0123);
* 第八条, 第十一条 the burden guard — what a demand on a cadre is and who records it, when a unit's
  cadre is back at the unit too often (docs/decisions/0124).
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import TYPE_CHECKING, Any

from accounts.roles import Role
from attendance.rules import GeofenceReading, half_of
from cadres.models import Cadre, Region, Team
from zhucun.policy import PolicyProfile

from .models import AnnualTask, Demand, InspectionPlan, InspectionResult, PresenceCheck

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

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
    findings without approved leave; docs/decisions/0120)."""
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


def is_team_county(user: User | AnonymousUser, team: Team) -> bool:
    """The county organization department of the county where the team is stationed — its own region,
    not one lent by a grant (第七条 规定内容由县级党委…确定; the county office keeps the list)."""
    return (
        getattr(user, "is_authenticated", False)
        and getattr(user, "role", "") == Role.COUNTY_ORG
        and str(getattr(user, "region_id", "")) == team_county_code(team)
    )


def is_team_leader(user: User | AnonymousUser, team: Team) -> bool:
    """The team's own leader in post (队长 or 第一书记兼队长) keeps the team's list (SPEC.md)."""
    cadre: Cadre | None = getattr(user, "cadre", None) if getattr(user, "role", "") == Role.CADRE else None
    return cadre is not None and cadre.team_id == team.pk and cadre.is_leader and cadre.status == Cadre.Status.ACTIVE


def is_team_unit(user: User | AnonymousUser, team: Team) -> bool:
    """The team's dispatching unit (第九条1 指导驻村工作队制定年度自选任务清单)."""
    return getattr(user, "role", "") == Role.UNIT and getattr(user, "unit_id", None) == team.unit_id


def origin_of(user: User | AnonymousUser, team: Team, kind: str) -> str | None:
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


def may_report_progress(user: User | AnonymousUser, task: AnnualTask) -> bool:
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


# --- 第十三条2 明查暗访、交叉检查、集中督导 ----------------------------------------------------------------

#: A plan is a campaign, not a standing arrangement: at most a year, like a region grant (decision 0048).
PLAN_MAX_DAYS = 366
#: Accounts that may inspect another region (accounts.services.GRANTEE_ROLES).
INSPECTOR_ROLES = frozenset({"city_org", "county_org", "township"})


def organizer_of(user: User | AnonymousUser) -> tuple[str, str] | None:
    """(level, region) of the organization department the user plans inspections for (第十三条2: 各级党委
    组织部门 … 进行督导检查), or None."""
    from zhucun.scoping import department_of

    return department_of(user)


def is_organizer(user: User | AnonymousUser, plan: InspectionPlan) -> bool:
    return organizer_of(user) == (plan.organizer_level, plan.organizer_region)


def plan_refusals(
    *,
    kind: str,
    title: str,
    organizer_region: str,
    scope: Region | None,
    start: dt.date | None,
    end: dt.date | None,
    today: dt.date,
) -> dict[str, list[str]]:
    """What is wrong with a new plan, field by field. 第十三条2 对本级驻村工作队和驻村干部履职情况、对下级党委
    和本级派出单位驻村帮扶工作进行督导检查: the region inspected lies inside the organizer's own region."""
    errors: dict[str, list[str]] = {}
    if kind not in InspectionPlan.Kind.values:
        errors["kind"] = ["检查方式应为 visit（明查暗访）、cross（交叉检查）或 central（集中督导）。"]
    if not title.strip():
        errors["title"] = ["请填写检查名称（如通知文号）。"]
    if scope is None or not scope.code.startswith(organizer_region) or scope.level == Region.Level.VILLAGE:
        errors["scope_code"] = ["检查范围应为本部门管辖内的市、县或乡镇区划代码。"]
    if start is None:
        errors["start"] = ["请填写开始日期。"]
    if end is None:
        errors["end"] = ["请填写结束日期。"]
    if start is not None and end is not None:
        if end < start:
            errors["end"] = ["结束日期不能早于开始日期。"]
        elif (end - start).days > PLAN_MAX_DAYS:
            errors["end"] = ["一次督导检查最长一年。"]
        elif end < today - dt.timedelta(days=PLAN_MAX_DAYS) or start > today + dt.timedelta(days=PLAN_MAX_DAYS):
            errors["start"] = ["检查日期应在前后一年之内。"]
    return errors


def inspector_refusal(*, plan: InspectionPlan, account: Any, today: dt.date) -> str | None:
    """Why ``account`` cannot inspect for ``plan``, or None. Inspectors are organization or township
    accounts inside the organizer's region (it vouches for them). For a 交叉检查 they come from outside
    the inspected region (that is what makes it a cross-check) and are lent it until the plan's end; the
    other kinds are carried out by those who already see the region."""
    if account is None or not getattr(account, "is_active", False):
        return "账号不存在或已停用。"
    if account.role not in INSPECTOR_ROLES or not str(account.region_id or "").startswith(plan.organizer_region):
        return "检查人员应为本部门管辖内的市、县组织部门或乡镇党委的账号。"
    if plan.end < today:
        return "检查已结束，不能再增加检查人员。"
    region = str(account.region_id)
    covers = plan.scope_code.startswith(region)
    if plan.kind == InspectionPlan.Kind.CROSS and (covers or region.startswith(plan.scope_code)):
        return "交叉检查人员应来自被检查区划以外；该账号本来就管辖或属于被检查区划。"
    if plan.kind != InspectionPlan.Kind.CROSS and not covers:
        return "该账号不管辖被检查区划：异地检查请使用交叉检查。"
    return None


def result_refusals(
    *, plan: InspectionPlan, team: Team, cadre: Cadre | None, day: dt.date, outcome: str, today: dt.date
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if outcome not in InspectionResult.Outcome.values:
        errors["outcome"] = ["检查结果应为 ok（在岗履职正常）、absent（不在岗）或 problem（履职不到位）。"]
    if not team.village_id.startswith(plan.scope_code):
        errors["team"] = ["该工作队不在本次检查范围内。"]
    if cadre is not None and cadre.team_id != team.pk:
        errors["cadre"] = ["该干部不是这个工作队的成员。"]
    if outcome == InspectionResult.Outcome.ABSENT and cadre is None:
        errors["cadre"] = ["不在岗须写明是哪位驻村干部。"]
    if not plan.start <= day <= plan.end:
        errors["date"] = [f"检查日期应在本次检查期间（{plan.start:%Y-%m-%d} 至 {plan.end:%Y-%m-%d}）。"]
    elif day > today:
        errors["date"] = ["不能记录未来日期的检查结果。"]
    return errors


# --- 第八条 减轻驻村干部负担, 第十一条 不得抽调驻村干部返回单位工作 ------------------------------------------

#: A demand is recorded when it is placed or soon after: at most this many days back.
DEMAND_MAX_AGE_DAYS = 92


def demand_refusals(*, kind: str, day: dt.date | None, body: str, today: dt.date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if kind not in Demand.Kind.values:
        errors["kind"] = [
            "类别应为 meeting（会议）、form（填表）、report（报表材料）、inspection（调研检查）、"
            "visitors（陪同接待）或 other（其他事务）。"
        ]
    if day is None:
        errors["date"] = ["请填写日期。"]
    elif day > today:
        errors["date"] = ["不能登记未来日期的事项。"]
    elif (today - day).days > DEMAND_MAX_AGE_DAYS:
        errors["date"] = [f"只能登记 {DEMAND_MAX_AGE_DAYS} 天以内的事项。"]
    if not body.strip():
        errors["demanding_body"] = ["请填写提出要求的单位（如县扶贫办、乡镇政府）。"]
    return errors


def demand_source(user: User | AnonymousUser, cadre: Cadre) -> str | None:
    """第八条: the body that places a demand records it (regions and units); a cadre reports the demands
    placed on them — their own only. None when the user may do neither for ``cadre``."""
    role = getattr(user, "role", "")
    if role == Role.CADRE:
        return Demand.Source.CADRE if getattr(user, "cadre_id", None) == cadre.pk else None
    if role in (Role.PROVINCE_ORG, Role.CITY_ORG, Role.COUNTY_ORG, Role.TOWNSHIP, Role.UNIT):
        return Demand.Source.DEMANDER
    return None


def returns_flag_unit(*, days: int, profile: PolicyProfile) -> bool:
    """第十一条 不得抽调驻村干部返回单位工作: a cadre posted 回单位 on more days of a month than the profile's
    ``unit_return_days_per_month`` (default 0: any day) flags the dispatching unit."""
    return days > profile.unit_return_days_per_month
