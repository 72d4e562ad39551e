"""attendance/rules.py — each rule at its boundaries, with its article."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from attendance import rules
from attendance.models import SignIn
from zhucun.policy import HEBEI_2018


@pytest.mark.parametrize(
    ("clock", "inside", "expected"),
    [
        (dt.time(6, 0), True, SignIn.Status.OK),
        (dt.time(9, 30, 59), True, SignIn.Status.OK),
        (dt.time(9, 31), True, SignIn.Status.LATE),
        (dt.time(22, 0), True, SignIn.Status.LATE),
        (dt.time(8, 0), False, SignIn.Status.OUTSIDE_GEOFENCE),
        (dt.time(11, 0), False, SignIn.Status.OUTSIDE_GEOFENCE),
    ],
)
def test_signin_status_in_the_fixed_window_第十九条(clock: dt.time, inside: bool, expected: str) -> None:
    assert rules.signin_status(local_time=clock, inside_geofence=inside, profile=HEBEI_2018) == expected


def test_signin_before_the_window_opens_is_refused_第十九条() -> None:
    with pytest.raises(rules.SignInRefused, match="06:00–09:30"):
        rules.signin_status(local_time=dt.time(5, 59), inside_geofence=True, profile=HEBEI_2018)


def test_the_window_is_a_policy_value_not_code() -> None:
    profile = HEBEI_2018.with_overrides({"signin_window_start": "07:00", "signin_window_end": "08:00"})
    assert rules.signin_status(local_time=dt.time(8, 30), inside_geofence=True, profile=profile) == "late"
    with pytest.raises(rules.SignInRefused):
        rules.signin_status(local_time=dt.time(6, 30), inside_geofence=True, profile=profile)


def test_distance_is_metres_on_the_earth() -> None:
    assert rules.distance_m(38.0, 114.5, 38.0, 114.5) == 0
    assert 110 <= rules.distance_m(38.001, 114.5, 38.0, 114.5) <= 112  # 0.001° latitude ≈ 111 m
    assert 5500 <= rules.distance_m(38.05, 114.5, 38.0, 114.5) <= 5600


def test_only_signins_inside_the_geofence_count_as_days_in_the_village_第五条() -> None:
    assert rules.counts_as_present(SignIn.Status.OK)
    assert rules.counts_as_present(SignIn.Status.LATE)
    assert not rules.counts_as_present(SignIn.Status.OUTSIDE_GEOFENCE)


def _verdict(counted: int, *, today: dt.date = dt.date(2026, 12, 5), profile: object = HEBEI_2018) -> Any:
    """November 2026 judged for a cadre in post all month, by default after the month is over."""
    return rules.minimum_days_verdict(
        profile=profile,  # type: ignore[arg-type]
        month=dt.date(2026, 11, 1),
        today=today,
        term_start=dt.date(2025, 3, 1),
        term_end=dt.date(2028, 2, 29),
        counted=counted,
        counted_today=False,
    )


@pytest.mark.parametrize(("days", "meets"), [(24, False), (25, True), (30, True)])
def test_a_month_needs_at_least_25_days_in_the_village_第五条(days: int, meets: bool) -> None:
    assert _verdict(days).meets is meets


def test_another_provinces_minimum_days_comes_from_its_profile() -> None:
    profile = HEBEI_2018.with_overrides({"min_days_in_village_per_month": 20})
    assert _verdict(20, profile=profile).meets


def test_can_still_make_25_days_counts_the_days_left_第五条() -> None:
    # On 26 November, not yet signed in: 26..30 = 5 days left.
    today = dt.date(2026, 11, 26)
    assert _verdict(20, today=today).remaining == 5
    assert _verdict(20, today=today).can_still_meet
    assert not _verdict(19, today=today).can_still_meet
    signed_today = rules.minimum_days_verdict(
        profile=HEBEI_2018, month=dt.date(2026, 11, 1), today=today, term_start=dt.date(2025, 3, 1),
        term_end=dt.date(2028, 2, 29), counted=21, counted_today=True,
    )  # fmt: skip
    assert signed_today.remaining == 4
    assert _verdict(24).remaining == 0  # the month is over: nothing left to make up
    assert not _verdict(24).can_still_meet


@pytest.mark.parametrize(
    ("signed", "excused", "expected"),
    [
        ("ok", {}, rules.ROLL_PRESENT),
        ("late", {"am": "leave"}, rules.ROLL_PRESENT),
        (None, {"am": "leave", "pm": "leave"}, rules.ROLL_EXCUSED),  # approved leave all day: not "not signed in"
        (None, {"am": "training", "pm": "training"}, rules.ROLL_EXCUSED),
        (None, {"pm": "leave"}, rules.ROLL_MISSING),  # the morning is still to be signed in for
        ("outside_geofence", {}, rules.ROLL_OUTSIDE),
        (None, {}, rules.ROLL_MISSING),
    ],
)
def test_todays_roll_call_excuses_only_a_whole_day_of_leave_or_business_第十九条(
    signed: str | None, excused: dict[str, str], expected: str
) -> None:
    assert rules.roll_call(signed=signed, excused=excused) == expected


def test_the_excuse_of_a_day_is_said_in_halves() -> None:
    assert rules.excuse_note({"am": "leave", "pm": "leave"}) == "全天已批准的请假"
    assert rules.excuse_note({"pm": "training"}) == "下午培训"
    assert rules.excuse_note({}) == ""
