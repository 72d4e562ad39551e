"""No route answers hostile path segments with a 5xx (issue 10 item 8; tests/zhucun/hostile_walk.py)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.urls import resolve

from tests.matrix.shared_world import module_world, world  # noqa: F401 (fixtures: one world per module)
from tests.test_permission_matrix import MATRIX
from tests.zhucun.hostile_walk import HOSTILE_SEGMENTS, WALKERS, client_for, server_error, valid_url
from zhucun.testing.world import World

#: Each route is walked in a savepoint of the module's world (tests/matrix/shared_world.py).
pytestmark = pytest.mark.django_db

PATH_ROUTES = sorted(name for name, case in MATRIX.items() if name not in {"admin", "schema"})


@pytest.mark.parametrize("name", PATH_ROUTES)
def test_no_route_answers_hostile_path_segments_with_a_server_error(world: World, name: str) -> None:
    case = MATRIX[name]
    url = valid_url(world, case).partition("?")[0]
    match = resolve(url)
    if not match.kwargs:
        pytest.skip("the route takes no path parameter")
    failures: list[str] = []
    for persona in WALKERS:
        client = client_for(world, persona, case)
        for key, value in match.kwargs.items():
            original = f"/{quote(str(value))}/"
            assert original in url, (url, key)
            for hostile in HOSTILE_SEGMENTS:
                encoded = hostile if hostile.startswith("%") else quote(hostile, safe="")
                hostile_url = url.replace(original, f"/{encoded}/", 1)
                response = getattr(client, case.method)(hostile_url)
                failures += server_error(response, case.method.upper(), hostile_url, persona)
    assert not failures, "\n".join(failures)
