"""The attendance rules of the regulation, each in one place (第五条, 第十九条1 and 3).

Pure functions: they take values and return decisions, so every caller (API, pages, jobs) applies
the same rule, and tests can pin each boundary.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from decimal import Decimal

from zhucun.policy import PolicyProfile

from .models import SignIn

EARTH_RADIUS_M = 6_371_008.8


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> int:
    """Great-circle distance in metres (haversine); metre precision is plenty for a geofence."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return round(2 * EARTH_RADIUS_M * math.asin(math.sqrt(a)))


def _clock(value: str) -> dt.time:
    hours, minutes = value.split(":")
    return dt.time(int(hours), int(minutes))


class SignInRefused(Exception):
    """A sign-in outside the accepted hours; ``message`` is for the cadre."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def signin_status(*, local_time: dt.time, inside_geofence: bool, profile: PolicyProfile) -> SignIn.Status:
    """第十九条1: sign in every day "在固定时间段". Inside the window and the geofence is 正常; after
    the window (until ``signin_late_until``) 迟到; outside the geofence 不在范围 whatever the time.
    Before the window opens, or after the late limit, the sign-in is refused."""
    start, end = _clock(profile.signin_window_start), _clock(profile.signin_window_end)
    late_until = _clock(profile.signin_late_until)
    if local_time < start:
        raise SignInRefused(
            f"签到时间为每天 {profile.signin_window_start}–{profile.signin_window_end}，现在还不能签到。"
        )
    if local_time > late_until.replace(second=59, microsecond=999999):
        raise SignInRefused(f"今天的签到已于 {profile.signin_late_until} 截止。")
    if not inside_geofence:
        return SignIn.Status.OUTSIDE_GEOFENCE
    return SignIn.Status.OK if local_time <= end.replace(second=59) else SignIn.Status.LATE


def counts_as_present(status: str) -> bool:
    """A day counts toward the 25 days (第五条) when the cadre signed in inside the village's
    geofence, on time or late. A sign-in outside the geofence is not a day in the village."""
    return status in (SignIn.Status.OK, SignIn.Status.LATE)


def days_left_in_month(*, month: dt.date, today: dt.date, signed_today: bool) -> int:
    """Days of ``month`` still ahead on ``today``, counting today unless the cadre already signed in."""
    last = dt.date(month.year, month.month, calendar.monthrange(month.year, month.month)[1])
    if today > last:
        return 0
    first = dt.date(month.year, month.month, 1)
    if today < first:
        return last.day
    return (last - today).days + (0 if signed_today else 1)


def meets_monthly_days(*, days_present: int, profile: PolicyProfile) -> bool:
    """第五条: 每月驻村工作时间不少于 25 天."""
    return days_present >= profile.min_days_in_village_per_month


def can_still_meet_monthly_days(*, days_present: int, days_left: int, profile: PolicyProfile) -> bool:
    """Whether the month can still reach the minimum if the cadre is present every remaining day."""
    return days_present + days_left >= profile.min_days_in_village_per_month


def leave_days_total(days: dict[dt.date, Decimal]) -> Decimal:
    return sum(days.values(), Decimal(0))
