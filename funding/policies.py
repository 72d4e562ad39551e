"""The rules of team funds, each in one place (第十四条4, 第二十七条).

* who keeps a team's account: the organization department of the county where the team is stationed
  (第十四条4 统筹管理各级拨付的驻村工作经费，专账核算、专人负责);
* who books an expense: the keeper, or the team's own leader (队长 / 第一书记兼队长) for the team's
  day-to-day spending;
* what an amount and a date may be; which categories are surplus uses (第二十七条 结余部分);
* when an unreimbursed expense is overdue (第十四条4 至少每两个月报销1次).

Services call these; views and serializers never re-decide them.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

from accounts.roles import Role
from cadres.models import Cadre, Region, Team
from zhucun.policy import PolicyProfile

from .models import SURPLUS_CATEGORIES, Category, SourceLevel

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

#: No single entry is larger than this: a typo guard (the year's allocation is 80,000 yuan).
MAX_ENTRY_YUAN = Decimal("10000000")
#: What a person types for an amount: digits with an optional decimal part (no exponents, no NaN).
_PLAIN_NUMBER = re.compile(r"-?\d{1,12}(\.\d{1,6})?")
#: The regulation took effect in 2018; no team account is older.
FIRST_YEAR = 2018


def keeper_county_code(team: Team) -> str:
    """The county whose organization department keeps ``team``'s account (第十四条4)."""
    return Region.prefix_of(team.village_id, Region.Level.COUNTY)


def is_keeper(user: User | AnonymousUser, team: Team) -> bool:
    """The county organization department of the team's stationing county — its own region, not a
    region lent by a grant (grants lend inspection, not bookkeeping)."""
    return (
        getattr(user, "is_authenticated", False)
        and getattr(user, "role", "") == Role.COUNTY_ORG
        and str(getattr(user, "region_id", "")) == keeper_county_code(team)
    )


def is_team_leader(user: User | AnonymousUser, team: Team) -> bool:
    """The team's own leader, in post, books the team's expenses from the phone."""
    cadre: Cadre | None = getattr(user, "cadre", None) if getattr(user, "role", "") == Role.CADRE else None
    return cadre is not None and cadre.team_id == team.pk and cadre.is_leader and cadre.status == Cadre.Status.ACTIVE


def may_book_expense(user: User | AnonymousUser, team: Team) -> bool:
    return is_keeper(user, team) or is_team_leader(user, team)


def clean_amount(value: Any, *, field: str = "amount") -> Decimal:
    """A positive amount in yuan with at most two decimals (fen), below the typo guard."""
    text = format(value, "f") if isinstance(value, Decimal) and value.is_finite() else str(value).strip()
    match = _PLAIN_NUMBER.fullmatch(text)
    if match is None:
        raise ValidationError({field: ["金额应为数字，单位为元，例如 1250.50。"]})
    try:
        amount = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only plain decimals
        raise ValidationError({field: ["金额应为数字，单位为元，例如 1250.50。"]}) from None
    if amount <= 0:
        raise ValidationError({field: ["金额必须大于 0 元。"]})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field: ["金额最多精确到分（小数点后两位）。"]})
    if amount > MAX_ENTRY_YUAN:
        raise ValidationError({field: [f"单笔金额不能超过 {MAX_ENTRY_YUAN:,.0f} 元，请核对。"]})
    return amount.quantize(Decimal("0.01"))


def clean_entry_date(day: dt.date, *, year: int, today: dt.date, field: str = "date") -> dt.date:
    """An entry's date lies in its account's year and not in the future."""
    if day > today:
        raise ValidationError({field: ["日期不能晚于今天。"]})
    if day.year != year:
        raise ValidationError({field: [f"日期应在 {year} 年内。"]})
    return day


def clean_year(year: int, *, today: dt.date, field: str = "year") -> int:
    """Accounts exist from the regulation's first year to next year (allocations announced ahead)."""
    if not FIRST_YEAR <= year <= today.year + 1:
        raise ValidationError({field: [f"年度应在 {FIRST_YEAR} 年至 {today.year + 1} 年之间。"]})
    return year


def default_source_level(team: Team) -> str:
    """第二十七条 由各级财政负责，每年为每个本级驻村工作队安排工作经费: the finance of the team's
    dispatching level pays; central units' teams are funded by the province (第三十一条)."""
    level = team.unit.level
    return SourceLevel.PROVINCE if level in ("central", "province") else str(level)


def default_allocation(profile: PolicyProfile) -> Decimal:
    return Decimal(profile.team_funds_yuan_per_year)


def is_surplus_use(category: str) -> bool:
    """第二十七条: 结余部分，可用于帮扶村公益事业支出和帮扶、慰问贫困户 (docs/decisions/0090)."""
    return category in SURPLUS_CATEGORIES


def check_category(category: str) -> str:
    if category not in Category.values:
        raise ValidationError({"category": ["支出类别不在第二十七条列明的范围内，请从列表中选择。"]})
    return category


def overdue_before(*, today: dt.date, profile: PolicyProfile) -> dt.date:
    """An unreimbursed expense dated before this day has waited longer than the interval
    (第十四条4 至少每两个月报销1次): ``today`` minus the profile's months, clamped to month ends."""
    months = profile.reimbursement_interval_months
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    month += 1
    last_day = _days_in_month(year, month)
    return dt.date(year, month, min(today.day, last_day))


def _days_in_month(year: int, month: int) -> int:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return (following - dt.timedelta(days=1)).day


# --- 第二十八条: accident insurance -------------------------------------------------------------


def first_uncovered_day(
    *, term_start: dt.date, until: dt.date, covers: list[tuple[dt.date, dt.date]]
) -> dt.date | None:
    """The first day from ``term_start`` to ``until`` (inclusive) that no cover period includes, or None
    when every day is covered (第二十八条: every cadre insured for every day of the term)."""
    day = term_start
    for start, end in sorted(covers):
        if day > until:
            return None
        if start > day:
            return day
        day = max(day, end + dt.timedelta(days=1))
    return day if day <= until else None


#: how far ahead a lapse is flagged, so the next policy can be bought in time
INSURANCE_LOOKAHEAD_DAYS = 30
