"""第六条7–8: a poor household is visited every calendar month, a resident non-poor household within
every two; the numbers come from the policy profile (docs/decisions/0130)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from households import rules, selectors
from households.models import Household
from zhucun.models import PolicyProfileVersion
from zhucun.policy import HEBEI_2018, profile_cache_clear
from zhucun.testing.world import World

TODAY = dt.date(2026, 11, 18)
CUT = rules.cutoffs(today=TODAY, profile=HEBEI_2018)


def status(kind: str, last: dt.date | None, *, resident: bool = True, registered: dt.date = dt.date(2025, 1, 1)) -> str:
    return CUT.status(kind=kind, resident=resident, last_visit_on=last, registered_on=registered)


def test_a_poor_household_visited_this_month_is_done_and_last_month_is_due_第六条7() -> None:
    assert status("poor", dt.date(2026, 11, 1)) == "done"
    assert status("poor", dt.date(2026, 10, 31)) == "due"


def test_a_poor_household_not_visited_last_month_either_is_overdue_第六条7() -> None:
    assert status("poor", dt.date(2026, 9, 30)) == "overdue"
    assert status("poor", None) == "overdue"


def test_a_resident_non_poor_household_is_due_after_two_calendar_months_第六条8() -> None:
    assert status("non_poor", dt.date(2026, 10, 1)) == "done"  # visited last month: within two months
    assert status("non_poor", dt.date(2026, 9, 30)) == "due"  # neither this month nor last
    assert status("non_poor", dt.date(2026, 8, 31)) == "overdue"  # September and October both missed


def test_a_non_resident_non_poor_household_has_no_cadence_第六条8() -> None:
    assert status("non_poor", None, resident=False) == "none"


def test_the_month_of_registration_is_a_grace_period() -> None:
    assert status("poor", None, registered=dt.date(2026, 11, 5)) == "due"
    assert status("poor", None, registered=dt.date(2026, 10, 20)) == "due"  # October was its first month
    assert status("poor", None, registered=dt.date(2026, 9, 30)) == "overdue"  # October missed whole


def test_cutoffs_cross_the_new_year() -> None:
    cut = rules.cutoffs(today=dt.date(2027, 1, 3), profile=HEBEI_2018)
    assert cut.poor_due_before == dt.date(2027, 1, 1)
    assert cut.poor_overdue_before == dt.date(2026, 12, 1)
    assert cut.non_poor_due_before == dt.date(2026, 12, 1)
    assert cut.non_poor_overdue_before == dt.date(2026, 11, 1)


def test_the_cadence_comes_from_the_profile_第六条8() -> None:
    quarterly = dataclasses.replace(HEBEI_2018, non_poor_household_visit_months=3)
    cut = rules.cutoffs(today=TODAY, profile=quarterly)
    assert cut.non_poor_due_before == dt.date(2026, 9, 1)
    assert cut.status(kind="non_poor", resident=True, last_visit_on=dt.date(2026, 9, 15), registered_on=TODAY) == (
        "done"
    )


@pytest.mark.django_db
def test_the_due_list_reads_a_dated_profile_version_第六条8(world: World) -> None:
    visited = Household.objects.create(
        village_code=world.village("A"), head_name="赵", kind="non_poor", last_visit_on=dt.date(2026, 9, 10),
        registered_on=dt.date(2025, 1, 1),
    )  # fmt: skip
    everyone = Household.objects.all()
    assert list(selectors.due(everyone, today=TODAY)) == [visited]
    PolicyProfileVersion.objects.create(
        name="每季度走访非贫困户", effective_from=dt.date(2026, 11, 1), overrides={"non_poor_household_visit_months": 3}
    )
    profile_cache_clear()
    assert list(selectors.due(everyone, today=TODAY)) == []


@pytest.mark.django_db
def test_the_sql_conditions_agree_with_the_status_of_each_household(world: World) -> None:
    village = world.village("A")
    cases = [
        ("poor", True, dt.date(2026, 11, 2)),
        ("poor", True, dt.date(2026, 10, 2)),
        ("poor", True, dt.date(2026, 8, 2)),
        ("poor", True, None),
        ("non_poor", True, dt.date(2026, 10, 2)),
        ("non_poor", True, dt.date(2026, 9, 2)),
        ("non_poor", True, dt.date(2026, 7, 2)),
        ("non_poor", True, None),
        ("non_poor", False, None),
    ]
    for index, (kind, resident, last) in enumerate(cases):
        Household.objects.create(
            village_code=village, head_name=f"户{index}", kind=kind, resident=resident, last_visit_on=last,
            registered_on=dt.date(2025, 1, 1),
        )  # fmt: skip
    rows = Household.objects.all()
    due = set(selectors.due(rows, today=TODAY).values_list("head_name", flat=True))
    overdue = set(selectors.overdue(rows, today=TODAY).values_list("head_name", flat=True))
    for row in rows:
        expected = CUT.status(
            kind=row.kind, resident=row.resident, last_visit_on=row.last_visit_on, registered_on=row.registered_on
        )
        assert (row.head_name in due) == (expected in ("due", "overdue")), (row.head_name, expected)
        assert (row.head_name in overdue) == (expected == "overdue"), (row.head_name, expected)


def test_a_poor_households_visit_needs_the_income_and_the_three_guarantees_第六条7() -> None:
    with pytest.raises(ValidationError) as error:
        rules.clean_visit(
            kind="poor", day=TODAY, today=TODAY, term_start=dt.date(2025, 3, 1), monthly_income=None,
            three_guarantees={"education": True},
        )  # fmt: skip
    assert "第六条7" in error.value.message_dict["monthly_income"][0]
    assert "基本医疗、住房安全" in error.value.message_dict["three_guarantees"][0]


def test_a_non_poor_households_visit_needs_neither_第六条8() -> None:
    income, guarantees = rules.clean_visit(
        kind="non_poor", day=TODAY, today=TODAY, term_start=dt.date(2025, 3, 1), monthly_income="",
        three_guarantees=None,
    )  # fmt: skip
    assert income is None
    assert guarantees == {"education": None, "health": None, "housing": None}


@pytest.mark.parametrize(
    ("raw", "message"),
    [("-1", "不能为负数"), ("100000.01", "请核对"), ("12.345", "精确到分"), ("1e5", "应为数字"), ("NaN", "应为数字")],
)
def test_an_income_that_is_negative_or_absurd_is_refused(raw: str, message: str) -> None:
    with pytest.raises(ValidationError) as error:
        rules.clean_income(raw)
    assert message in error.value.message_dict["monthly_income"][0]


def test_an_income_of_zero_is_a_reading() -> None:
    assert rules.clean_income("0") == Decimal("0.00")


def test_a_visit_in_the_future_or_before_the_term_is_refused() -> None:
    for day, message in ((TODAY + dt.timedelta(days=1), "晚于今天"), (dt.date(2025, 2, 28), "驻村开始日期")):
        with pytest.raises(ValidationError) as error:
            rules.clean_visit(
                kind="non_poor", day=day, today=TODAY, term_start=dt.date(2025, 3, 1), monthly_income=None,
                three_guarantees=None,
            )  # fmt: skip
        assert message in error.value.message_dict["date"][0]
