"""Issue 10 item 6: PostgreSQL restarts. Web processes keep their database connection between requests
(CONN_MAX_AGE); when the server ends it (a restart, a failover, ``pg_terminate_backend``), the next
request must not be the one that finds out with a 500. With ``CONN_HEALTH_CHECKS`` Django tests a
reused connection at the first query of each request and opens a new one (decision 0052).

The requests go through Django's WSGI handler as gunicorn calls it: the test client disconnects the
``close_old_connections`` hooks of request_started and request_finished, the very hooks this is
about. PostgreSQL only (CI always runs it, ZHUCUN_REQUIRE_POSTGRES)."""

from __future__ import annotations

import io
import os
import time
from typing import Any
from wsgiref.util import setup_testing_defaults

import psycopg
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection

from zhucun.testing.world import World, build_world

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql" and not os.environ.get("ZHUCUN_REQUIRE_POSTGRES"):
        pytest.skip("server-side connection loss is proven on PostgreSQL (set DATABASE_URL=postgres://…)")


@pytest.fixture
def world(transactional_db: None) -> World:
    return build_world()


def serve(path: str) -> int:
    """One GET through the WSGI handler, response consumed and closed (request_finished); its status."""
    environ: dict[str, Any] = {"PATH_INFO": path, "wsgi.errors": io.StringIO()}
    setup_testing_defaults(environ)
    environ["HTTP_HOST"] = "testserver"
    statuses: list[str] = []
    start_response: Any = lambda status, headers, exc_info=None: statuses.append(status)  # noqa: E731
    response = WSGIHandler()(environ, start_response)
    try:
        b"".join(response)
    finally:
        response.close()
    return int(statuses[0].split()[0])


def terminate_from_another_session(pid: int) -> None:
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], password=db["PASSWORD"], dbname=db["NAME"], autocommit=True
    ) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        deadline = time.monotonic() + 10
        while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
            assert time.monotonic() < deadline, "the session did not end"
            time.sleep(0.05)


def test_both_requests_answer_when_the_database_drops_the_connection_between_them(world: World) -> None:
    assert connection.settings_dict["CONN_MAX_AGE"] > 0  # connections are reused between requests
    page = f"/public/villages/{world.village('A')}/"
    assert serve(page) == 200
    assert connection.connection is not None, "the connection outlives the request"
    old = connection.connection.info.backend_pid

    terminate_from_another_session(old)  # what a PostgreSQL restart does to every session

    assert serve(page) == 200
    assert connection.connection is not None and connection.connection.info.backend_pid != old
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True  # what made the difference
