"""The home page composes what each capability says about today (zhucun/home.py): it decides nothing
itself. Its numbers are the capabilities' numbers (issue 11 items 14 and 18)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from attendance import selectors as attendance_selectors
from attendance.models import AbsenceFinding, SignIn
from cadres.models import Cadre, Region, Team
from tests.leave.factories import leave_request
from zhucun.testing.world import World, ensure_region, make_id_number

RECALLED_VILLAGE = "130102001002"


def _sign_in(cadre: Cadre, status: str, *, village_code: str | None = None) -> None:
    SignIn.objects.create(
        cadre=cadre,
        village_code=village_code or cadre.team.village_id,
        date=timezone.localdate(),
        client_id=uuid.uuid4(),
        status=status,
        inside_geofence=status != SignIn.Status.OUTSIDE_GEOFENCE,
        distance_m=50,
    )


def _team_whose_cadres_were_all_recalled(world: World) -> Team:
    """A second village of the township persona's township; its only cadre was recalled."""
    ensure_region(RECALLED_VILLAGE, "召回村")
    team = Team.objects.create(village_id=RECALLED_VILLAGE, unit=world.units["A"])
    start = dt.date(2025, 3, 1)
    Cadre.objects.create(
        name="召回书记", gender=Cadre.Gender.MALE, id_number=make_id_number(900), phone="13900009999",
        unit=world.units["A"], team=team, role=Cadre.Role.FIRST_SECRETARY_LEADER, term_start=start,
        term_end=dt.date(2027, 2, 28), status=Cadre.Status.RECALLED,
    )  # fmt: skip
    return team


def _home(user: User) -> dict[str, Any]:
    client = Client()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return {"today": response.context["today"], "summary": response.context["summary"]}


@pytest.mark.django_db
def test_the_home_page_and_the_attendance_dashboard_count_the_same_villages_uncovered_第五条(world: World) -> None:
    """Decision 0075: a village whose cadres were all recalled still needs a cadre on duty. The home page
    once counted only villages with an active cadre, and decided presence with its own literals."""
    _team_whose_cadres_were_all_recalled(world)
    township = world.personas["township"]
    region = Region.objects.get(code=world.township("A"))
    day = timezone.localdate()

    def attendance_says() -> tuple[int, int]:
        uncovered = attendance_selectors.uncovered_villages(user=township, region=region, day=day).count()
        return Team.objects.filter(village__code__startswith=region.code).count(), uncovered

    assert attendance_says() == (2, 2)
    today = _home(township)["today"]
    assert (today["villages"], today["uncovered"]) == attendance_says()

    _sign_in(world.members["A"], SignIn.Status.LATE)  # late is present (第五条)
    _sign_in(world.leaders["A"], SignIn.Status.OUTSIDE_GEOFENCE, village_code=RECALLED_VILLAGE)  # not present
    assert attendance_says() == (2, 1)
    today = _home(township)["today"]
    assert (today["villages"], today["uncovered"]) == attendance_says()


@pytest.mark.django_db
def test_the_home_summary_shows_the_numbers_of_the_officials_scope(world: World) -> None:
    """The county (甲县: targets A and B) sees its teams, its cadres, the leave awaiting it and the
    findings to confirm — the numbers, not only a 200."""
    _team_whose_cadres_were_all_recalled(world)
    leave_request(world.members["A"], days=5)  # > 3 days: the county office answers (第十九条2)
    leave_request(world.members["C"], days=5)  # another county's: not awaiting this one
    AbsenceFinding.objects.create(
        cadre=world.members["B"], village_code=world.village("B"), date=timezone.localdate(), source="unposted"
    )
    page = _home(world.personas["county"])
    assert page["summary"] == {"teams": 3, "cadres_active": 4, "cadres_total": 5, "first_secretaries": 2}
    assert page["today"] == {
        "awaiting_me": 1,
        "villages": 3,
        "uncovered": 3,
        "pending_findings": 1,
        "cadres": 4,
        "signed_in": 0,
    }
