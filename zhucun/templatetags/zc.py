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
