"""The boundaries of supervision/rules.py, each with its article."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest

from attendance.rules import GeofenceReading
from supervision import rules
from supervision.models import InspectionPlan
from zhucun.policy import HEBEI_2018


@pytest.mark.parametrize(("issued", "refused"), [(0, False), (3, False), (4, True), (9, True)])
def test_the_fifth_check_of_a_month_is_refused_第十三条3(issued: int, refused: bool) -> None:
    assert (rules.cap_refusal(issued_this_month=issued, profile=HEBEI_2018) is not None) is refused


@pytest.mark.parametrize(("minutes", "refused"), [(9, True), (10, False), (120, False), (121, True)])
def test_the_time_to_answer_lies_within_the_profiles_bounds_第十三条3(minutes: int, refused: bool) -> None:
    assert (rules.minutes_refusal(minutes, HEBEI_2018) is not None) is refused


def test_an_answer_is_present_only_inside_the_geofence_and_both_misses_and_outside_raise_findings_第十三条3() -> None:
    assert rules.answer_status(GeofenceReading(distance_m=1000, inside=True)) == "present"
    assert rules.answer_status(GeofenceReading(distance_m=1001, inside=False)) == "outside_geofence"
    assert rules.raises_finding("missed") and rules.raises_finding("outside_geofence")
    assert not rules.raises_finding("present") and not rules.raises_finding("pending")


def test_a_late_or_second_answer_is_refused_第十三条3() -> None:
    due = dt.datetime(2026, 11, 26, 8, 30, tzinfo=dt.UTC)
    pending = SimpleNamespace(status="pending", due_at=due)
    assert rules.may_answer(pending, now=due) is None
    assert rules.may_answer(pending, now=due + dt.timedelta(seconds=1)) is not None
    assert rules.may_answer(SimpleNamespace(status="present", due_at=due), now=due) is not None


@pytest.mark.parametrize(
    ("deadline", "done", "overdue"),
    [(dt.date(2026, 11, 26), False, False), (dt.date(2026, 11, 25), False, True), (dt.date(2026, 11, 25), True, False)],
)
def test_a_task_is_overdue_from_the_day_after_its_deadline_unless_done_第七条(
    deadline: dt.date, done: bool, overdue: bool
) -> None:
    assert rules.is_overdue(done=done, deadline=deadline, today=dt.date(2026, 11, 26)) is overdue


def test_a_required_task_names_its_county_department_and_a_deadline_in_its_year_第七条() -> None:
    base: dict[str, Any] = {"year": 2026, "title": "修路", "target": "2公里", "today": dt.date(2026, 11, 26)}
    assert rules.task_refusals(kind="required", deadline=dt.date(2026, 12, 1), responsible_department="", **base)
    assert not rules.task_refusals(kind="optional", deadline=dt.date(2026, 12, 1), responsible_department="", **base)
    late = rules.task_refusals(kind="optional", deadline=dt.date(2027, 1, 1), responsible_department="", **base)
    assert "deadline" in late


@pytest.mark.parametrize(("days", "allowed", "flagged"), [(0, 0, False), (1, 0, True), (2, 2, False), (3, 2, True)])
def test_a_cadre_back_at_the_unit_more_days_than_allowed_flags_the_unit_第十一条(
    days: int, allowed: int, flagged: bool
) -> None:
    profile = HEBEI_2018.with_overrides({"unit_return_days_per_month": allowed})
    assert rules.returns_flag_unit(days=days, profile=profile) is flagged


@pytest.mark.parametrize(
    ("region", "kind", "refused"),
    [("130104", "cross", True), ("1301", "cross", True), ("130104001", "cross", True), ("130102", "cross", False),
     ("130102001", "cross", False), ("1301", "central", False), ("130102", "central", True)],
)  # fmt: skip
def test_cross_check_inspectors_come_from_outside_the_region_the_others_from_above_it_第十三条2(
    region: str, kind: str, refused: bool
) -> None:
    plan = InspectionPlan(kind=kind, organizer_region="1301", scope_code="130104", end=dt.date(2026, 12, 31))
    role = "city_org" if len(region) == 4 else "county_org" if len(region) == 6 else "township"
    account = SimpleNamespace(is_active=True, role=role, region_id=region)
    assert (rules.inspector_refusal(plan=plan, account=account, today=dt.date(2026, 11, 26)) is not None) is refused
