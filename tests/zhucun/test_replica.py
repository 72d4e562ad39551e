"""Dashboards, registers and exports read from the streaming replica; everything that writes or decides
stays on the primary; a person who has just written reads the primary (issue 16 item 3, decision 0103).

The suite runs without a replica; the ``mirror`` fixture adds the ``replica`` alias as a second
connection to the test database (a mirror) and turns the routing on. The tests commit their rows
(``transaction=True``) so the mirror's connection sees them, as a replica would."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cadres.models import Cadre
from zhucun import replica
from zhucun.testing.world import build_world


@pytest.fixture
def configured() -> Iterator[None]:
    """A ``replica`` alias pointing at the test database, with the routing on."""
    connections.settings[replica.REPLICA] = {**connections["default"].settings_dict}
    try:
        with override_settings(ZHUCUN_REPLICA_ENABLED=True):
            yield
    finally:
        del connections.settings[replica.REPLICA]


@pytest.fixture
def mirror(configured: None) -> Iterator[BaseDatabaseWrapper]:
    """``replica``: a second connection to the test database (the mirror), closed afterwards. Opened here
    by hand: Django's test case refuses to open a connection for an alias it was not told of when it
    started, and the alias must not exist for the rest of the suite."""
    connection = connections[replica.REPLICA]
    connection.connect()
    try:
        yield connection
    finally:
        connections[replica.REPLICA].close()
        del connections[replica.REPLICA]


def _reads(captured: CaptureQueriesContext, table: str) -> int:
    """SELECTs of ``table``, a server-side cursor's (DECLARE … FOR SELECT, an export's iterator) too."""
    return sum(
        1
        for q in captured.captured_queries
        if q["sql"].lstrip().upper().startswith(("SELECT", "DECLARE")) and table in q["sql"]
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_county_dashboard_reads_the_replica_until_the_person_has_just_written(
    mirror: BaseDatabaseWrapper,
) -> None:
    world = build_world()
    client = Client()
    client.force_login(world.personas["county"])
    url = reverse("attendance-dashboard-region", args=["130102"])
    mirror_connection = mirror

    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(mirror_connection) as on_mirror,
    ):
        page = client.get(url)
    assert page.status_code == 200
    assert _reads(on_mirror, "cadres_cadre") > 0  # the dashboard's rows came from the replica
    assert _reads(primary, "cadres_cadre") == 0
    assert _reads(primary, "django_session") == 1  # who is asking is known before the view, on the primary

    client.cookies[replica.COOKIE] = "1"  # what a successful write leaves (next test)
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(mirror_connection) as on_mirror,
    ):
        again = client.get(url)
    assert again.status_code == 200
    assert len(on_mirror.captured_queries) == 0
    assert _reads(primary, "cadres_cadre") > 0


@pytest.mark.usefixtures("configured")
@override_settings(ZHUCUN_REPLICA_LAG_SECONDS=10)
@pytest.mark.parametrize(
    ("method", "status", "pinned"), [("post", 302, True), ("post", 400, False), ("get", 200, False)]
)
def test_a_successful_write_keeps_the_writer_on_the_primary_for_the_lag(method: str, status: int, pinned: bool) -> None:
    middleware = replica.PrimaryAfterWriteMiddleware(lambda request: HttpResponse(status=status))
    response = middleware(getattr(RequestFactory(), method)("/leave/1/decide/"))
    assert (replica.COOKIE in response.cookies) is pinned
    if pinned:
        assert response.cookies[replica.COOKIE]["max-age"] == 10


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # outside the test's own transaction, as a view runs
def test_the_router_sends_only_marked_reads_outside_transactions_to_the_replica() -> None:
    router = replica.ReplicaRouter()
    with replica.replica_reads():  # no replica configured: everything on the primary
        assert router.db_for_read(Cadre) is None
    connections.settings[replica.REPLICA] = {**connections["default"].settings_dict}
    try:
        _routes(router)
    finally:
        del connections.settings[replica.REPLICA]
    assert router.allow_migrate("replica", "cadres") is False
    assert router.allow_migrate("default", "cadres") is True


def _routes(router: replica.ReplicaRouter) -> None:
    with override_settings(ZHUCUN_REPLICA_ENABLED=True):
        assert router.db_for_read(Cadre) is None  # an unmarked view: the primary
        with replica.replica_reads():
            assert router.db_for_read(Cadre) == "replica"
            assert Cadre.objects.all().db == "replica"
            with transaction.atomic():  # a service deciding something reads what it locks
                assert router.db_for_read(Cadre) is None
            assert router.db_for_write(Cadre) == "default"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_list_export_reads_the_replica_and_audits_on_the_primary(mirror: BaseDatabaseWrapper) -> None:
    world = build_world()
    client = Client()
    client.force_login(world.personas["county"])
    with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(mirror) as on_mirror:
        download = client.get(reverse("cadre-list") + "?export=xlsx")
    assert download.status_code == 200 and download.content[:2] == b"PK"
    assert _reads(on_mirror, "cadres_cadre") > 0  # the rows came from the replica
    assert _reads(primary, "cadres_cadre") == 0
    assert any(q["sql"].startswith("INSERT") and "zhucun_auditevent" in q["sql"] for q in primary.captured_queries)
    assert not any(q["sql"].startswith("INSERT") for q in on_mirror.captured_queries)
