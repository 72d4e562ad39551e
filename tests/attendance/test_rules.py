"""attendance/rules.py — each rule at its boundaries, with its article."""

from __future__ import annotations

import datetime as dt

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


@pytest.mark.parametrize(("days", "meets"), [(24, False), (25, True), (31, True)])
def test_a_month_needs_at_least_25_days_in_the_village_第五条(days: int, meets: bool) -> None:
    assert rules.meets_monthly_days(days_present=days, profile=HEBEI_2018) is meets


def test_another_provinces_minimum_days_comes_from_its_profile() -> None:
    profile = HEBEI_2018.with_overrides({"min_days_in_village_per_month": 20})
    assert rules.meets_monthly_days(days_present=20, profile=profile)


def test_can_still_make_25_days_counts_the_days_left_第五条() -> None:
    november = dt.date(2026, 11, 1)
    # On 26 November, not yet signed in: 26..30 = 5 days left.
    left = rules.days_left_in_month(month=november, today=dt.date(2026, 11, 26), signed_today=False)
    assert left == 5
    assert rules.days_left_in_month(month=november, today=dt.date(2026, 11, 26), signed_today=True) == 4
    assert rules.can_still_meet_monthly_days(days_present=20, days_left=5, profile=HEBEI_2018)
    assert not rules.can_still_meet_monthly_days(days_present=19, days_left=5, profile=HEBEI_2018)
    assert rules.days_left_in_month(month=november, today=dt.date(2026, 12, 1), signed_today=False) == 0
