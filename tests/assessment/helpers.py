"""Builders for assessment tests: a level of province-dispatched teams on top of the world."""

from __future__ import annotations

import datetime as dt
import itertools

from cadres.models import Cadre, Team, Unit
from cadres.policies import term_end_for
from zhucun.testing.world import World, ensure_region, make_id_number

YEAR = 2026
_serial = itertools.count(5000)
#: villages 130102001300 onward: clear of the world's 001 and of each other
_villages = itertools.count()


def province_level(
    count: int,
    *,
    cadres_per_team: int = 1,
    township: str = "130102001",
    prefix: str = "省直",
    start: dt.date = dt.date(2025, 3, 1),
) -> list[Team]:
    """``count`` province-level units, each dispatching one team (with its cadres) to a new village of
    ``township`` — a province round whose teams all lie in the world's home township (target A)."""
    teams = []
    for _ in range(count):
        n = 300 + next(_villages) % 700
        village = ensure_region(f"{township}{n:03d}", f"{prefix}村{n}")
        unit = Unit.objects.create(name=f"{prefix}单位{n}", level=Unit.Level.PROVINCE, region_id="13")
        team = Team.objects.create(village=village, unit=unit)
        for j in range(cadres_per_team):
            add_cadre(team, name=f"{prefix}干部{n}-{j}", leader=j == 0, start=start)
        teams.append(team)
    return teams


def add_cadre(
    team: Team, *, name: str, leader: bool = False, unit: Unit | None = None, start: dt.date = dt.date(2025, 3, 1)
) -> Cadre:
    return Cadre.objects.create(
        name=name,
        gender=Cadre.Gender.MALE,
        id_number=make_id_number(next(_serial)),
        phone="13900000000",
        unit=unit or team.unit,
        team=team,
        role=Cadre.Role.FIRST_SECRETARY_LEADER if leader else Cadre.Role.MEMBER,
        term_start=start,
        term_end=term_end_for(start),
    )


def grade_the_rest_of_甲县(world: World, *, but: Cadre | None = None, year: int = YEAR) -> None:
    """Grade every subject of 甲县's county round (teams A, B, their 4 cadres, their 2 units) that is not
    graded yet, through the service as the county department — all but ``but`` — so it can be finalized."""
    from assessment import services
    from assessment.models import AssessmentResult

    county = world.personas["county"]
    subjects: list[tuple[str, object, str]] = [("team", world.teams[t], "good") for t in "AB"]
    subjects += [("cadre", c, "competent") for t in "AB" for c in (world.leaders[t], world.members[t])]
    subjects += [("unit", world.units[t], "good") for t in "AB"]
    for subject_type, obj, grade in subjects:
        if (
            obj == but
            or AssessmentResult.objects.filter(
                round__year=year,
                subject_type=subject_type,
                **{f"{subject_type}_id": obj.pk},  # type: ignore[attr-defined]
            ).exists()
        ):
            continue
        services.assessment_grade_set(actor=county, year=year, subject_type=subject_type, obj=obj, grade=grade)
