"""No GET route answers hostile query parameters with a 5xx (issue 10 item 8; the walk is described in
tests/zhucun/hostile_walk.py)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlencode

import pytest

from tests.matrix.shared_world import module_world, world  # noqa: F401 (fixtures: one world per module)
from tests.test_permission_matrix import MATRIX
from tests.zhucun.hostile_walk import (
    HOSTILE_VALUES,
    WALKERS,
    client_for,
    recording_keys,
    server_error,
    valid_url,
    walked_keys,
)
from zhucun.testing.world import World

#: Each route is walked in a savepoint of the module's world (tests/matrix/shared_world.py).
pytestmark = pytest.mark.django_db

GET_ROUTES = sorted(name for name, case in MATRIX.items() if case.method == "get" and name not in {"admin", "schema"})


def _one_key_at_a_time(keys: list[str]) -> Iterator[dict[str, str]]:
    """Every key with every hostile value, alone: nothing else in the request can answer first."""
    for key in keys:
        for value in HOSTILE_VALUES:
            yield {key: value}


def _every_key_at_once(keys: list[str]) -> Iterator[dict[str, str]]:
    """Every key hostile in every request, the values rotated (a Latin square): each (key, value) pair
    is sent once, in len(HOSTILE_VALUES) requests whatever the number of keys."""
    for shift in range(len(HOSTILE_VALUES)) if keys else ():
        yield {key: HOSTILE_VALUES[(i + shift) % len(HOSTILE_VALUES)] for i, key in enumerate(keys)}


#: The province walks each (key, value) pair alone, so nothing in the request can answer first. The
#: township's branch of the same view (its own dashboard, its own lists) gets the same pairs all keys at
#: once: a seventh of the requests on a page of seven parameters (walking every pair alone as both
#: personas took a sixth of the suite), at a price — a view that refuses one hostile key before reading
#: the next (a 404 for a hostile ``region``) hides the later keys from the township's walk. A 500 the
#: province's walk finds is the common case (seen: an error planted in the dashboard's ``month`` was
#: reported by the province alone).
WALKS = {"province": _one_key_at_a_time, "township": _every_key_at_once}


def test_both_walks_send_every_key_every_hostile_value() -> None:
    keys = ["month", "region", "q"]
    everything = {(key, value) for key in keys for value in HOSTILE_VALUES}
    for walk in WALKS.values():
        sent = [(key, value) for params in walk(keys) for key, value in params.items()]
        assert len(sent) == len(everything) and set(sent) == everything, walk.__name__
    assert len(list(_every_key_at_once(keys))) == len(HOSTILE_VALUES)
    assert not list(_every_key_at_once([]))


@pytest.mark.parametrize("name", GET_ROUTES)
def test_no_get_route_answers_hostile_query_parameters_with_a_server_error(world: World, name: str) -> None:
    case = MATRIX[name]
    url = valid_url(world, case)
    failures: list[str] = []
    for persona in WALKERS:
        client = client_for(world, persona, case)
        with recording_keys() as keys:
            client.get(url)
        base = url.partition("?")[0]
        for params in WALKS[persona](walked_keys(keys)):
            full = f"{base}?{urlencode(params)}"
            failures += server_error(client.get(full), "GET", full, persona)
    assert not failures, "\n".join(failures)
