"""The reference API (API.md "Reference data"): the fields the mobile client relies on, filters,
search, masking of ID numbers and phones, and the jobs command."""

from __future__ import annotations

from django.core.management import call_command
from django.urls import reverse

from cadres.models import Cadre
from tests.conftest import api_as
from zhucun.testing.world import World


def test_a_team_carries_its_village_and_unit(world: World) -> None:
    team = world.teams["A"]
    body = api_as(world.personas["township"]).get(reverse("api:team-detail", args=[team.pk])).json()
    assert body["id"] == team.pk
    assert body["village"] == {"code": "130102001001", "name": "甲村"}
    assert body["unit"] == {"id": world.units["A"].pk, "name": "甲县卫生健康局", "level": "county"}
    assert body["township"] == {"code": "130102001", "name": "甲一镇"}
    assert body["member_count"] == 2


def test_a_cadre_carries_the_contract_fields_with_a_masked_id_number(world: World) -> None:
    cadre = world.leaders["A"]
    body = api_as(world.personas["township"]).get(reverse("api:cadre-detail", args=[cadre.pk])).json()
    assert {"id", "name", "role", "status", "team", "unit", "id_number"} <= set(body)
    assert body["role"] == "first_secretary_leader"
    assert body["status"] == "active"
    assert body["team"]["id"] == world.teams["A"].pk
    assert body["id_number"] == cadre.id_number[:6] + "********" + cadre.id_number[-4:]


def test_no_role_reads_id_numbers_in_clear_not_even_the_county_office(world: World) -> None:
    """The county office reveals one number by an audited action (tests/cadres/test_id_number_reveal.py)."""
    cadre = world.leaders["A"]
    for persona in ("county", "township", "province", "cadre"):
        body = api_as(world.personas[persona]).get(reverse("api:cadre-detail", args=[cadre.pk])).json()
        assert body["id_number"] != cadre.id_number, persona


def test_cadre_filters_and_search(world: World) -> None:
    client = api_as(world.personas["province"])
    url = reverse("api:cadre-list")
    assert client.get(url, {"role": "member"}).json()["count"] == 4
    assert client.get(url, {"region": "1301"}).json()["count"] == 6
    assert client.get(url, {"unit": world.units["C"].pk}).json()["count"] == 2
    assert [c["name"] for c in client.get(url, {"search": "丁村书记"}).json()["results"]] == ["丁村书记"]
    Cadre.objects.filter(pk=world.members["D"].pk).update(status=Cadre.Status.RECALLED)
    assert client.get(url, {"status": "recalled"}).json()["count"] == 1


def test_regions_list_children_of_a_parent(world: World) -> None:
    body = api_as(world.personas["county"]).get(reverse("api:region-list"), {"parent": "130102"}).json()
    assert [r["code"] for r in body["results"]] == ["130102001", "130102002"]
    assert body["count"] == 2


def test_run_jobs_runs_every_scheduled_job_once(world: World, capsys: object) -> None:
    import datetime as dt

    Cadre.objects.filter(pk=world.members["C"].pk).update(term_end=dt.date(2020, 1, 1))
    call_command("run_jobs")
    assert Cadre.objects.get(pk=world.members["C"].pk).status == Cadre.Status.EXPIRED
    call_command("run_jobs")  # idempotent: nothing more changes
    assert Cadre.objects.filter(status=Cadre.Status.EXPIRED).count() == 1
