"""The duties calendar's rules (issue 13; SPEC.md "Duties with deadlines"): every recurring duty the
regulation gives a body, citing its article, how often it falls due (from the policy profile), when each
period's obligation is due, who the body is, who fulfils it, and who hears when it is overdue.

This module is the *only* place these are decided; services and views ask it. Readings that the
regulation leaves open are docs/decisions/0110-duties-calendar.md:

* a duty done "每季度/每半年/每年" is due on the last day of its quarter, half year or year; a written
  report *on* a period is due ``duty_report_days_after_period`` days after it ends;
* the body of a unit's duty is the dispatching unit (its ``unit`` accounts); of an organization
  department's duty the department of that region and level (``province_org``/``city_org``/``county_org``
  accounts of the region); the county's duties (第十四条) are carried by its 驻村工作领导小组办公室 in the
  county organization department (第十四条1), so ``county_org`` accounts of the county; the township's
  by the township's accounts;
* a fulfilment is dated within the period (from its first day to its due date, or its last day when
  that is later) and not in the future: a meeting held after the quarter belongs to the next quarter.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from accounts.roles import Role
from cadres.models import Region
from zhucun.policy import PolicyProfile

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


class BodyType(models.TextChoices):
    UNIT = "unit", "派出单位"
    ORG = "org", "党委组织部门"
    COUNTY = "county", "县级党委、政府"
    TOWNSHIP = "township", "乡镇党委、政府"


#: The organization department's level by the length of its region code (第十二条, 第十三条).
ORG_LEVEL_OF_CODE = {2: "province", 4: "city", 6: "county"}
#: The account role of each organization department level (docs/decisions/0002-org-bodies.md).
ORG_ROLE_OF_LEVEL = {"province": Role.PROVINCE_ORG, "city": Role.CITY_ORG, "county": Role.COUNTY_ORG}
ORG_NAME_OF_LEVEL = {"province": "省委组织部", "city": "市委组织部", "county": "县委组织部"}


@dataclasses.dataclass(frozen=True)
class Duty:
    key: str
    title: str
    article: str
    #: the article's own words, shown on the obligation
    text: str
    body_type: str
    #: times a year: a number, or the name of the profile field that holds it
    per_year: int | str
    #: for organization departments: the levels the duty applies to
    levels: frozenset[str] = frozenset({"province", "city", "county"})
    #: a written report on the period: due some days after it ends (docs/decisions/0110)
    report: bool = False
    #: the system drafts the report from what it knows of the period (duties/reports.py)
    drafted: bool = False
    #: a profile field "MM-DD": the due day within the year (a yearly duty done early in the year)
    due_day_field: str = ""
    #: records elsewhere in the system that fulfil the obligation when they exist ("" none):
    #: ``work_log_checks`` (第十五条5: the township's checks of the 工作日志), ``county_opinions``
    #: (第十四条3: the county's recorded evaluation opinions)
    fulfilled_by_records: str = ""
    #: who answers for the body in an accountability record (第十七条, 第十条, 第十二条, 第十五条)
    responsible: str = ""


DUTIES: tuple[Duty, ...] = (
    # --- 第九条: the dispatching unit (派出单位帮扶责任) ---
    Duty(
        "unit_support_plan", "制定本单位帮扶工作计划", "第九条1",
        "制定本单位帮扶工作计划，发挥部门优势，加强资金、项目支持，指导驻村工作队制定年度自选任务清单。",
        BodyType.UNIT, 1, due_day_field="duty_unit_plan_due", responsible="派出单位主要负责同志",
    ),
    Duty(
        "unit_quarterly_study", "党组研究驻村帮扶工作并听取工作队汇报", "第九条2",
        "单位党组（党委）每季度至少研究1次驻村帮扶工作，听取1次驻村工作队工作情况汇报。",
        BodyType.UNIT, "duty_unit_study_per_year", responsible="派出单位主要负责同志",
    ),
    Duty(
        "unit_pairing", "督促帮扶责任人落实结对帮扶", "第九条3",
        "组织和督促本单位帮扶责任人落实结对帮扶贫困户职责。",
        BodyType.UNIT, "duty_unit_pairing_per_year", responsible="派出单位主要负责同志",
    ),
    Duty(
        "unit_halfyear_report", "向同级党委组织部门书面报告帮扶工作", "第九条4",
        "每半年向同级党委组织部门书面报告帮扶工作情况。",
        BodyType.UNIT, "duty_unit_report_per_year", report=True, drafted=True, responsible="派出单位主要负责同志",
    ),
    Duty(
        "unit_annual_excellent_report", "书面报告优秀驻村干部使用情况", "第九条5",
        "每年向同级党委组织部门书面报告优秀驻村干部使用情况。",
        BodyType.UNIT, 1, report=True, responsible="派出单位主要负责同志",
    ),
    Duty(
        "unit_benefits", "落实驻村干部相关待遇", "第九条6",
        "落实驻村干部相关待遇。",
        BodyType.UNIT, 1, responsible="派出单位主要负责同志",
    ),
    Duty(
        "unit_head_visit", "主要负责同志到帮扶村调研指导", "第十条",
        "派出单位主要负责同志每半年至少到帮扶村进行1次调研指导、协调解决重要问题。",
        BodyType.UNIT, "duty_unit_head_visits_per_year", responsible="派出单位主要负责同志",
    ),
    # --- 第十三条: the organization departments (组织部长是第一责任人, 第十二条) ---
    Duty(
        "org_annual_training", "驻村干部轮训", "第十三条4",
        "做好本级驻村干部教育培训工作，每年至少对驻村干部轮训1次，县级对各级驻村干部统筹轮训。",
        BodyType.ORG, "duty_org_training_per_year", responsible="组织部部长（第一责任人，第十二条）",
    ),
    Duty(
        "org_halfyear_report", "逐级报告驻村干部帮扶工作情况", "第十三条5",
        "市县党委组织部每半年分别逐级向省市党委组织部报告一次驻村干部帮扶工作情况。",
        BodyType.ORG, "duty_org_report_per_year", levels=frozenset({"city", "county"}), report=True, drafted=True,
        responsible="组织部部长（第一责任人，第十二条）",
    ),
    Duty(
        "org_annual_conference", "召开驻村帮扶工作会议", "第十三条7",
        "每年组织召开驻村帮扶工作会议，总结部署工作，交流经验，表扬先进。",
        BodyType.ORG, 1, responsible="组织部部长（第一责任人，第十二条）",
    ),
    # --- 第十四条: the county ---
    Duty(
        "county_quarterly_meeting", "召开驻村帮扶工作协调会议", "第十四条2",
        "每季度召开1次驻村帮扶工作协调会议，县（市、区）相关职能部门主要负责同志参加。",
        BodyType.COUNTY, "duty_county_meeting_per_year", responsible="县驻村工作领导小组组长",
    ),
    Duty(
        "county_evaluation_opinions", "对派出单位、工作队和驻村干部提出评价意见", "第十四条3",
        "对各级派出单位和驻村工作队、驻村干部帮扶工作提出评价意见，作为年度考核的重要依据。",
        BodyType.COUNTY, 1, fulfilled_by_records="county_opinions", responsible="县驻村工作领导小组组长",
    ),
    # --- 第十五条: the township (乡镇党委书记是直接责任人) ---
    Duty(
        "township_first_secretary_meeting", "召开第一书记工作会议", "第十五条3",
        "定期召开贫困村第一书记工作会议，听取情况汇报，交流经验做法，组织相关培训，协调解决问题。",
        BodyType.TOWNSHIP, "duty_township_meeting_per_year", responsible="乡镇党委书记（直接责任人，第十五条）",
    ),
    Duty(
        "township_log_check", "检查《扶贫工作手册》《工作日志》", "第十五条5",
        "定期检查驻村工作队和驻村干部《扶贫工作手册》《工作日志》。",
        BodyType.TOWNSHIP, "duty_township_log_check_per_year", fulfilled_by_records="work_log_checks",
        responsible="乡镇党委书记（直接责任人，第十五条）",
    ),
)  # fmt: skip

CATALOGUE: dict[str, Duty] = {duty.key: duty for duty in DUTIES}
DUTY_CHOICES = [(duty.key, duty.title) for duty in DUTIES]


# --- Periods and due dates ----------------------------------------------------------------------

_DIVISORS = (1, 2, 3, 4, 6, 12)
_CN_NUMBERS = "一二三四"


def periods_per_year(duty: Duty, profile: PolicyProfile) -> int:
    """How many times a year ``duty`` falls due under ``profile``: 0 (off) or a divisor of 12 — a value
    that does not divide the year is read as the next one that does (5 → 6)."""
    raw = duty.per_year if isinstance(duty.per_year, int) else int(getattr(profile, duty.per_year))
    if raw <= 0:
        return 0
    return next((n for n in _DIVISORS if n >= raw), 12)


@dataclasses.dataclass(frozen=True)
class Period:
    code: str
    label: str
    start: dt.date
    end: dt.date


def period_of(year: int, index: int, per_year: int) -> Period:
    """The ``index``-th (0-based) of ``per_year`` equal periods of ``year``."""
    months = 12 // per_year
    first_month = index * months + 1
    last_month = first_month + months - 1
    start = dt.date(year, first_month, 1)
    end = dt.date(year, last_month, calendar.monthrange(year, last_month)[1])
    if per_year == 1:
        return Period(str(year), f"{year}年度", start, end)
    if per_year == 2:
        return Period(f"{year}-H{index + 1}", f"{year}年{'上' if index == 0 else '下'}半年", start, end)
    if per_year == 4:
        return Period(f"{year}-Q{index + 1}", f"{year}年第{_CN_NUMBERS[index]}季度", start, end)
    if per_year == 12:
        return Period(f"{year}-M{first_month:02d}", f"{year}年{first_month}月", start, end)
    return Period(f"{year}-P{per_year}.{index + 1}", f"{year}年{first_month}—{last_month}月", start, end)


def periods(duty: Duty, year: int, profile: PolicyProfile) -> list[Period]:
    per_year = periods_per_year(duty, profile)
    return [period_of(year, index, per_year) for index in range(per_year)]


def due_date(duty: Duty, period: Period, profile: PolicyProfile) -> dt.date:
    """When the period's obligation is due (docs/decisions/0110): its last day; a report on the period
    some days after it; a yearly duty with a due day of its own (the unit's plan) on that day."""
    if duty.due_day_field:
        month, day = (int(part) for part in str(getattr(profile, duty.due_day_field)).split("-"))
        try:
            return dt.date(period.start.year, month, day)
        except ValueError:  # 02-29 in a common year
            return dt.date(period.start.year, month, calendar.monthrange(period.start.year, month)[1])
    if duty.report:
        return period.end + dt.timedelta(days=max(0, profile.duty_report_days_after_period))
    return period.end


def fulfil_window(*, period_start: dt.date, period_end: dt.date, due: dt.date) -> tuple[dt.date, dt.date]:
    """The days a fulfilment may be dated: within the period, up to its due date when that is later."""
    return period_start, max(period_end, due)


def check_fulfil_date(
    *, day: dt.date, period_start: dt.date, period_end: dt.date, due: dt.date, today: dt.date, period_label: str
) -> None:
    """ValidationError (Chinese, on ``date``) unless ``day`` lies in the fulfil window and not after today."""
    first, last = fulfil_window(period_start=period_start, period_end=period_end, due=due)
    if day > today:
        raise ValidationError({"date": [f"履职日期不能晚于今天（{today:%Y-%m-%d}），请填写实际完成的日期。"]})
    if not first <= day <= last:
        raise ValidationError(
            {
                "date": [
                    f"履职日期应在{period_label}内（{first:%Y-%m-%d} 至 {last:%Y-%m-%d}）；"
                    "在此之后完成的，属于下一期的履职，请在下一期登记。"
                ]
            }
        )


def reminder_days(profile: PolicyProfile) -> tuple[int, ...]:
    """The days before a due date on which the body is reminded, largest first ("7,1" → (7, 1))."""
    days = {int(part) for part in str(profile.duty_reminder_days).split(",") if part.strip().isdigit()}
    return tuple(sorted((d for d in days if d > 0), reverse=True))


# --- Which bodies carry which duties ------------------------------------------------------------


def applies_to_org_level(duty: Duty, level: str) -> bool:
    return duty.body_type != BodyType.ORG or level in duty.levels


def org_level_of(code: str) -> str:
    return ORG_LEVEL_OF_CODE.get(len(code), "")


def unit_region_code(unit_level: str, unit_region_id: str | None) -> str:
    """The org-tree key of a unit's obligations: the region of its level's organization department (the
    province for central units, 第三十一条), so the department that manages the unit sees them by prefix
    (第十二条 谁选派谁管理) and the levels above too."""
    if unit_level in ("central", "province") or not unit_region_id:
        return str(settings.ZHUCUN_PROVINCE_CODE)
    return str(unit_region_id)


def body_accounts(body_type: str, *, region_code: str = "", unit_id: int | None = None) -> tuple[str, str | int]:
    """(role, region code or unit id) of the accounts that *are* the body and fulfil its obligations."""
    if body_type == BodyType.UNIT:
        return "unit", int(unit_id or 0)
    if body_type == BodyType.ORG:
        return ORG_ROLE_OF_LEVEL.get(org_level_of(region_code), ""), region_code
    if body_type == BodyType.COUNTY:
        return "county_org", region_code  # 第十四条1: 办公室设在党委组织部
    return "township", region_code


def is_body(user: User | AnonymousUser, obligation: Any) -> bool:
    """Whether ``user`` is the body of ``obligation`` (only the body fulfils it, API.md)."""
    role, key = body_accounts(obligation.body_type, region_code=obligation.region_code, unit_id=obligation.unit_id)
    if getattr(user, "role", "") != role:
        return False
    if role == Role.UNIT:
        unit_id = getattr(user, "unit_id", None)
        return bool(unit_id) and unit_id == key
    return str(getattr(user, "region_id", "") or "") == key


def level_above(obligation: Any) -> tuple[str, str] | None:
    """(role, region code) of the department that hears of an overdue obligation (the level above the
    body, 第十二条, 第十三条): a unit's organization department; a county's or township's, and a county
    department's, the department one level up; a city department's the province; none above the province."""
    province = str(settings.ZHUCUN_PROVINCE_CODE)
    code = obligation.region_code
    if obligation.body_type == BodyType.UNIT:
        level = org_level_of(code) or "province"
        return ORG_ROLE_OF_LEVEL[level], code
    if obligation.body_type == BodyType.TOWNSHIP:
        return Role.COUNTY_ORG, Region.county_of(code)
    if obligation.body_type == BodyType.COUNTY:
        return Role.CITY_ORG, Region.city_of(code)
    level = org_level_of(code)
    if level == "county":
        return Role.CITY_ORG, Region.city_of(code)
    if level == "city":
        return Role.PROVINCE_ORG, province
    return None


def body_name(body_type: str, *, region_name: str = "", unit_name: str = "", region_code: str = "") -> str:
    """How the body is named on pages and in documents."""
    if body_type == BodyType.UNIT:
        return unit_name
    if body_type == BodyType.ORG:
        if org_level_of(region_code) == "province":
            return ORG_NAME_OF_LEVEL["province"]
        return f"{region_name}委组织部"
    return f"{region_name}党委、政府"


def accountability_prefill(duty: Duty, *, body: str, period_label: str, due: dt.date) -> dict[str, str]:
    """What an accountability record (第十七条) for an overdue obligation starts with."""
    return {
        "target_type": "unit" if duty.body_type == BodyType.UNIT else "person",
        "person_name": "" if duty.body_type == BodyType.UNIT else f"{body}{duty.responsible}",
        "failed_duty": f"{duty.title}（{duty.article}，{period_label}）"[:300],
        "facts": (
            f"{body}未在 {due:%Y-%m-%d} 前履行{duty.article}规定的职责：{duty.text}"
            f"截至登记时，系统中没有该项职责{period_label}的履职记录。"
        )[:4000],
    }
