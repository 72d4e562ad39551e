"""The profile is the regulation's numbers for any province (SPEC.md "The regulation's numbers are a
policy profile"): the 2021 national template ships as a preset, and a deployment switches to it from a
date with one command — no code change. Routing, recall and the term follow it; docs/decisions/0078."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from assessment.models import RecallCase
from cadres.policies import term_end_for
from leave import policies
from tests.leave.factories import leave_request
from zhucun.models import AuditEvent, PolicyProfileVersion
from zhucun.policy import HEBEI_2018, PRESETS, profile_on
from zhucun.testing.world import World

FROM = dt.date(2026, 1, 1)


def _switch(world: World) -> None:
    call_command("apply_profile", "national_2021", "--from", FROM.isoformat(), "--by", "p_province")


def test_a_deployment_switches_to_the_2021_national_template_with_no_code_change(world: World) -> None:
    _switch(world)
    before, after = profile_on(FROM - dt.timedelta(days=1)), profile_on(FROM)
    assert before == HEBEI_2018
    assert after.name == PRESETS["national_2021"].name
    assert (after.min_days_in_village_per_year, after.recall_leave_days_per_year, after.term_years) == (200, 30, 2)
    assert after.member_leave_township_max_days == Decimal("5")
    version = PolicyProfileVersion.objects.get()
    assert (version.effective_from, version.created_by) == (FROM, world.personas["province"])
    assert AuditEvent.objects.filter(action="policy_profile.apply", object_id=str(version.pk)).exists()


def test_local_settings_survive_a_switch_of_the_regulations_numbers(world: World) -> None:
    PolicyProfileVersion.objects.create(
        name="石家庄签到时段", effective_from=dt.date(2025, 1, 1), overrides={"signin_window_end": "10:00"}
    )
    _switch(world)
    assert profile_on(FROM).signin_window_end == "10:00"
    call_command("apply_profile", "hebei_2018", "--from", "2027-01-01")
    back = profile_on(dt.date(2027, 1, 1))
    assert (back.min_days_in_village_per_year, back.term_years, back.signin_window_end) == (0, 3, "10:00")


def test_an_unknown_preset_or_a_missing_date_is_refused_in_chinese(world: World) -> None:
    with pytest.raises(CommandError, match="national_2021"):
        call_command("apply_profile", "national_2030", "--from", "2027-01-01")
    with pytest.raises(CommandError, match="--from"):
        call_command("apply_profile", "national_2021")
    assert not PolicyProfileVersion.objects.exists()


@pytest.mark.parametrize(
    ("role", "days", "hebei", "national"),
    [
        ("member", "1", ("team_leader",), ("township",)),
        ("member", "4", ("county_office",), ("township",)),
        ("member", "5", ("county_office",), ("township",)),
        ("member", "5.5", ("county_office",), ("county_office",)),
        ("first_secretary_leader", "3", ("township", "county_office"), ("township",)),
        ("first_secretary_leader", "6", ("township", "county_office"), ("county_office",)),
    ],
)
def test_routing_follows_the_national_thresholds(
    world: World, role: str, days: str, hebei: tuple[str, ...], national: tuple[str, ...]
) -> None:
    """2021 template: the township approves up to 5 days, the county organization department beyond."""
    _switch(world)
    for day, expected in ((FROM - dt.timedelta(days=1), hebei), (FROM, national)):
        chain = policies.approval_chain(
            applicant_role=role, kind="personal", days=Decimal(days), profile=profile_on(day)
        )
        assert chain == expected, (day, chain)


def test_the_term_is_two_years_under_the_national_template(world: World) -> None:
    _switch(world)
    assert term_end_for(dt.date(2025, 3, 1)) == dt.date(2028, 2, 29)  # dispatched under Hebei 2018: 3 years
    assert term_end_for(dt.date(2026, 3, 1)) == dt.date(2028, 2, 29)  # under the template: 2 years


def test_more_than_the_yearly_leave_limit_opens_a_recall_case_under_the_national_template(world: World) -> None:
    """The template recalls a cadre with more than 30 days of leave a year; the recall job finds them
    once (a 2018 Hebei deployment has no such trigger)."""
    from assessment.tasks import detect_recall_triggers

    member = world.members["A"]
    for start in (dt.date(2026, 3, 2), dt.date(2026, 6, 1), dt.date(2026, 9, 1)):
        leave_request(member, start=start, days=10, status="approved")
    leave_request(member, start=dt.date(2026, 10, 12), days=1, status="reported_back")  # 31 days in 2026
    leave_request(world.leaders["A"], start=dt.date(2026, 3, 2), days=30, status="approved")  # 30: not more
    detect_recall_triggers("2026-11-30")
    assert not RecallCase.objects.exists()  # Hebei 2018: no yearly leave limit
    _switch(world)
    detect_recall_triggers("2026-11-30")
    case = RecallCase.objects.get()
    assert (case.cadre, case.year, case.trigger) == (member, 2026, RecallCase.Trigger.OTHER)
    assert "31" in case.evidence and "30" in case.evidence
    detect_recall_triggers("2026-11-30")
    assert RecallCase.objects.count() == 1
