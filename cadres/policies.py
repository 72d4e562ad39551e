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


# --- 第十八条: party membership and the first secretary as village party secretary -------------------
# Each rule returns its refusal (a Chinese sentence) or "" when allowed, so the services raise it (403)
# and the pages ask the same function whether to show a form.

#: 第十八条 驻村党员干部: the roles that may lead a village's party organization as its secretary
FIRST_SECRETARY_ROLES = (Cadre.Role.FIRST_SECRETARY, Cadre.Role.FIRST_SECRETARY_LEADER)


def _is_township_of(user: User | AnonymousUser, village_code: str) -> bool:
    """The township party committee of the village: it leads the village's party organization
    (第十五条) — its own township only, never a region lent to it for an inspection."""
    return getattr(user, "role", "") == Role.TOWNSHIP and str(getattr(user, "region_id", "")) == Region.township_of(
        village_code
    )


def party_transfer_record_refusal(user: User | AnonymousUser, cadre: Cadre) -> str:
    """第十八条: the transfer is recorded by the cadre's dispatching unit (its party organization issues
    the letter) or by the township party committee of the village (which receives it)."""
    if getattr(user, "role", "") == Role.UNIT and getattr(user, "unit_id", None) == cadre.unit_id:
        return ""
    if _is_township_of(user, cadre.team.village_id):
        return ""
    return "党组织关系转接由干部的派出单位或驻在村所在乡镇党委登记（第十八条）。"


def party_transfer_confirm_refusal(user: User | AnonymousUser, village_code: str) -> str:
    """第十八条: the township party committee of the village confirms that the village's party
    organization received the membership."""
    if _is_township_of(user, village_code):
        return ""
    return "党组织关系转入须由驻在村所在乡镇党委确认（第十八条）。"


def party_secretary_township_refusal(user: User | AnonymousUser, village_code: str) -> str:
    """第十八条: 乡镇党委…通过直接任命的方式 — the village's township party committee proposes, decides and
    ends the appointment."""
    if _is_township_of(user, village_code):
        return ""
    return "第一书记兼任村党组织书记由村所在乡镇党委提出和任命（第十八条）。"


#: who consents (第十八条 征得第一书记和派出单位党组（党委）同意)
CONSENT_PARTIES = {"first_secretary": "第一书记本人", "unit": "派出单位党组（党委）"}


def party_secretary_consent_refusal(user: User | AnonymousUser, cadre: Cadre, party: str) -> str:
    """第十八条: the first secretary consents for themselves (their own account), the dispatching unit's
    party group through the unit's account."""
    if party == "first_secretary":
        if getattr(user, "role", "") == Role.CADRE and getattr(user, "cadre_id", None) == cadre.pk:
            return ""
        return "第一书记本人的同意须由其本人在系统中确认（第十八条）。"
    if getattr(user, "role", "") == Role.UNIT and getattr(user, "unit_id", None) == cadre.unit_id:
        return ""
    return f"派出单位党组（党委）的同意须由「{cadre.unit.name}」记录（第十八条）。"


def party_secretary_candidate_error(cadre: Cadre) -> str:
    """第十八条: only a first secretary in post can be appointed to lead the village's party organization."""
    if cadre.role not in FIRST_SECRETARY_ROLES:
        return f"{cadre.name}是{cadre.get_role_display()}，只有第一书记可以兼任村党组织书记（第十八条）。"
    if cadre.status != Cadre.Status.ACTIVE:
        return f"{cadre.name}当前{cadre.get_status_display()}，不能兼任村党组织书记。"
    return ""
