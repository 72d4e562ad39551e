"""Plausible input: the one place that says which dates, months, years and numbers a request may carry
(issue 10 item 8, docs/decisions/0060-bad-input.md).

Every date a person or a phone sends lies between ``EARLIEST_DATE`` and ``LATEST_DATE`` unless its
domain narrows it further (a leave starts within a year of today, a sign-in is today). An absurd date
(year 1, 9999) is refused with a Chinese message naming the field, before it reaches arithmetic that
would overflow (``date + timedelta``) or a database that cannot store it. Pages, forms, serializers and
filters all use the helpers below, so the range is decided here only.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import BadRequest, ValidationError

#: The first year of the system's data (the 2015 驻村 programme) and the last any plan reaches.
EARLIEST_DATE = dt.date(2015, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)
#: Largest value of a 64-bit signed primary key: a larger id cannot name any row.
MAX_ID = 2**63 - 1

#: The answer to an id that names nothing the caller may see — the same whether it exists elsewhere or not.
NOT_FOUND_MESSAGE = "选择的对象不存在或不在您的管辖范围内，请检查后重新选择。"

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


class InvalidInput(BadRequest):
    """A request parameter that cannot be honoured: a 400 naming the field. Pages render it with the
    400 page (``zhucun.views.bad_request``), the API as ``{"field": ["..."]}`` (zhucun.api.errors)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("；".join(message for messages in errors.values() for message in messages))
        self.errors = errors


def date_range_message(label: str, earliest: dt.date = EARLIEST_DATE, latest: dt.date = LATEST_DATE) -> str:
    return f"{label}应在 {earliest:%Y-%m-%d} 至 {latest:%Y-%m-%d} 之间，请检查年份。"


def check_date(
    value: dt.date, *, field: str, label: str, earliest: dt.date = EARLIEST_DATE, latest: dt.date = LATEST_DATE
) -> dt.date:
    """``value`` when it lies in the plausible range, else ValidationError({field: [...]})."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if not earliest <= value <= latest:
        raise ValidationError({field: [date_range_message(label, earliest, latest)]})
    return value


def parse_date(raw: str, *, field: str, label: str) -> dt.date:
    """A ``YYYY-MM-DD`` query parameter; InvalidInput (400) when malformed or implausible."""
    try:
        value = dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidInput({field: [f"{label}格式应为 YYYY-MM-DD，例如 2026-03-01。"]}) from None
    try:
        return check_date(value, field=field, label=label)
    except ValidationError as exc:
        raise InvalidInput(exc.message_dict) from None


def parse_month(raw: str | None, *, default: dt.date, field: str = "month") -> dt.date:
    """The first day of a ``YYYY-MM`` month parameter (``default`` when absent); InvalidInput (400)
    when malformed or outside the plausible range (``9999-12`` has no next month to compute)."""
    if raw is None or raw.strip() == "":
        return default
    match = _MONTH.match(raw.strip())
    if match is None:
        raise InvalidInput({field: ["月份格式应为 YYYY-MM，例如 2026-11。"]})
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12:
        raise InvalidInput({field: ["月份格式应为 YYYY-MM，例如 2026-11，月份为 01 至 12。"]})
    first = dt.date(year, month, 1) if 1 <= year <= 9999 else dt.date.min
    if not EARLIEST_DATE <= first <= LATEST_DATE:
        raise InvalidInput({field: [f"月份应在 {EARLIEST_DATE:%Y-%m} 至 {LATEST_DATE:%Y-%m} 之间，请检查年份。"]})
    return first


def parse_id(raw: str) -> int | None:
    """A positive database id from a parameter, or None when it cannot name a row (not digits, zero,
    larger than a 64-bit key — SQLite raises OverflowError on such a number)."""
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit():
        return None
    value = int(raw)
    return value if 0 < value <= MAX_ID else None


def parse_year(raw: str) -> int | None:
    """A four-digit year from a parameter, or None (``"²"`` passes ``str.isdigit`` but not ``int``)."""
    raw = raw.strip()
    return int(raw) if len(raw) == 4 and raw.isascii() and raw.isdigit() else None


def has_control_characters(text: str, allowed: frozenset[str] = frozenset()) -> bool:
    """Whether ``text`` holds a control character (NUL, ESC, DEL, C1) other than the ``allowed`` ones.
    No code, name, date or search term of this system contains one; PostgreSQL cannot store a NUL."""
    return any(unicodedata.category(char) == "Cc" and char not in allowed for char in text)


# --- form fields --------------------------------------------------------------------------------


class PlausibleDateFormField(forms.DateField):
    """A Django form date within the plausible range."""

    def __init__(self, *args: Any, earliest: dt.date = EARLIEST_DATE, latest: dt.date = LATEST_DATE, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.earliest, self.latest = earliest, latest

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None and not self.earliest <= value <= self.latest:
            raise ValidationError(
                date_range_message(str(self.label or "日期"), self.earliest, self.latest), code="out_of_range"
            )
