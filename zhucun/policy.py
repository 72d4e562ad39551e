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
from typing import Any

from django.utils import timezone


@dataclasses.dataclass(frozen=True)
class PolicyProfile:
    """Values of one profile. Field comments name the article each value comes from."""

    name: str = "河北省2018年驻村干部管理办法"
    # 第三条: cadres dispatched in 2018 serve 3 years in the village.
    term_years: int = 3
    # 第五条: at least 25 days a month in the village; every village has a cadre on duty every day.
    min_days_in_village_per_month: int = 25
    # 第十九条2: a member's leave of up to 1 day is approved by the team leader …
    member_leave_team_leader_max_days: Decimal = Decimal("1")
    # … up to 3 days by the township party committee, beyond that by the county office.
    member_leave_township_max_days: Decimal = Decimal("3")
    # 第十九条2: a first secretary's / leader's leave of 2 days or more also needs the county office.
    leader_leave_county_from_days: Decimal = Decimal("2")
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
