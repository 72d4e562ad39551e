"""Template filters shared by every page: how the system writes numbers for people."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

register = template.Library()


@register.filter
def yuan(value: Any) -> str:
    """An amount of money as officials write it: thousands separated, two decimals (80,000.00)."""
    try:
        return f"{Decimal(str(value)):,.2f}"
    except (InvalidOperation, ValueError):
        return ""


def days_label(value: Any) -> str:
    """A count of days as people write it, one way everywhere (issue 15 item 11): 5 天, 0.5 天, 1.5 天
    — never 5.0天 beside 5 天."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return ""
    if not number.is_finite():
        return ""
    return f"{format(number.normalize(), 'f')} 天"


@register.filter
def days(value: Any) -> str:
    """``{{ leave.days|days }}`` → 2.5 天 (``days_label``)."""
    return days_label(value)
