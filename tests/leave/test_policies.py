"""第十九条2 and 第二十九条: who approves a leave, and how long it is (leave/policies.py).

Every row of SPEC.md's routing table is here, with the boundaries the issue names (1, 1.5, 3, 3.5 days
for members; 1.5 and 2 days for 第一书记 and 队长), then property tests over durations and roles."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leave.policies import approval_chain, leave_days, superior_of
from zhucun.policy import HEBEI_2018

MEMBER = "member"
LEADING = ("first_secretary", "leader", "first_secretary_leader")
ROLES = (MEMBER, *LEADING)
KINDS = ("personal", "sick", "annual", "rotation", "other")


def chain(role: str, days: str, kind: str = "personal", **kwargs: bool) -> tuple[str, ...]:
    return approval_chain(applicant_role=role, kind=kind, days=Decimal(days), profile=HEBEI_2018, **kwargs)


# --- SPEC.md's table, row by row ---------------------------------------------------------------


@pytest.mark.parametrize("days", ["0.5", "1"])
def test_member_leave_of_up_to_one_day_goes_to_the_team_leader_第十九条(days: str) -> None:
    assert chain(MEMBER, days) == ("team_leader",)


@pytest.mark.parametrize("days", ["1.5", "2", "2.5", "3"])
def test_member_leave_over_one_and_up_to_three_days_goes_to_the_township_第十九条(days: str) -> None:
    assert chain(MEMBER, days) == ("township",)


def test_member_leave_of_three_days_goes_to_the_township_not_the_county_第十九条() -> None:
    """ "2至3天" and "3天以上" overlap at 3: the more specific clause (the township) wins."""
    assert chain(MEMBER, "3") == ("township",)


@pytest.mark.parametrize("days", ["3.5", "4", "10", "30"])
def test_member_leave_over_three_days_goes_to_the_county_office_第十九条(days: str) -> None:
    assert chain(MEMBER, days) == ("county_office",)


@pytest.mark.parametrize("role", LEADING)
@pytest.mark.parametrize("days", ["0.5", "1", "1.5"])
def test_leader_leave_under_two_days_needs_the_townships_consent_only_第十九条(role: str, days: str) -> None:
    assert chain(role, days) == ("township",)


@pytest.mark.parametrize("role", LEADING)
@pytest.mark.parametrize("days", ["2", "2.5", "3", "4"])
def test_leader_leave_of_two_days_or_more_goes_to_township_then_county_office_第十九条(role: str, days: str) -> None:
    """ "2天以上" includes 2."""
    assert chain(role, days) == ("township", "county_office")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("days", ["0.5", "1", "3", "3.5", "15"])
def test_annual_leave_goes_to_township_and_the_units_hr_for_anyone_第二十九条(role: str, days: str) -> None:
    assert chain(role, days, kind="annual") == ("township", "unit_hr")


def test_annual_leave_without_the_unit_step_when_the_profile_drops_it_第二十九条() -> None:
    profile = dataclasses.replace(HEBEI_2018, annual_leave_needs_unit_hr=False)
    assert approval_chain(applicant_role=MEMBER, kind="annual", days=Decimal("5"), profile=profile) == ("township",)


def test_member_short_leave_goes_to_the_township_when_no_team_leader_can_answer_第十九条() -> None:
    """docs/decisions/0007: no leader, the leader is away or is the applicant → the next body up."""
    assert chain(MEMBER, "1", team_leader_available=False) == ("township",)
    assert chain(MEMBER, "3.5", team_leader_available=False) == ("county_office",)


def test_other_provinces_thresholds_come_from_the_profile_not_the_code() -> None:
    """The 2021 national template: township approves up to 5 days (SPEC.md "policy profile")."""
    profile = HEBEI_2018.with_overrides({"member_leave_township_max_days": "5"})
    assert approval_chain(applicant_role=MEMBER, kind="sick", days=Decimal("5"), profile=profile) == ("township",)
    assert approval_chain(applicant_role=MEMBER, kind="sick", days=Decimal("5.5"), profile=profile) == (
        "county_office",
    )


def test_zero_days_is_not_a_leave() -> None:
    with pytest.raises(ValueError, match="half a day"):
        chain(MEMBER, "0")


# --- Property tests ----------------------------------------------------------------------------

half_days = st.integers(min_value=1, max_value=400).map(lambda n: Decimal(n) / 2)


@given(role=st.sampled_from(ROLES), kind=st.sampled_from(KINDS), days=half_days, leader=st.booleans())
def test_every_leave_has_a_chain_of_known_bodies_without_repeats_第十九条(
    role: str, kind: str, days: Decimal, leader: bool
) -> None:
    result = chain(role, str(days), kind=kind, team_leader_available=leader)
    assert 1 <= len(result) <= 2
    assert len(set(result)) == len(result)
    assert set(result) <= {"team_leader", "township", "county_office", "unit_hr"}


@given(role=st.sampled_from(ROLES), kind=st.sampled_from(KINDS), days=half_days)
def test_only_members_short_leave_reaches_the_team_leader_第十九条(role: str, kind: str, days: Decimal) -> None:
    result = chain(role, str(days), kind=kind)
    assert ("team_leader" in result) == (role == MEMBER and kind != "annual" and days <= 1)


@given(role=st.sampled_from(ROLES), kind=st.sampled_from(KINDS), days=half_days)
def test_the_county_office_decides_exactly_the_long_leaves_第十九条(role: str, kind: str, days: Decimal) -> None:
    threshold = Decimal("3") if role == MEMBER else Decimal("2")
    long_enough = days > threshold if role == MEMBER else days >= threshold
    assert ("county_office" in chain(role, str(days), kind=kind)) == (kind != "annual" and long_enough)


@given(role=st.sampled_from(LEADING), kind=st.sampled_from(KINDS), days=half_days)
def test_a_leaders_leave_always_starts_with_the_townships_consent_第十九条(role: str, kind: str, days: Decimal) -> None:
    assert chain(role, str(days), kind=kind)[0] == "township"


@given(role=st.sampled_from(ROLES), kind=st.sampled_from(KINDS), shorter=half_days, longer=half_days)
def test_a_longer_leave_never_needs_a_lower_approver_第十九条(
    role: str, kind: str, shorter: Decimal, longer: Decimal
) -> None:
    rank = {"team_leader": 0, "township": 1, "unit_hr": 1, "county_office": 2}
    low, high = sorted((shorter, longer))
    assert max(rank[b] for b in chain(role, str(low), kind=kind)) <= max(
        rank[b] for b in chain(role, str(high), kind=kind)
    )


# --- Days in half-days ---------------------------------------------------------------------------

FRIDAY = dt.date(2026, 11, 27)


def test_friday_morning_to_monday_noon_is_three_and_a_half_days() -> None:
    """SPEC.md: calendar days, weekends included, in half-days."""
    assert leave_days(FRIDAY, "am", FRIDAY + dt.timedelta(days=3), "am") == Decimal("3.5")


@pytest.mark.parametrize(
    ("start_half", "end_offset", "end_half", "days"),
    [
        ("am", 0, "am", "0.5"),
        ("pm", 0, "pm", "0.5"),
        ("am", 0, "pm", "1"),
        ("pm", 1, "am", "1"),
        ("am", 1, "am", "1.5"),
        ("am", 2, "pm", "3"),
        ("pm", 3, "pm", "3.5"),
    ],
)
def test_days_are_counted_in_half_days(start_half: str, end_offset: int, end_half: str, days: str) -> None:
    end = FRIDAY + dt.timedelta(days=end_offset)
    assert leave_days(FRIDAY, start_half, end, end_half) == Decimal(days)


@given(start=st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31)), length=st.integers(0, 60))
def test_whole_days_count_every_calendar_day(start: dt.date, length: int) -> None:
    assert leave_days(start, "am", start + dt.timedelta(days=length), "pm") == length + 1


def test_escalation_goes_one_level_up() -> None:
    assert superior_of("team_leader") == "township"
    assert superior_of("township") == "county_office"
    assert superior_of("county_office") == "city_org"
    assert superior_of("unit_hr") == "unit_org"
