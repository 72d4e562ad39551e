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

from assessment.models import ExportJob
from assessment.services import export_job_run
from cadres.models import Cadre
from tests.assessment.helpers import YEAR
from zhucun import replica
from zhucun.testing.world import World, build_world


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
@pytest.mark.parametrize(
    ("route", "query"),
    [("cadre-list", "?export=xlsx"), ("api:assessment-export", f"?year={YEAR}")],  # the workbook, built in the request
)
def test_an_export_reads_the_replica_and_audits_on_the_primary(
    mirror: BaseDatabaseWrapper, route: str, query: str
) -> None:
    world = build_world()
    client = Client()
    client.force_login(world.personas["county"])
    with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(mirror) as on_mirror:
        download = client.get(reverse(route) + query)
    body = b"".join(download.streaming_content) if download.streaming else download.content  # type: ignore[attr-defined]
    assert download.status_code == 200 and body[:2] == b"PK"
    assert _reads(on_mirror, "cadres_cadre") > 0  # the rows came from the replica
    assert _reads(primary, "cadres_cadre") == 0
    assert any(q["sql"].startswith("INSERT") and "zhucun_auditevent" in q["sql"] for q in primary.captured_queries)
    assert not any(q["sql"].startswith("INSERT") for q in on_mirror.captured_queries)


# --- the assessment workbook built by a job (the one built in the request: the test above) -----------


def _workbook_job(world: World) -> ExportJob:
    """A county's workbook job, as ``export_job_create`` leaves it: queued, committed on the primary."""
    return ExportJob.objects.create(user=world.personas["county"], year=YEAR)


def _writes(captured: CaptureQueriesContext) -> list[str]:
    sql = (q["sql"] for q in captured.captured_queries)
    return [statement for statement in sql if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_workbook_job_reads_the_replica_and_writes_its_file_status_and_audit_on_the_primary(
    mirror: BaseDatabaseWrapper,
) -> None:
    job = _workbook_job(build_world())
    with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(mirror) as on_mirror:
        export_job_run(job_id=job.pk)
    assert _reads(on_mirror, "cadres_cadre") > 0 and _reads(on_mirror, "assessment_assessmentresult") > 0  # the bulk
    assert _reads(primary, "cadres_cadre") == 0 and _reads(primary, "assessment_assessmentresult") == 0
    assert _reads(primary, "assessment_exportjob") == 1  # the job's own row, just written
    assert _reads(on_mirror, "assessment_exportjob") == 1  # has the replica replayed it? (it has)
    assert _writes(on_mirror) == []
    written = " ".join(_writes(primary))
    assert "assessment_exportjob" in written and "zhucun_auditevent" in written  # progress, file, status; the end
    job.refresh_from_db()
    assert (job.status, job.rows) == (ExportJob.Status.DONE, 2 + 4 + 2)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_workbook_job_reads_the_primary_while_the_replica_has_not_replayed_its_row(
    mirror: BaseDatabaseWrapper, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A replica behind the primary by more than the time between asking and the job starting: the
    round the requester finalized just before asking may not be on it. The job reads the primary."""
    job = _workbook_job(build_world())
    monkeypatch.setattr(replica, "replicated", lambda row: False)  # a replica that lags (next test: the check)
    with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(mirror) as on_mirror:
        export_job_run(job_id=job.pk)
    assert on_mirror.captured_queries == []
    assert _reads(primary, "cadres_cadre") > 0 and _reads(primary, "assessment_assessmentresult") > 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reads_after_a_row_go_to_the_replica_only_once_it_has_the_row(mirror: BaseDatabaseWrapper) -> None:
    job = _workbook_job(build_world())
    not_yet_replayed = ExportJob(pk=job.pk + 1000)  # a row the replica lacks, as a lagging one lacks the newest
    for after, replayed in ((not_yet_replayed, False), (job, True)):
        with (
            CaptureQueriesContext(connections["default"]) as primary,
            CaptureQueriesContext(mirror) as on_mirror,
            replica.replica_reads(after=after),
        ):
            list(Cadre.objects.all())
        assert _reads(on_mirror, "assessment_exportjob") == 1  # one question decides, for the whole block
        assert (_reads(on_mirror, "cadres_cadre"), _reads(primary, "cadres_cadre")) == ((1, 0) if replayed else (0, 1))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_without_a_replica_the_workbook_job_reads_and_writes_the_primary() -> None:
    job = _workbook_job(build_world())
    with CaptureQueriesContext(connections["default"]) as primary:
        export_job_run(job_id=job.pk)  # no replica alias: asking it anything would fail
    assert _reads(primary, "cadres_cadre") > 0
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
