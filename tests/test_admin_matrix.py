"""The permission matrix for the three administrators (三员分立, issue 10 item 12): every route of
tests/test_permission_matrix.py, as each administrator, against targets inside and outside the
security administrator's county. Kept apart from the six-persona matrix so adding them changed none
of its cells; a route missing from tests/matrix/admins.py fails ``test_every_route_has_an_answer…``."""

from __future__ import annotations

from typing import Any

import pytest

from tests.matrix import admins
from tests.matrix.shared_world import module_world, world  # noqa: F401 (fixtures: one world per module)
from tests.test_permission_matrix import EXTRA_CELLS, MATRIX, request_cell
from zhucun.testing.world import ADMIN_PERSONAS, World, add_administrators

#: Each cell runs in a savepoint of the module's world (tests/matrix/shared_world.py).
pytestmark = pytest.mark.django_db

CASES = {**MATRIX, **EXTRA_CELLS}


def test_every_route_has_an_answer_for_the_administrators() -> None:
    assert set(CASES) - set(admins.EXPECT) == set()
    assert set(admins.EXPECT) - set(CASES) == set()


def _cells() -> list[Any]:
    return [
        pytest.param(name, persona, target, id=f"{name}-{persona}-{target or 'any'}")
        for name, case in CASES.items()
        for persona in ADMIN_PERSONAS
        for target in (admins.ADMIN_TARGETS if case.per_target else (None,))
    ]


@pytest.mark.parametrize(("name", "persona", "target"), _cells())
def test_admin_matrix(world: World, name: str, persona: str, target: str | None) -> None:
    add_administrators(world)
    case = CASES[name]
    response = request_cell(world, name, case, persona, target)
    expected = admins.EXPECT[name](persona, target)
    assert response.status_code == expected, (name, persona, target, getattr(response, "content", b"")[:300])
    if case.lists and target is not None and response.status_code == 200:
        marker = case.lists(world, target)
        shown = marker in response.content.decode()
        assert shown == (target in admins.visible(name, persona)), (name, persona, target, marker)
