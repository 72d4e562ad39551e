"""身份证号 are masked everywhere by default — lists, pages, API, every xlsx export — for every role,
the county office included (issue 10 item 11, docs/decisions/0062-id-numbers.md). The county
organization department reveals one cadre's full number by an explicit, audited action whose answer is
never cached, and exports the full numbers only through a separate, audited export."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from cadres.idnumbers import mask_id_number
from cadres.models import Cadre
from tests.conftest import api_as
from zhucun.models import AuditEvent
from zhucun.testing.roster import roster_bytes, roster_row
from zhucun.testing.world import PERSONAS, World


def _page(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.personas[persona])
    return client


def _sheet_text(content: bytes) -> str:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(
        "\t".join("" if value is None else str(value) for value in row)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
    )


def _all_numbers(world: World) -> list[str]:
    return list(Cadre.objects.values_list("id_number", flat=True))


def _no_store(response: Any) -> bool:
    return "no-store" in response.get("Cache-Control", "")


# --- masked everywhere by default ---------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_role_sees_a_full_id_number_in_the_cadre_api(world: World, persona: str) -> None:
    client = api_as(world.personas[persona])
    cadre = world.leaders["A"]

    listed = client.get(reverse("api:cadre-list"), {"page_size": 200}).json()["results"]
    detail = client.get(reverse("api:cadre-detail", args=[cadre.pk])).json()

    assert listed and all(row["id_number"] == mask_id_number(row_number(row)) for row in listed)
    assert detail["id_number"] == mask_id_number(cadre.id_number)


def row_number(row: dict[str, Any]) -> str:
    return Cadre.objects.get(pk=row["id"]).id_number


def test_the_cadre_page_shows_the_county_a_masked_number_and_a_reveal_button(world: World) -> None:
    cadre = world.leaders["A"]

    body = _page(world, "county").get(reverse("cadre-detail", args=[cadre.pk])).content.decode()

    assert cadre.id_number not in body
    assert mask_id_number(cadre.id_number) in body
    assert reverse("cadre-reveal-id-number", args=[cadre.pk]) in body


@pytest.mark.parametrize("persona", ["province", "city", "township", "unit", "cadre"])
def test_other_roles_see_no_reveal_button(world: World, persona: str) -> None:
    cadre = world.leaders["A"]

    body = _page(world, persona).get(reverse("cadre-detail", args=[cadre.pk])).content.decode()

    assert cadre.id_number not in body
    assert reverse("cadre-reveal-id-number", args=[cadre.pk]) not in body


@pytest.mark.parametrize("persona", ["county", "province", "township"])
def test_every_xlsx_export_masks_id_numbers_even_for_the_county(world: World, persona: str) -> None:
    client = _page(world, persona)
    exports = [
        ("get", reverse("cadre-list") + "?export=xlsx"),
        ("get", reverse("attendance-register", args=["130102001"])),
        ("post", reverse("assessment-export", args=[2026])),
        ("get", reverse("assessment-recall-export")),
    ]
    for method, url in exports:
        response = getattr(client, method)(url)
        assert response.status_code == 200, (url, response.status_code)
        text = _sheet_text(b"".join(response.streaming_content) if response.streaming else response.content)
        assert not [number for number in _all_numbers(world) if number in text], url


def test_audit_events_of_a_roster_import_keep_the_number_masked(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    number = roster_row()[11]
    upload = SimpleUploadedFile("花名册.xlsx", roster_bytes([roster_row()]))
    response = api_as(world.personas["county"]).post(reverse("api:roster-import"), {"file": upload}, format="multipart")
    assert response.status_code == 201, response.content

    event = AuditEvent.objects.get(action="cadre.create")
    assert event.after is not None and str(number) not in str(event.after)
    assert event.after["id_number"] == mask_id_number(str(number))


# --- the audited reveal ---------------------------------------------------------------------------------


def test_the_county_reveals_one_cadres_number_through_the_api_audited_and_not_cached(world: World) -> None:
    cadre = world.leaders["A"]
    county = world.personas["county"]

    response = api_as(county).post(reverse("api:cadre-reveal-id-number", args=[cadre.pk]))

    assert response.status_code == 200, response.content
    assert response.json() == {"id": cadre.pk, "id_number": cadre.id_number}
    assert _no_store(response)
    event = AuditEvent.objects.get(action="cadre.reveal_id_number")
    assert (event.actor, event.object_type, event.object_id) == (county, "cadres.cadre", str(cadre.pk))
    assert event.at is not None
    assert event.region_code == cadre.team.village_id
    assert cadre.id_number not in f"{event.before}{event.after}{event.object_repr}"


def test_each_reveal_is_a_new_audit_event(world: World) -> None:
    client = api_as(world.personas["county"])
    url = reverse("api:cadre-reveal-id-number", args=[world.members["B"].pk])

    client.post(url)
    client.post(url)

    assert AuditEvent.objects.filter(action="cadre.reveal_id_number").count() == 2


@pytest.mark.parametrize("persona", ["province", "city", "township", "unit", "cadre"])
def test_other_roles_may_not_reveal_and_nothing_is_audited(world: World, persona: str) -> None:
    response = api_as(world.personas[persona]).post(reverse("api:cadre-reveal-id-number", args=[world.leaders["A"].pk]))

    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="cadre.reveal_id_number").exists()


def test_a_county_may_not_reveal_a_cadre_of_another_county(world: World) -> None:
    response = api_as(world.personas["county"]).post(
        reverse("api:cadre-reveal-id-number", args=[world.leaders["C"].pk])
    )

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="cadre.reveal_id_number").exists()


def test_the_reveal_button_shows_the_number_once_in_place(world: World) -> None:
    cadre = world.leaders["A"]
    client = _page(world, "county")
    url = reverse("cadre-reveal-id-number", args=[cadre.pk])

    fragment = client.post(url, headers={"HX-Request": "true"})
    again = client.get(reverse("cadre-detail", args=[cadre.pk])).content.decode()

    assert fragment.status_code == 200
    assert cadre.id_number in fragment.content.decode()
    assert "<html" not in fragment.content.decode()
    assert _no_store(fragment)
    assert cadre.id_number not in again  # the page itself stays masked
    assert AuditEvent.objects.filter(action="cadre.reveal_id_number", object_id=str(cadre.pk)).count() == 1


def test_the_reveal_without_javascript_renders_the_page_with_the_number(world: World) -> None:
    cadre = world.leaders["A"]

    response = _page(world, "county").post(reverse("cadre-reveal-id-number", args=[cadre.pk]))

    assert response.status_code == 200
    assert cadre.id_number in response.content.decode()
    assert _no_store(response)


def test_the_reveal_is_a_post_only(world: World) -> None:
    response = _page(world, "county").get(reverse("cadre-reveal-id-number", args=[world.leaders["A"].pk]))

    assert response.status_code == 405
    assert not AuditEvent.objects.filter(action="cadre.reveal_id_number").exists()


# --- the separate export with full numbers -------------------------------------------------------------


def test_the_county_exports_full_numbers_separately_audited_with_its_filters(world: World) -> None:
    county = world.personas["county"]
    url = reverse("cadre-export-id-numbers") + f"?unit={world.units['A'].pk}"

    response = _page(world, "county").post(url)

    assert response.status_code == 200
    assert _no_store(response)
    text = _sheet_text(response.content)
    assert world.leaders["A"].id_number in text and world.members["A"].id_number in text
    assert world.leaders["B"].id_number not in text  # unit B's cadre: filtered out
    event = AuditEvent.objects.get(action="cadre.export_id_numbers")
    assert event.actor == county
    assert event.after == {"filters": {"unit": str(world.units["A"].pk)}, "rows": 2}
    assert event.region_code == "130102"


def test_the_list_page_offers_the_full_export_to_the_county_only(world: World) -> None:
    assert reverse("cadre-export-id-numbers") in _page(world, "county").get(reverse("cadre-list")).content.decode()
    assert (
        reverse("cadre-export-id-numbers") not in _page(world, "province").get(reverse("cadre-list")).content.decode()
    )


@pytest.mark.parametrize("persona", ["province", "city", "township", "unit", "cadre"])
def test_other_roles_may_not_export_full_numbers(world: World, persona: str) -> None:
    response = _page(world, persona).post(reverse("cadre-export-id-numbers"))

    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="cadre.export_id_numbers").exists()


def test_the_full_export_with_a_filter_out_of_scope_exports_nothing_and_audits_nothing(world: World) -> None:
    response = _page(world, "county").post(reverse("cadre-export-id-numbers") + f"?unit={world.units['C'].pk}")

    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action="cadre.export_id_numbers").exists()
