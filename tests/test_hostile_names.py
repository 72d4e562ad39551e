"""Stored XSS (issue 10 item 1): region, unit, team and cadre names from a roster are data, never
markup. In a world whose every name carries a payload (zhucun/testing/hostile.py), every GET route of
the URL resolver (the permission matrix's entries, which cover them all) is walked as each persona that
may see it, and no HTML page may contain a payload unescaped."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import Client
from django.utils.html import escape
from rest_framework.test import APIClient

from tests.matrix.common import Case
from tests.test_permission_matrix import EXTRA_CELLS, MATRIX, _anonymous_status
from zhucun.testing.hostile import ATTRIBUTE, PAYLOADS, SCRIPT, TEMPLATE, build_hostile_world
from zhucun.testing.world import PERSONAS, TARGETS, World

CASES: dict[str, Case] = {**MATRIX, **EXTRA_CELLS}
GET_ROUTES = sorted(name for name, case in CASES.items() if case.method == "get")

#: what must never reach a browser as markup: the payloads and their working parts
RAW = (SCRIPT, ATTRIBUTE, "<script>alert(2)", "<img src=x onerror", "</script><script>")
#: what a page that shows a name contains instead (a template payload is inert text as it is)
SHOWN = (escape(SCRIPT), escape(ATTRIBUTE), TEMPLATE)

#: the pages whose job is to show names: each must show them, escaped, to everyone who may see it
NAME_PAGES = {
    "account-list",
    "archive-cadre",
    "archive-team",
    "assessment-accountability",
    "assessment-cadre-file",
    "assessment-grid",
    "assessment-recall-detail",
    "assessment-recall-list",
    "attendance-dashboard",
    "attendance-dashboard-region",
    "attendance-today",
    "cadre-detail",
    "cadre-list",
    "households-region",
    "leave-detail",
    "leave-inbox",
    "leave-mine",
    "leave-register",
    "public-poster",
    "public-village",
    "region-detail",
    "region-tree",
    "team-detail",
    "team-list",
}
#: …except where the page is empty for that persona: the province decides no leave
EMPTY = {("leave-inbox", "province")}


@pytest.fixture
def hostile_world(db: None) -> World:
    return build_hostile_world()


def _visits(name: str, case: Case) -> Iterator[tuple[str | None, str]]:
    """(target, persona) for every cell of the route that answers 200."""
    for target in TARGETS if case.per_target else (None,):
        for persona in (*PERSONAS, "anonymous"):
            expected = _anonymous_status(name, case) if persona == "anonymous" else case.expect(persona, target)
            if expected == 200:
                yield target, persona


def _context(body: str, needle: str) -> str:
    at = body.index(needle)
    return body[max(0, at - 120) : at + len(needle) + 40]


@pytest.mark.parametrize("name", GET_ROUTES)
def test_hostile_names_render_as_text_on_every_page(hostile_world: World, name: str) -> None:
    case = CASES[name]
    set_up: set[str | None] = set()
    html_pages = 0
    for target, persona in _visits(name, case):
        if case.setup and target not in set_up:
            case.setup(hostile_world, target)
            set_up.add(target)
        client: Client | APIClient = APIClient() if case.api else Client()
        if persona != "anonymous":
            client.force_login(hostile_world.personas[persona])
        response = client.get(case.url(hostile_world, target))
        assert response.status_code == 200, (name, persona, target)
        if not response.get("Content-Type", "").startswith("text/html"):
            continue  # JSON and xlsx carry names as data; they are not parsed as HTML
        html_pages += 1
        body = response.content.decode()
        for raw in RAW:
            assert raw not in body, f"{name} as {persona} ({target}) prints a name raw: …{_context(body, raw)}…"
        if name in NAME_PAGES and (name, persona) not in EMPTY:
            assert any(shown in body for shown in SHOWN), f"{name} as {persona} ({target}) shows no name"
    if name in NAME_PAGES:
        assert html_pages, f"{name} was expected to be an HTML page that shows names"


def test_hostile_names_are_text_in_the_admin(hostile_world: World, admin_client: Client) -> None:
    """The operators' admin lists the same names: Django's admin escapes them too."""
    for model in ("region", "unit", "team", "cadre"):
        body = admin_client.get(f"/{settings.ADMIN_URL}cadres/{model}/").content.decode()
        for raw in RAW:
            assert raw not in body, (model, _context(body, raw))
        assert any(shown in body for shown in SHOWN), model


def test_the_hostile_world_carries_every_payload_in_every_kind_of_name(hostile_world: World) -> None:
    from cadres.models import Cadre, Region, Unit

    for payload in PAYLOADS:
        assert Region.objects.filter(name__contains=payload).exists()
        assert Unit.objects.filter(name__contains=payload).exists()
    for payload in (SCRIPT, ATTRIBUTE):
        assert Cadre.objects.filter(name__contains=payload).count() >= 4
