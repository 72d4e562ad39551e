"""No POST route answers hostile body values with a 5xx (issue 10 item 8; tests/zhucun/hostile_walk.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from tests.matrix.common import Case
from tests.matrix.shared_world import module_world, world  # noqa: F401 (fixtures: one world per module)
from tests.test_permission_matrix import MATRIX
from tests.zhucun.hostile_walk import HOSTILE_VALUES, client_for, recording_keys, server_error, valid_url, walked_keys
from zhucun.testing.world import PERSONAS, World

#: Each route is walked in a savepoint of the module's world (tests/matrix/shared_world.py).
pytestmark = pytest.mark.django_db


def _allowed_persona(case: Case) -> str | None:
    """A persona that passes the role check on target A, so that the body is read at all."""
    for persona in PERSONAS:
        if case.expect(persona, "A" if case.per_target else None) < 400:
            return persona
    return None


POST_ROUTES = sorted(name for name, case in MATRIX.items() if case.method == "post" and name != "api:auth-token")


@pytest.mark.parametrize("name", POST_ROUTES)
def test_no_post_route_answers_hostile_body_values_with_a_server_error(world: World, name: str) -> None:
    """Each key the view reads from the body gets each hostile value in turn, the others valid."""
    case = MATRIX[name]
    persona = _allowed_persona(case)
    if persona is None:
        pytest.skip("no persona may use this route on target A")
    client = client_for(world, persona, case)
    url = valid_url(world, case)
    valid = dict(case.data(world, "A")) if case.data else {}
    with recording_keys() as keys, transaction.atomic():
        _post(client, case, url, _fresh(dict(valid)))
        transaction.set_rollback(True)
    failures: list[str] = []
    for key in walked_keys(keys | set(valid)):
        for value in HOSTILE_VALUES:
            # Each call is undone, so the next one finds the target as the set-up left it (undecided).
            with transaction.atomic():
                response = _post(client, case, url, {**_fresh(valid), key: value})
                transaction.set_rollback(True)
            failures += server_error(response, "POST", url, f"{key}={value[:20]!r}")
    assert not failures, "\n".join(failures)


def _fresh(data: dict[str, Any]) -> dict[str, Any]:
    """Uploads are read once: rewind them for the next call."""
    for value in data.values():
        if hasattr(value, "seek"):
            value.seek(0)
    return data


def _post(client: Client, case: Case, url: str, data: dict[str, Any]) -> Any:
    if not case.api:
        return client.post(url, data)
    return client.post(url, data, format="multipart" if case.multipart else "json")
