"""One world per matrix module instead of one per cell.

The matrices ask thousands of cells (persona × route × target); building the world for each cost more
than the requests themselves and made CI outgrow its 20 minutes. The world is built once per module
inside a transaction that is rolled back at the module's end, and every cell runs in a savepoint of
it that is rolled back after the cell: what one cell writes (a session, a created row, a decision)
is never seen by the next, exactly as with a fresh world.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction

from zhucun.testing.world import World, build_world


@pytest.fixture(scope="module")
def module_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    # Django closes the connection around a request when it is not in autocommit (as inside this
    # transaction); keep it for the module, as the test client does for its own requests.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            yield build_world()
            transaction.set_rollback(True)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def world(module_world: World) -> Iterator[World]:
    """The module's world, the cell's writes rolled back after it (and the personas as they were)."""
    personas = dict(module_world.personas)
    with transaction.atomic():
        yield module_world
        transaction.set_rollback(True)
    module_world.personas.clear()
    module_world.personas.update(personas)
