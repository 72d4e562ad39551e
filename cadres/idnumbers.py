"""Resident ID numbers (公民身份号码, GB 11643-1999): validation and masking.

SPEC.md "Light on the cadres": ID numbers are masked everywhere except where a role needs them.
"""

from __future__ import annotations

import datetime as dt

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def check_digit(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def id_number_error(value: str) -> str | None:
    """A Chinese message saying what is wrong with ``value``, or None when it is a valid number."""
    if len(value) != 18:
        return f"身份证号应为 18 位，现为 {len(value)} 位"
    if not value.isascii() or not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        return "身份证号前 17 位应为数字，最后一位为数字或 X"
    try:
        dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return f"身份证号中的出生日期 {value[6:14]} 不是有效日期"
    expected = check_digit(value[:17])
    if value[17] != expected:
        return f"身份证号校验位错误（应为 {expected}），请核对"
    return None


def normalize_id_number(value: str) -> str:
    return value.strip().upper()


def mask_id_number(value: str) -> str:
    """``130102199001011234`` → ``130102********1234``: region kept, birth date hidden."""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """``13812345678`` → ``138****5678``."""
    if len(value) != 11:
        return value
    return value[:3] + "****" + value[-4:]
