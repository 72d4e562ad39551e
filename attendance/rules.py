"""The attendance rules of the regulation, each in one place (第五条, 第十九条1 and 3).

Pure functions: they take values and return decisions, so every caller (API, pages, jobs) applies
the same rule, and tests can pin each boundary.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Collection
from decimal import Decimal
from fractions import Fraction
from typing import Any

from zhucun.policy import PolicyProfile
from zhucun.workcalendar import month_bounds

from .models import AbsenceFinding, SignIn, Whereabouts

EARTH_RADIUS_M = 6_371_008.8


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> int:
    """Great-circle distance in metres (haversine); metre precision is plenty for a geofence."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return round(2 * EARTH_RADIUS_M * math.asin(math.sqrt(a)))


@dataclasses.dataclass(frozen=True)
class GeofenceReading:
    """Where a phone's position lies against the village's geofence: the distance and whether inside."""

    distance_m: int
    inside: bool


def village_geofence(
    *, village: Any, latitude: float, longitude: float, profile: PolicyProfile
) -> GeofenceReading | None:
    """第十九条1, SPEC.md "Attendance": a position is in the village when it lies within the village's
    geofence — its own radius, or the profile's default — around the village's location. None when the
    village has no location yet. The one rule for every place that reads a cadre's position (the
    sign-in, a random presence check)."""
    if village.latitude is None or village.longitude is None:
        return None
    distance = distance_m(float(latitude), float(longitude), float(village.latitude), float(village.longitude))
    radius = village.geofence_radius_m or profile.default_geofence_radius_m
    return GeofenceReading(distance_m=distance, inside=distance <= radius)


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


def after_window(local_time: dt.time, profile: PolicyProfile) -> bool:
    """Whether the day's sign-in window has closed (the coverage check acts after it, 第五条)."""
    return local_time > _clock(profile.signin_window_end).replace(second=59)


#: 第五条: the sign-in statuses of a cadre present in the village that day — inside the geofence, on
#: time or late. A sign-in outside the geofence is not a day in the village. Every count of presence
#: (the dashboards, the home page, the jobs, the month glance) filters on these.
PRESENT = (SignIn.Status.OK, SignIn.Status.LATE)


def counts_as_present(status: str) -> bool:
    """A day counts toward the 25 days (第五条) when the cadre was present (``PRESENT``)."""
    return status in PRESENT


def leave_days_total(days: dict[dt.date, Decimal]) -> Decimal:
    return sum(days.values(), Decimal(0))


# --- 第五条 每月驻村工作时间不少于25天, judged on the days in post -------------------------------------
#
# docs/decisions/0072 (partial months) and 0071 (official business). A day counts (``credited``) when
# the cadre signed in inside the geofence, or was away the whole day on official business the
# organization requires (第十三条4 training, meetings it calls, approved trips): 驻村工作时间 is the
# cadre's working time as a village cadre. The minimum is prorated to the days in post — a term that
# starts or ends mid-month, an adjustment or a recall — rounded up (不少于). A profile with a yearly
# minimum (the 2021 national template, 200 days) is judged over the calendar year (decision 0078).


def days_in_post(*, first: dt.date, last: dt.date, term_start: dt.date, term_end: dt.date) -> int:
    """Days of ``[first, last]`` inside the term ``[term_start, term_end]`` (a recall or adjustment ends
    the term that day)."""
    return max(0, (min(last, term_end) - max(first, term_start)).days + 1)


def required_days(*, minimum: int, days_in_post: int, days_in_period: int) -> int:
    """第五条 不少于: the minimum's share for the days in post, rounded up — 25 × 12 / 31 = 9.7 → 10."""
    if minimum <= 0 or days_in_post <= 0 or days_in_period <= 0:
        return 0
    return math.ceil(Fraction(minimum * days_in_post, days_in_period))


def whole_days(halves: dict[dt.date, Any]) -> set[dt.date]:
    """The dates whose two halves are both covered (a half-day absence leaves the other half to be in
    the village)."""
    return {day for day, covered in halves.items() if len(covered) >= 2}


def credited_days(*, present: set[dt.date], business: set[dt.date]) -> set[dt.date]:
    """第五条 驻村工作时间: days in the village, and whole days of official business (decision 0071)."""
    return present | business


@dataclasses.dataclass(frozen=True)
class Period:
    """The span a minimum is judged over: the month, or the calendar year for a yearly minimum."""

    first: dt.date
    last: dt.date
    minimum: int
    yearly: bool

    @property
    def label(self) -> str:
        return f"{self.first:%Y}" if self.yearly else f"{self.first:%Y-%m}"

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def judged_period(*, month: dt.date, profile: PolicyProfile) -> Period:
    """The period a month's verdict is judged over: the month (第五条, 25 days), or — when the profile
    sets a yearly minimum (``min_days_in_village_per_year``) — the month's calendar year."""
    if profile.min_days_in_village_per_year > 0:
        return Period(
            dt.date(month.year, 1, 1), dt.date(month.year, 12, 31), profile.min_days_in_village_per_year, True
        )
    first, last = month_bounds(month)
    return Period(first, last, profile.min_days_in_village_per_month, False)


@dataclasses.dataclass(frozen=True)
class MinimumDaysVerdict:
    """One cadre against the minimum (第五条) for the period of a month view."""

    period: str
    yearly: bool
    #: the minimum's share for the days in post up to the end of the viewed month
    required: int
    #: … and up to the end of the period (the same for a monthly minimum)
    required_by_period_end: int
    counted: int
    #: days in post still ahead in the period (today included unless already counted)
    remaining: int

    @property
    def meets(self) -> bool:
        return self.counted >= self.required

    @property
    def can_still_meet(self) -> bool:
        """Whether the period can still reach its minimum if the cadre is in the village every day left."""
        return self.counted + self.remaining >= self.required_by_period_end


def minimum_days_verdict(
    *,
    profile: PolicyProfile,
    month: dt.date,
    today: dt.date,
    term_start: dt.date,
    term_end: dt.date,
    counted: int,
    counted_today: bool,
    unavailable: int = 0,
) -> MinimumDaysVerdict:
    """THE rule of the days in the village (第五条; a profile's yearly minimum), used by the dashboards,
    the API, the register and the leave approver's view.

    ``counted`` are the credited days of the period up to the end of the viewed month, or up to today
    when the month is not over (``counted_today``: today is among them). ``unavailable`` are days ahead
    the cadre cannot be credited (whole days of approved leave), for the approver's view of a leave.

    A month is met when ``counted`` reaches the minimum prorated to its days in post. Under a yearly
    minimum, a month is met when the year so far reaches its pro-rata share up to the month's end, and
    the year can still be met while the days left in the year suffice.
    """
    period = judged_period(month=month, profile=profile)
    month_last = min(period.last, month_bounds(month)[1])
    cutoff = min(month_last, today)
    ahead_from = max(cutoff + dt.timedelta(days=1), period.first)
    remaining = days_in_post(first=ahead_from, last=period.last, term_start=term_start, term_end=term_end)
    if cutoff == today and period.first <= today <= period.last and not counted_today:
        remaining += days_in_post(first=today, last=today, term_start=term_start, term_end=term_end)
    return MinimumDaysVerdict(
        period=period.label,
        yearly=period.yearly,
        required=required_days(
            minimum=period.minimum,
            days_in_post=days_in_post(first=period.first, last=month_last, term_start=term_start, term_end=term_end),
            days_in_period=period.days,
        ),
        required_by_period_end=required_days(
            minimum=period.minimum,
            days_in_post=days_in_post(first=period.first, last=period.last, term_start=term_start, term_end=term_end),
            days_in_period=period.days,
        ),
        counted=counted,
        remaining=max(0, remaining - unavailable),
    )


def days_needed_before_today(*, profile: PolicyProfile, today: dt.date) -> int:
    """For a cadre in post the whole period, the credited days before today without which the period
    can no longer be met — ``minimum_days_verdict`` solved for ``counted`` so that the county-and-above
    dashboards can count in SQL (docs/performance.md, B2)."""
    period = judged_period(month=today, profile=profile)
    verdict = minimum_days_verdict(
        profile=profile, month=today, today=today, term_start=period.first, term_end=period.last, counted=0,
        counted_today=False,
    )  # fmt: skip
    return verdict.required_by_period_end - verdict.remaining


# --- 第十九条2/3, 第二十条2: what excuses a day --------------------------------------------------------

AM, PM = "am", "pm"
HALF_LABELS = {AM: "上午", PM: "下午", "": "全天"}
#: why a half is excused (leave.selectors.excused_halves), as the township reads it
EXCUSE_LABELS = {"leave": "已批准的请假", "training": "培训", "meeting": "会议", "trip": "已批准的公务外出"}


def half_of(moment: dt.time) -> str:
    """The half of the day a time falls in: the morning until noon (第十九条2 counts leave in halves)."""
    return PM if moment >= dt.time(12, 0) else AM


def unexcused_half(excused: Collection[str]) -> str | None:
    """Which part of a day without a sign-in in the village needs explaining: None when both halves are
    excused by approved leave or official business, the other half when one is, "" (the whole day) when
    neither is. Nothing else excuses — a posting on the whereabouts board is not approval (decision 0070)."""
    if AM in excused and PM in excused:
        return None
    if AM in excused:
        return PM
    if PM in excused:
        return AM
    return ""


def finding_refusal(*, half: str, excused: dict[str, str]) -> str | None:
    """第二十条2 (没有按规定履行请假手续): why a finding for ``half`` ("" = the day) cannot stand, or None.
    A finding in an excused half is refused; one that names no half, on a day partly excused, must say
    which half it was (decision 0073)."""
    if half:
        return f"{HALF_LABELS[half]}有{EXCUSE_LABELS.get(excused[half], '批准的离村')}" if half in excused else None
    if AM in excused and PM in excused:
        reasons = "、".join(dict.fromkeys(EXCUSE_LABELS.get(reason, reason) for reason in excused.values()))
        return f"全天有{reasons}"
    if excused:
        which = next(iter(excused))
        return (
            f"{HALF_LABELS[which]}有{EXCUSE_LABELS.get(excused[which], '批准的离村')}；"
            f"请注明缺岗发生在上午还是下午（half 或 time）"
        )
    return None


def excuse_note(excused: dict[str, str]) -> str:
    """How the dashboards say what excuses a day (the halves ``leave.selectors.excused_halves`` gives):
    "全天已批准的请假", "下午培训", or "" when nothing does."""
    if not excused:
        return ""
    if AM in excused and PM in excused:
        return "全天" + "、".join(dict.fromkeys(EXCUSE_LABELS.get(reason, reason) for reason in excused.values()))
    half = next(iter(excused))
    return f"{HALF_LABELS[half]}{EXCUSE_LABELS.get(excused[half], '批准的离村')}"


# --- 第五条, 第十九条1: today's roll call ---------------------------------------------------------------

ROLL_PRESENT, ROLL_EXCUSED, ROLL_OUTSIDE, ROLL_MISSING = "present", "excused", "outside", "missing"
ROLL_LABELS = {ROLL_PRESENT: "已签到", ROLL_EXCUSED: "请假或公务", ROLL_OUTSIDE: "签到不在范围", ROLL_MISSING: "未签到"}


def roll_call(*, signed: str | None, excused: dict[str, str]) -> str:
    """Where a cadre in post stands today (第五条 在岗, 第十九条1 每天签到; decision 0160): present after
    a sign-in that counts (``PRESENT``); excused when approved leave or official business covers the
    whole day (``unexcused_half``; 第十九条2) — never "not signed in"; after a sign-in outside the
    geofence, outside; else missing. A half day excused leaves the other half to sign in for."""
    if signed is not None and counts_as_present(signed):
        return ROLL_PRESENT
    if unexcused_half(excused) is None:
        return ROLL_EXCUSED
    return ROLL_OUTSIDE if signed is not None else ROLL_MISSING


def finding_source_for(posted: str | None) -> str:
    """The source of a job's finding for an unexcused absence (第十九条3): nothing posted is 未公示去向
    (按缺岗处理); 在村 posted without a sign-in is 未签到; anything else posted (请假, 轮休, 外出开会 …)
    without approval is 离村未经批准."""
    if posted is None:
        return AbsenceFinding.Source.WHEREABOUTS_UNPOSTED
    if posted == Whereabouts.Status.IN_VILLAGE:
        return AbsenceFinding.Source.MISSING_SIGNIN
    return AbsenceFinding.Source.UNAPPROVED_ABSENCE


# --- 第十九条3 the whereabouts board -----------------------------------------------------------------

UNPOSTED = "unposted"
#: official business kinds (leave.models.OfficialBusiness.Kind) as the board says them
BUSINESS_ON_BOARD = {
    "training": Whereabouts.Status.TRAINING,
    "meeting": Whereabouts.Status.MEETING,
    "trip": Whereabouts.Status.BUSINESS,
}


def board_status(*, away: str | None, posted: str | None, present: bool, back_today: bool) -> str:
    """What the board shows for a cadre now (a ``Whereabouts.Status`` value, or ``UNPOSTED``):

    * approved leave or official business covering this half of the day — 请假 / 培训 / 外出开会 /
      公务外出 — by the half, never the whole day for half a day's leave (第十九条2);
    * else a posting other than 请假 (the cadre's own word: 外出开会, 轮休 …);
    * else 在村 after a sign-in inside the geofence or a 销假 earlier today (销假 is being back);
    * else a posted 请假 without approved leave now (shown as posted; the absence job asks the
      township about it); else 未公示 (treated as absent, 按缺岗处理).
    """
    if away == "leave":
        return Whereabouts.Status.LEAVE
    if away in BUSINESS_ON_BOARD:
        return BUSINESS_ON_BOARD[away]
    if posted is not None and posted != Whereabouts.Status.LEAVE:
        return posted
    if present or back_today:
        return Whereabouts.Status.IN_VILLAGE
    return posted or UNPOSTED
