"""Rules of the regulation about a cadre's dispatch."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from accounts.roles import Role
from zhucun.policy import profile_on

from .models import Cadre, Region, Unit

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


def term_end_for(term_start: dt.date) -> dt.date:
    """第三条: a cadre dispatched in 2018 serves ``term_years`` (3) years in the village. The term ends
    the day before the same date ``term_years`` later (2018-07-01 → 2021-06-30); 29 February maps to
    28 February."""
    years = profile_on(term_start).term_years
    try:
        anniversary = term_start.replace(year=term_start.year + years)
    except ValueError:  # 29 February into a non-leap year
        anniversary = term_start.replace(year=term_start.year + years, day=28) + dt.timedelta(days=1)
    return anniversary - dt.timedelta(days=1)


# --- 第三条: term adjustments --------------------------------------------------------------------


def may_request_adjustment(user: User | AnonymousUser, cadre: Cadre) -> bool:
    """第三条: 派出单位须写出书面申请 — the cadre's own dispatching unit, for a cadre in post."""
    return (
        getattr(user, "role", "") == Role.UNIT
        and getattr(user, "unit_id", None) == cadre.unit_id
        and cadre.status == Cadre.Status.ACTIVE
    )


def adjustment_decider(unit: Unit) -> tuple[str, str]:
    """第三条: 由同级党委组织部门审核批准 — (level, region code) of the unit's level's department
    (the same department that assesses and recalls its cadres, 第十二条)."""
    from zhucun.scoping import assessing_department

    return assessing_department(unit)


def may_decide_adjustment(user: User | AnonymousUser, unit: Unit) -> bool:
    from zhucun.scoping import department_of

    return department_of(user) == adjustment_decider(unit)


def adjustment_filed_with(unit: Unit) -> str:
    """第三条: 报上级组织部门备案 — the organization department one level above the decider, by name.
    Inside the system it sees the filed adjustment by its region scope (the city, the province)."""
    level, region_code = adjustment_decider(unit)
    if level == "county":
        city = Region.objects.filter(code=Region.prefix_of(region_code, Region.Level.CITY)).first()
        return f"{city.name if city else ''}委组织部"
    if level == "city":
        return "省委组织部"
    return "中央组织部"  # the province's own and central units' cadres: filed outside the system


# --- the end of a term: reminders and the handover ------------------------------------------------

#: days before the term's end when the unit and the organization department are reminded
TERM_END_REMINDER_DAYS = (90, 30)

#: what a cadre hands over when service in the village ends (期满、调整、召回): the records the
#: regulation asks the team to keep (第十五条2 档案, 第十五条5 扶贫工作手册和工作日志, 第七条 任务清单,
#: 第六条7–8 走访, 第十四条4 经费, 第十八条 党组织关系)
HANDOVER_ITEMS: tuple[tuple[str, str], ...] = (
    ("work_log", "《工作日志》和《扶贫工作手册》移交乡镇党委（第十五条5）"),
    ("task_list", "年度帮扶任务清单进展情况说明（第七条）"),
    ("households", "贫困户、非贫困户走访记录移交接替人员（第六条7–8）"),
    ("funds", "工作经费账目核对、经费负责人交接（第十四条4）"),
    ("party", "党组织关系转回原单位（第十八条）"),
    ("materials", "村级资料、办公用品等物品移交"),
)


def handover_due(cadre: Cadre, today: dt.date) -> bool:
    """The handover opens 30 days before the term ends, and whenever service ended otherwise."""
    return cadre.status != Cadre.Status.ACTIVE or (cadre.term_end - today).days <= TERM_END_REMINDER_DAYS[-1]


def may_record_handover(user: User | AnonymousUser) -> bool:
    """The township and the county manage cadres day to day (第十五条, 第十三条) and keep the file."""
    return getattr(user, "role", "") in (Role.TOWNSHIP, Role.COUNTY_ORG)
