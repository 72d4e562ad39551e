"""The authorization matrix: every route × every persona × targets at increasing distance (A in
scope for everyone; B a sibling township; C a sibling county; D another city — see
zhucun/testing/world.py). Out of scope is 404, in scope but not allowed is 403 (SPEC.md "Row-level
permissions"). Entries live in tests/matrix/<app>.py; a route without an entry fails
``test_every_route_is_in_the_matrix``."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from tests.matrix import (
    accounts,
    archive,
    assessment,
    attendance,
    audit,
    core,
    duties,
    funding,
    households,
    leave,
    opinions,
    party,
    supervision,
    terms,
    training,
)
from tests.matrix.common import Case
from tests.matrix.shared_world import module_world, world  # noqa: F401 (fixtures: one world per module)
from zhucun.testing.world import PASSWORD, PERSONAS, TARGETS, World

#: Each cell runs in a savepoint of the module's world (tests/matrix/shared_world.py).
pytestmark = pytest.mark.django_db


def _merge(*parts: dict[str, Case]) -> dict[str, Case]:
    merged: dict[str, Case] = {}
    for part in parts:
        duplicated = set(merged) & set(part)
        assert not duplicated, f"routes listed twice in the matrix: {duplicated}"
        merged.update(part)
    return merged


MATRIX = _merge(
    core.MATRIX,
    attendance.MATRIX,
    leave.MATRIX,
    assessment.MATRIX,
    accounts.MATRIX,
    audit.MATRIX,
    funding.MATRIX,
    terms.MATRIX,
    duties.MATRIX,
    supervision.MATRIX,
    households.MATRIX,
    training.MATRIX,
    archive.MATRIX,
    party.MATRIX,
    opinions.MATRIX,
)
EXTRA_CELLS = {
    **core.EXTRA,
    **attendance.EXTRA,
    **leave.EXTRA,
    **assessment.EXTRA,
    **accounts.EXTRA,
    **audit.EXTRA,
    **funding.EXTRA,
    **terms.EXTRA,
    **duties.EXTRA,
    **supervision.EXTRA,
    **households.EXTRA,
    **training.EXTRA,
    **archive.EXTRA,
    **party.EXTRA,
    **opinions.EXTRA,
}


def _route_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list[Any], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                if pattern.namespace == "admin":
                    names.add("admin")
                    continue
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern):
                names.add(f"{namespace}{pattern.name}" if pattern.name else f"<unnamed {pattern.pattern}>")

    walk(get_resolver().url_patterns, "")
    return names


def test_every_route_is_in_the_matrix() -> None:
    """A new route must be added to MATRIX with its expectations, or this fails."""
    assert _route_names() - set(MATRIX) == set()
    assert set(MATRIX) - _route_names() == set()


def _cells() -> list[Any]:
    cells = []
    for name, case in [*MATRIX.items(), *EXTRA_CELLS.items()]:
        for persona in (*PERSONAS, "anonymous"):
            for target in TARGETS if case.per_target else (None,):
                cells.append(pytest.param(name, case, persona, target, id=f"{name}-{persona}-{target or 'any'}"))
    return cells


def _client(case: Case, world: World, persona: str) -> Client | APIClient:
    client: Client | APIClient = APIClient() if case.api else Client()
    if persona != "anonymous":
        client.force_login(world.personas[persona])
    return client


@pytest.mark.parametrize(("name", "case", "persona", "target"), _cells())
def test_matrix(world: World, name: str, case: Case, persona: str, target: str | None) -> None:
    response = request_cell(world, name, case, persona, target)

    expected = _anonymous_status(name, case) if persona == "anonymous" else case.expect(persona, target)
    assert response.status_code == expected, (name, persona, target, getattr(response, "content", b"")[:300])

    if case.lists and target is not None and persona != "anonymous" and response.status_code == 200:
        marker = case.lists(world, target)
        body = response.content.decode()
        assert (marker in body) == (target in case.list_visible[persona]), (name, persona, target, marker)


def request_cell(world: World, name: str, case: Case, persona: str, target: str | None) -> Any:
    """One cell's request, as ``persona`` (also the administrators of tests/test_admin_matrix.py)."""
    client = _client(case, world, persona)
    if case.setup:
        case.setup(world, target)
    url = case.url(world, target)
    data = case.data(world, target) if case.data else None
    if name == "api:auth-token":
        username = world.personas[persona].username if persona != "anonymous" else "nobody"
        data = {"username": username, "password": PASSWORD}
    if case.method == "get":
        response = client.get(url)
    elif case.method == "put":
        response = client.put(url, data or {}, format="json")
    elif case.method == "patch":
        response = client.patch(url, data or {}, format="json")
    elif case.multipart:
        response = client.post(url, data or {}, format="multipart") if case.api else client.post(url, data or {})
    else:
        response = client.post(url, data or {}, format="json") if case.api else client.post(url, data or {})
    return response


def _anonymous_status(name: str, case: Case) -> int:
    if case.anonymous is not None:
        return case.anonymous
    return 401 if case.api else 302
