"""第三条: the term of a cadre, and the dated policy profile that can change its length."""

from __future__ import annotations

import datetime as dt

import pytest

from cadres.policies import term_end_for
from zhucun.models import PolicyProfileVersion
from zhucun.policy import HEBEI_2018, profile_on

pytestmark = pytest.mark.django_db


def test_default_profile_is_the_hebei_2018_regulation_with_a_three_year_term() -> None:
    profile = profile_on(dt.date(2018, 7, 1))
    assert profile == HEBEI_2018
    assert profile.term_years == 3


def test_term_from_1_july_2018_ends_30_june_2021() -> None:
    assert term_end_for(dt.date(2018, 7, 1)) == dt.date(2021, 6, 30)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (dt.date(2018, 1, 1), dt.date(2020, 12, 31)),
        (dt.date(2025, 3, 1), dt.date(2028, 2, 29)),  # the day before 1 March of a leap year
        (dt.date(2019, 3, 1), dt.date(2022, 2, 28)),
        (dt.date(2018, 12, 31), dt.date(2021, 12, 30)),
    ],
)
def test_term_lasts_three_years_and_ends_the_day_before_the_anniversary(start: dt.date, end: dt.date) -> None:
    assert term_end_for(start) == end


def test_term_starting_29_february_ends_28_february_three_years_later() -> None:
    assert term_end_for(dt.date(2020, 2, 29)) == dt.date(2023, 2, 28)


def test_term_starting_29_february_into_a_leap_year_ends_the_day_before_it() -> None:
    PolicyProfileVersion.objects.create(
        name="四年任期", effective_from=dt.date(2020, 1, 1), overrides={"term_years": 4}
    )
    assert term_end_for(dt.date(2020, 2, 29)) == dt.date(2024, 2, 28)


def test_policy_version_changes_the_term_from_its_effective_date_only() -> None:
    PolicyProfileVersion.objects.create(
        name="2021年全国模板", effective_from=dt.date(2021, 7, 1), overrides={"term_years": 2}, basis="测试"
    )

    before = profile_on(dt.date(2021, 6, 30))
    assert before.term_years == 3
    assert before.name == HEBEI_2018.name
    assert term_end_for(dt.date(2021, 6, 30)) == dt.date(2024, 6, 29)

    on = profile_on(dt.date(2021, 7, 1))
    assert on.term_years == 2
    assert on.name == "2021年全国模板"
    assert term_end_for(dt.date(2021, 7, 1)) == dt.date(2023, 6, 30)
    assert term_end_for(dt.date(2022, 1, 1)) == dt.date(2023, 12, 31)


def test_policy_version_keeps_the_default_for_values_it_does_not_override() -> None:
    PolicyProfileVersion.objects.create(
        name="改任期", effective_from=dt.date(2021, 1, 1), overrides={"term_years": "5"}
    )
    profile = profile_on(dt.date(2022, 1, 1))
    assert profile.term_years == 5  # converted to the field's type
    assert profile.min_days_in_village_per_month == HEBEI_2018.min_days_in_village_per_month
    assert profile.excellent_ratio == HEBEI_2018.excellent_ratio


def test_newest_version_in_force_wins() -> None:
    PolicyProfileVersion.objects.create(name="二年", effective_from=dt.date(2020, 1, 1), overrides={"term_years": 2})
    PolicyProfileVersion.objects.create(name="四年", effective_from=dt.date(2022, 1, 1), overrides={"term_years": 4})
    PolicyProfileVersion.objects.create(name="未来", effective_from=dt.date(2030, 1, 1), overrides={"term_years": 1})

    assert profile_on(dt.date(2019, 12, 31)).term_years == 3
    assert profile_on(dt.date(2021, 6, 1)).term_years == 2
    assert profile_on(dt.date(2023, 6, 1)).term_years == 4
    assert term_end_for(dt.date(2023, 6, 1)) == dt.date(2027, 5, 31)


def test_unknown_override_is_refused() -> None:
    PolicyProfileVersion.objects.create(name="错字", effective_from=dt.date(2020, 1, 1), overrides={"term_yaers": 2})
    with pytest.raises(ValueError, match="term_yaers"):
        profile_on(dt.date(2021, 1, 1))
