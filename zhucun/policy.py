"""The policy profile: every number and threshold of the regulation, in one place, citing its article.

The code default is the 2018 Hebei regulation (冀办字〔2018〕50号). Another province or the 2021
national template changes values through a dated ``PolicyProfileVersion`` row, never through code.
Rules modules (leave/policies.py, assessment/rules.py, …) read their numbers from here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils import timezone

if TYPE_CHECKING:
    from accounts.models import User


@dataclasses.dataclass(frozen=True)
class PolicyProfile:
    """Values of one profile. Field comments name the article each value comes from."""

    name: str = "河北省2018年驻村干部管理办法"
    # 第三条: cadres dispatched in 2018 serve 3 years in the village.
    term_years: int = 3
    # 第五条: at least 25 days a month in the village; every village has a cadre on duty every day.
    min_days_in_village_per_month: int = 25
    # A yearly minimum instead (the 2021 national template: 200 days a year; 0: none). When set, it is
    # the rule the dashboards judge by (attendance/rules.py, docs/decisions/0078).
    min_days_in_village_per_year: int = 0
    # 第十九条2: a member's leave of up to 1 day is approved by the team leader …
    member_leave_team_leader_max_days: Decimal = Decimal("1")
    # … up to 3 days by the township party committee, beyond that by the county office.
    member_leave_township_max_days: Decimal = Decimal("3")
    # 第十九条2: a first secretary's / leader's leave of 2 days or more also needs the county office.
    leader_leave_county_from_days: Decimal = Decimal("2")
    # 第十九条2 须经乡镇党委同意: the township consents before the county office approves a leader's longer
    # leave (off: the county office alone, as in the 2021 national template).
    leader_leave_township_consent: bool = True
    # 第十九条2: approvers answer within half a day, read as office hours on the working calendar.
    approval_deadline_office_hours: Decimal = Decimal("4")
    # 第二十条2: three absences without approved leave, cumulative, lead to recall.
    recall_absence_findings: int = 3
    # 第二十条: a recalled cadre gets no awards for 1 year and no promotion for 2 years.
    recall_no_awards_years: int = 1
    recall_no_promotion_years: int = 2
    # 第二十二条: 优秀 at most 40% of the level's teams, and of its cadres.
    excellent_ratio: Decimal = Decimal("0.40")
    # 第二十七条: 80,000 yuan a year per team from the finance of its dispatching level.
    team_funds_yuan_per_year: int = 80_000
    # 第十四条4: expenses reimbursed at least every two months.
    reimbursement_interval_months: int = 2
    # Light on the cadres (SPEC.md): raw sign-in coordinates are erased after this many days.
    coordinate_retention_days: int = 90
    # 第十九条1: daily sign-in "在固定时间段" — the province's window (Asia/Shanghai, "HH:MM").
    signin_window_start: str = "06:00"
    signin_window_end: str = "09:30"
    # Sign-ins after the window are accepted as 迟到 until this time; later ones are refused.
    signin_late_until: str = "23:59"
    # Geofence radius (metres) for a village that has none of its own.
    default_geofence_radius_m: int = 1000
    # SPEC.md "Leave": office hours of the working calendar on which "half a day" is counted.
    office_hours: str = "08:30-12:00,14:30-18:00"
    # 第二十九条: paid annual leave is approved by the township and the unit's HR (a flag, so a
    # province can drop the unit step).
    annual_leave_needs_unit_hr: bool = True
    # Recall by leave: some templates recall a cadre with more than N days of leave a year (0: off).
    recall_leave_days_per_year: int = 0
    # 第二十五条: "较大范围" of teams rated 一般 or below in a county flags its score reduction, as a share.
    county_poor_team_share_flag: Decimal = Decimal("0.20")
    # 第二十五条: 驻村工作队的评价意见占有一定权重 — the share of a county's and a dispatching unit's yearly
    # assessment that the teams' evaluation opinions carry (the article leaves the number to the
    # departments' 具体办法; a provisional default, docs/decisions/0137).
    team_opinion_weight: Decimal = Decimal("0.20")
    # --- Duties with deadlines (duties/catalogue.py): how many times a year each recurring duty falls
    # due. A number of times a year divides the year into equal periods (4: quarters, 2: halves); a
    # number that does not divide 12 is read as the next one that does; 0 switches the duty off.
    # 第九条1: the dispatching unit's support plan for the year, due by this day of the year ("MM-DD").
    duty_unit_plan_due: str = "03-31"
    # 第九条2: 单位党组（党委）每季度至少研究1次驻村帮扶工作，听取1次驻村工作队工作情况汇报.
    duty_unit_study_per_year: int = 4
    # 第九条3: organizing and checking the pairing of 帮扶责任人 with poor households (no frequency in the
    # article: once a year by default).
    duty_unit_pairing_per_year: int = 1
    # 第九条4: 每半年向同级党委组织部门书面报告帮扶工作情况.
    duty_unit_report_per_year: int = 2
    # 第十条: 派出单位主要负责同志每半年至少到帮扶村进行1次调研指导.
    duty_unit_head_visits_per_year: int = 2
    # 第十三条4: 每年至少对驻村干部轮训1次.
    duty_org_training_per_year: int = 1
    # 第十三条5: 市县党委组织部每半年分别逐级向省市党委组织部报告一次.
    duty_org_report_per_year: int = 2
    # 第十四条2: 每季度召开1次驻村帮扶工作协调会议.
    duty_county_meeting_per_year: int = 4
    # 第十五条3: 定期召开贫困村第一书记工作会议 — "定期" set by the province (quarterly by default).
    duty_township_meeting_per_year: int = 4
    # 第十五条5: 定期检查《扶贫工作手册》《工作日志》 (quarterly by default).
    duty_township_log_check_per_year: int = 4
    # A written report on a period (第九条4, 第九条5, 第十三条5) is due this many days after the period
    # ends: it reports on the whole period (docs/decisions/0110).
    duty_report_days_after_period: int = 15
    # Reminders to the body this many days before a due date (issue 13: 7 days and 1 day).
    duty_reminder_days: str = "7,1"
    # 第十三条3 随机抽查: at most this many random presence checks per cadre per calendar month — the national
    # rules against 指尖上的形式主义 forbid making a check-in a daily ritual (docs/decisions/0120).
    presence_checks_per_cadre_per_month: int = 4
    # … and the time a cadre is given to answer one, in minutes (the bounds the issuer chooses within).
    presence_check_min_minutes: int = 10
    presence_check_max_minutes: int = 120
    # 第十一条 不得抽调驻村干部返回单位工作: a dispatching unit whose cadre is posted 回单位 on more than this
    # many days of a month is flagged (0: any day; docs/decisions/0124).
    unit_return_days_per_month: int = 0
    # 第六条7: 每月到贫困户家中走访 — a poor household is visited every calendar month (1: each month).
    poor_household_visit_months: int = 1
    # 第六条8: 一般每2个月应走访一遍常住非贫困户 — a resident non-poor household within every two calendar
    # months (households/rules.py, docs/decisions/0130).
    non_poor_household_visit_months: int = 2

    def with_overrides(self, overrides: dict[str, Any]) -> PolicyProfile:
        known = {field.name: field for field in dataclasses.fields(self)}
        values: dict[str, Any] = {}
        for key, raw in overrides.items():
            if key not in known:
                raise ValueError(f"unknown policy value {key!r}")
            current = getattr(self, key)
            if isinstance(current, bool):
                values[key] = raw if isinstance(raw, bool) else str(raw).lower() in {"1", "true", "yes"}
            elif isinstance(current, Decimal):
                values[key] = Decimal(str(raw))
            else:
                values[key] = type(current)(raw)
        return dataclasses.replace(self, **values)


HEBEI_2018 = PolicyProfile()


# --- Presets: whole sets of the regulation's numbers a deployment switches to (decision 0078) ---------

#: The values a regulation sets. Applying a preset replaces these and keeps the deployment's operational
#: settings (sign-in window, office hours, geofence, retention) as they are.
REGULATION_FIELDS = (
    "term_years",
    "min_days_in_village_per_month",
    "min_days_in_village_per_year",
    "member_leave_team_leader_max_days",
    "member_leave_township_max_days",
    "leader_leave_county_from_days",
    "leader_leave_township_consent",
    "approval_deadline_office_hours",
    "recall_absence_findings",
    "recall_no_awards_years",
    "recall_no_promotion_years",
    "recall_leave_days_per_year",
    "excellent_ratio",
    "team_funds_yuan_per_year",
    "reimbursement_interval_months",
    "annual_leave_needs_unit_hr",
    "county_poor_team_share_flag",
    "team_opinion_weight",
    "duty_unit_plan_due",
    "duty_unit_study_per_year",
    "duty_unit_pairing_per_year",
    "duty_unit_report_per_year",
    "duty_unit_head_visits_per_year",
    "duty_org_training_per_year",
    "duty_org_report_per_year",
    "duty_county_meeting_per_year",
    "duty_township_meeting_per_year",
    "duty_township_log_check_per_year",
    "duty_report_days_after_period",
    "poor_household_visit_months",
    "non_poor_household_visit_months",
)


@dataclasses.dataclass(frozen=True)
class Preset:
    """A named set of the regulation's numbers, stored in a ``PolicyProfileVersion`` when applied."""

    name: str
    basis: str
    values: dict[str, Any]


def _json(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


PRESETS: dict[str, Preset] = {
    "hebei_2018": Preset(
        name=HEBEI_2018.name,
        basis="冀办字〔2018〕50号《河北省扶贫脱贫驻村干部管理办法》",
        values={field: _json(getattr(HEBEI_2018, field)) for field in REGULATION_FIELDS},
    ),
    # SPEC.md "The regulation's numbers are a policy profile": the 2021 national template (中办《关于
    # 向重点乡村持续选派驻村第一书记和工作队的意见》, 2021): at least 200 days a year in the village; the
    # township approves leave up to 5 days, the county organization department beyond (no team-leader
    # step, no township consent before the county); more than 30 days of leave in a year leads to recall;
    # a 2-year term. Numbers it does not change keep the 2018 values.
    "national_2021": Preset(
        name="2021年全国驻村第一书记和工作队模板",
        basis="SPEC.md：2021年全国模板（每年在村不少于200天；乡镇审批5天以内请假，县委组织部审批5天以上；"
        "年累计请假超过30天召回；任期2年）",
        values={
            **{field: _json(getattr(HEBEI_2018, field)) for field in REGULATION_FIELDS},
            "term_years": 2,
            "min_days_in_village_per_month": 0,
            "min_days_in_village_per_year": 200,
            "member_leave_team_leader_max_days": "0",
            "member_leave_township_max_days": "5",
            # "5天以上" is beyond 5; durations are counted in half days, so beyond 5 is from 5.5.
            "leader_leave_county_from_days": "5.5",
            "leader_leave_township_consent": False,
            "recall_leave_days_per_year": 30,
        },
    ),
}


def profile_preset_apply(*, actor: User | None, preset: str, effective_from: dt.date, basis: str = "") -> Any:
    """Switch the deployment to ``preset`` from ``effective_from`` (SPEC.md: profiles change only with a
    record of who changed what and when, and apply from a date): a new ``PolicyProfileVersion`` whose
    values are those in force that day with the preset's regulation numbers over them, and its audit
    event. Raises ValueError (Chinese) for an unknown preset."""
    from django.db import transaction

    from zhucun.audit import audit_record, snapshot
    from zhucun.models import PolicyProfileVersion

    if preset not in PRESETS:
        raise ValueError(f"未知的政策模板「{preset}」，可选：{'、'.join(PRESETS)}。")
    chosen = PRESETS[preset]
    HEBEI_2018.with_overrides(chosen.values)  # a preset with a wrong value fails here, not when read
    with transaction.atomic():
        current = (
            PolicyProfileVersion.objects.filter(effective_from__lte=effective_from)
            .order_by("-effective_from", "-id")
            .first()
        )
        version = PolicyProfileVersion.objects.create(
            name=chosen.name,
            effective_from=effective_from,
            overrides={**(current.overrides if current else {}), **chosen.values},
            basis=(basis or chosen.basis)[:200],
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(
            actor=actor,
            action="policy_profile.apply",
            obj=version,
            before={"name": current.name, "overrides": current.overrides} if current else None,
            after={**snapshot(version, ["name", "effective_from", "overrides", "basis"]), "preset": preset},
        )
    return version


#: day → (monotonic expiry, profile). The sign-in hot path reads the profile on every request; the
#: table changes a few times a year and saving a version clears this (zhucun/apps.py).
_CACHE: dict[dt.date, tuple[float, PolicyProfile]] = {}
_CACHE_SECONDS = 60.0


def profile_cache_clear(**_: Any) -> None:
    _CACHE.clear()


def profile_on(day: dt.date | None = None) -> PolicyProfile:
    """The profile in force on ``day`` (today in Asia/Shanghai when omitted): the newest version
    whose ``effective_from`` is not after the day, applied over the Hebei 2018 default."""
    day = day or timezone.localdate()
    cached = _CACHE.get(day)
    now = time.monotonic()
    if cached is not None and cached[0] > now:
        return cached[1]
    profile = _load_profile(day)
    _CACHE[day] = (now + _CACHE_SECONDS, profile)
    return profile


def _load_profile(day: dt.date) -> PolicyProfile:
    from zhucun.models import PolicyProfileVersion

    version = PolicyProfileVersion.objects.filter(effective_from__lte=day).order_by("-effective_from", "-id").first()
    if version is None:
        return HEBEI_2018
    return dataclasses.replace(HEBEI_2018.with_overrides(version.overrides), name=version.name)


def profiles_on(days: list[dt.date]) -> dict[dt.date, PolicyProfile]:
    """The profile in force on each of ``days`` (as ``profile_on``) in one query whatever the number of
    days: a file that spans a term's months (archive/, decision 0132)."""
    from zhucun.models import PolicyProfileVersion

    if not days:
        return {}
    versions = list(
        PolicyProfileVersion.objects.filter(effective_from__lte=max(days))
        .order_by("-effective_from", "-id")
        .values_list("effective_from", "name", "overrides")
    )
    result: dict[dt.date, PolicyProfile] = {}
    built: dict[int, PolicyProfile] = {}
    for day in days:
        index = next((i for i, (start, _, _) in enumerate(versions) if start <= day), None)
        if index is None:
            result[day] = HEBEI_2018
            continue
        if index not in built:
            _, name, overrides = versions[index]
            built[index] = dataclasses.replace(HEBEI_2018.with_overrides(overrides), name=name)
        result[day] = built[index]
    return result
