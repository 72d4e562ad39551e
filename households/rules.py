"""The rules of households and visits, each in one place (第六条7–8).

* 第六条7 每月到贫困户家中走访，记录核实月收入情况，了解“三保障”状况: a poor household is visited every
  calendar month (the profile's ``poor_household_visit_months``), and its visit records the month's
  income and the 三保障 (义务教育、基本医疗、住房安全有保障) — required;
* 第六条8 一般每2个月应走访一遍常住非贫困户: a resident non-poor household at least once in every
  ``non_poor_household_visit_months`` calendar months; a non-resident non-poor household has no cadence;
* when a visit is *due* and when it is *overdue* (docs/decisions/0130);
* what a visit's date and income may be.

Periods are calendar months (Asia/Shanghai). With N the household's cadence in months and M the first
day of the current month:

* **due** — no visit since the first day of the month N−1 months before M (poor, N=1: none this month;
  resident non-poor, N=2: none this month or last month);
* **overdue** — a whole window of N calendar months passed after registration without a visit: the
  latest visit (or, never visited, the registration date) lies before the first day of the month N
  months before M. The month a household is registered in is a grace period.

Selectors turn these cut-off dates into one SQL condition; services and jobs call them too.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q

from zhucun.policy import PolicyProfile

#: A month's income above this is a typo (a household's whole year, or fen for yuan), not a reading.
MAX_MONTHLY_INCOME_YUAN = Decimal("100000")
_PLAIN_NUMBER = re.compile(r"-?\d{1,12}(\.\d{1,6})?")
_PHONE = re.compile(r"^[0-9][0-9-]{6,19}$")

POOR, NON_POOR = "poor", "non_poor"
KIND_LABELS = {POOR: "贫困户", NON_POOR: "非贫困户"}


def month_start(day: dt.date, months_back: int = 0) -> dt.date:
    """The first day of the month ``months_back`` calendar months before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - months_back
    return dt.date(index // 12, index % 12 + 1, 1)


def cadence_months(*, kind: str, resident: bool, profile: PolicyProfile) -> int | None:
    """第六条7–8: the household's cadence in calendar months; None when it has none (non-resident
    non-poor: 第六条8 names the resident households)."""
    if kind == POOR:
        return max(1, profile.poor_household_visit_months)
    if resident:
        return max(1, profile.non_poor_household_visit_months)
    return None


@dataclasses.dataclass(frozen=True)
class Cutoffs:
    """The dates that decide, on ``today``, which households are due and overdue (module docstring)."""

    today: dt.date
    poor_due_before: dt.date
    poor_overdue_before: dt.date
    non_poor_due_before: dt.date
    non_poor_overdue_before: dt.date

    def due_q(self, prefix: str = "") -> Q:
        """Households whose visit is due: no visit since the cut-off of their kind."""
        kind, resident, last = f"{prefix}kind", f"{prefix}resident", f"{prefix}last_visit_on"
        never = Q(**{f"{last}__isnull": True})

        def older(before: dt.date) -> Q:
            return never | Q(**{f"{last}__isnull": False, f"{last}__lt": before})

        return Q(**{kind: POOR}) & older(self.poor_due_before) | Q(**{kind: NON_POOR, resident: True}) & older(
            self.non_poor_due_before
        )

    def overdue_q(self, prefix: str = "") -> Q:
        """Households whose window passed with no visit (never visited: counted from registration)."""
        kind, resident = f"{prefix}kind", f"{prefix}resident"
        last, registered = f"{prefix}last_visit_on", f"{prefix}registered_on"

        def missed(before: dt.date) -> Q:
            # both sides guard the null (SQL's NULL < date is neither true nor false)
            visited = Q(**{f"{last}__isnull": False, f"{last}__lt": before})
            return visited | Q(**{f"{last}__isnull": True, f"{registered}__lt": before})

        return Q(**{kind: POOR}) & missed(self.poor_overdue_before) | Q(**{kind: NON_POOR, resident: True}) & missed(
            self.non_poor_overdue_before
        )

    def status(self, *, kind: str, resident: bool, last_visit_on: dt.date | None, registered_on: dt.date) -> str:
        """``overdue``, ``due``, ``done`` (visited within the period) or ``none`` (no cadence) for one
        household — the same decision as the two Q objects, for a page that already has the row."""
        if kind == POOR:
            due_before, overdue_before = self.poor_due_before, self.poor_overdue_before
        elif resident:
            due_before, overdue_before = self.non_poor_due_before, self.non_poor_overdue_before
        else:
            return "none"
        if (last_visit_on or registered_on) < overdue_before:
            return "overdue"
        if last_visit_on is None or last_visit_on < due_before:
            return "due"
        return "done"


def cutoffs(*, today: dt.date, profile: PolicyProfile) -> Cutoffs:
    poor = max(1, profile.poor_household_visit_months)
    non_poor = max(1, profile.non_poor_household_visit_months)
    return Cutoffs(
        today=today,
        poor_due_before=month_start(today, poor - 1),
        poor_overdue_before=month_start(today, poor),
        non_poor_due_before=month_start(today, non_poor - 1),
        non_poor_overdue_before=month_start(today, non_poor),
    )


# --- a visit's content ---------------------------------------------------------------------------


def clean_income(value: Any, *, field: str = "monthly_income") -> Decimal:
    """第六条7 记录核实月收入: yuan with at most two decimals, zero or more, below the typo guard."""
    text = format(value, "f") if isinstance(value, Decimal) and value.is_finite() else str(value).strip()
    if _PLAIN_NUMBER.fullmatch(text) is None:
        raise ValidationError({field: ["当月收入应为数字，单位为元，例如 1850 或 1850.50。"]})
    try:
        amount = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only plain decimals
        raise ValidationError({field: ["当月收入应为数字，单位为元。"]}) from None
    if amount < 0:
        raise ValidationError({field: ["当月收入不能为负数；没有收入请填 0。"]})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field: ["当月收入最多精确到分（小数点后两位）。"]})
    if amount > MAX_MONTHLY_INCOME_YUAN:
        raise ValidationError(
            {field: [f"当月收入超过 {MAX_MONTHLY_INCOME_YUAN:,.0f} 元，请核对（是否填成了全年收入或多打了零）。"]}
        )
    return amount.quantize(Decimal("0.01"))


GUARANTEES = (("education", "义务教育"), ("health", "基本医疗"), ("housing", "住房安全"))


def clean_visit(
    *,
    kind: str,
    day: dt.date,
    today: dt.date,
    term_start: dt.date,
    monthly_income: Any,
    three_guarantees: dict[str, Any] | None,
) -> tuple[Decimal | None, dict[str, bool | None]]:
    """The visit's date (not in the future, not before the cadre's term: 第三条 the term is when the
    cadre serves in the village) and, for a poor household (第六条7), the month's income and the
    三保障 — required. A non-poor household's visit may carry them. Raises ValidationError listing
    every problem by field."""
    errors: dict[str, list[str]] = {}
    if day > today:
        errors["date"] = [f"走访日期不能晚于今天（{today:%Y-%m-%d}）。"]
    elif day < term_start:
        errors["date"] = [f"走访日期不能早于您的驻村开始日期（{term_start:%Y-%m-%d}）。"]
    income: Decimal | None = None
    if monthly_income is None or str(monthly_income).strip() == "":
        if kind == POOR:
            errors["monthly_income"] = ["走访贫困户须记录核实当月收入（第六条7）；没有收入请填 0。"]
    else:
        try:
            income = clean_income(monthly_income)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    guarantees: dict[str, bool | None] = {key: None for key, _ in GUARANTEES}
    given = three_guarantees or {}
    if not isinstance(given, dict):
        errors["three_guarantees"] = ['三保障应为 {"education": true, "health": true, "housing": false} 的形式。']
        given = {}
    missing = []
    for key, label in GUARANTEES:
        value = given.get(key)
        if value is None or value == "":
            missing.append(label)
        elif isinstance(value, bool):
            guarantees[key] = value
        else:
            errors.setdefault("three_guarantees", []).append(f"{label}是否有保障应填 true 或 false。")
    if kind == POOR and missing:
        errors.setdefault("three_guarantees", []).append(
            f"走访贫困户须了解“三保障”状况（第六条7）：请填写{'、'.join(missing)}是否有保障。"
        )
    if errors:
        raise ValidationError(errors)
    return income, guarantees


# --- a household's registration ------------------------------------------------------------------


def clean_phone(value: str, *, field: str = "phone") -> str:
    """A contact phone: a mobile or a landline with its area code; optional."""
    text = (value or "").strip().replace(" ", "")
    if text and _PHONE.match(text) is None:
        raise ValidationError({field: ["联系电话应为手机号或带区号的固定电话，例如 13800138000 或 0311-85551234。"]})
    return text
