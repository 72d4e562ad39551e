"""Per-county tallies of teams and cadres in post (issue 16, decision 0180): kept by the database
whatever changes a cadre or a team, and exact against the tables."""

from __future__ import annotations

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from cadres import tally
from cadres.models import Cadre, CountyTally, Team
from zhucun.testing.world import World, ensure_region


def _tallies() -> dict[str, tuple[int, int]]:
    return {row.county_code: (row.teams, row.active_cadres) for row in CountyTally.objects.all()}


def test_each_county_counts_its_teams_and_its_cadres_in_post(world: World) -> None:
    # A and B: two villages of 130102; C: 130104; D: 130202 (two cadres a team)
    assert _tallies() == {"130102": (2, 4), "130104": (1, 2), "130202": (1, 2)}
    Cadre.objects.filter(pk=world.members["A"].pk).update(status=Cadre.Status.RECALLED)
    world.leaders["C"].team = world.teams["A"]
    world.leaders["C"].save()  # moved to a team of the other county
    assert _tallies() == {"130102": (2, 4), "130104": (1, 1), "130202": (1, 2)}
    assert tally.differences() == []


def test_rebuild_repairs_the_tallies(world: World) -> None:
    CountyTally.objects.update(teams=0, active_cadres=99)
    assert [county for county, *_ in tally.differences()] == ["130102", "130104", "130202"]
    assert tally.rebuild() == 3
    assert tally.differences() == []


_OPS = st.lists(
    st.tuples(
        st.sampled_from(["status", "move", "delete", "new_team", "team_moves"]),
        st.integers(min_value=0, max_value=5),  # cadre
        st.sampled_from(["active", "recalled", "expired"]),
        st.integers(min_value=0, max_value=2),  # team
    ),
    max_size=20,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=_OPS)
def test_any_sequence_of_changes_leaves_the_tallies_exact(world: World, ops: list[tuple[str, int, str, int]]) -> None:
    with transaction.atomic():  # each example starts from the same world: its changes are rolled back
        codes = ("130104001002", "130102001002", "130104001003")  # free villages of both counties
        spare = [ensure_region(code, f"新村{code[-3:]}").code for code in codes]
        teams = list(Team.objects.order_by("pk"))
        ids = sorted(c.pk for c in (*world.leaders.values(), *world.members.values()))
        for op, who, status, which in ops:
            cadre = Cadre.objects.filter(pk=ids[who])
            if op == "status":
                cadre.update(status=status)
            elif op == "move":
                cadre.update(team=teams[which % len(teams)])
            elif op == "delete":  # a cadre with an account stays (the account protects it)
                cadre.exclude(pk__in=User.objects.exclude(cadre=None).values("cadre_id")).delete()
            elif op == "new_team" and spare:
                teams.append(Team.objects.create(village_id=spare.pop(), unit=world.units["C"]))
            elif op == "team_moves" and spare:
                free = spare.pop()
                Team.objects.filter(pk=teams[which % len(teams)].pk).update(village_id=free)
        assert tally.differences() == []
        transaction.set_rollback(True)
