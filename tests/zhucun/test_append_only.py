"""Issue 10 item 7: the audit trail and the policy profile versions are append-only in the database
itself — no UPDATE, DELETE or TRUNCATE gets through, whoever sends it (zhucun/append_only.py); only
the retention purge may delete, and only events older than 180 days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from zhucun import append_only
from zhucun.audit import audit_record
from zhucun.models import AuditEvent, PolicyProfileVersion
from zhucun.testing.world import World


@contextmanager
def _clock(at: dt.datetime) -> Iterator[None]:
    """Django's now() at ``at`` (auto_now_add stamps events with it); the database keeps its own clock."""
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=at):
        yield


def old_event(days: int, **fields: object) -> AuditEvent:
    with _clock(timezone.now() - dt.timedelta(days=days)):
        return AuditEvent.objects.create(action="team.update", object_type="cadres.team", object_id="1", **fields)


def _event(world: World) -> AuditEvent:
    with transaction.atomic():
        return audit_record(actor=world.personas["county"], action="team.update", obj=world.teams["A"])


def test_an_audit_event_cannot_be_rewritten_in_the_database(world: World) -> None:
    event = _event(world)
    with pytest.raises(IntegrityError, match="操作记录只能追加"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="forged", actor=None)
    event.object_repr = "伪造"
    with pytest.raises(IntegrityError), transaction.atomic():
        event.save()
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.action, stored.actor_id) == ("team.update", world.personas["county"].pk)


def test_an_audit_event_cannot_be_deleted_in_the_database(world: World) -> None:
    event = _event(world)
    with pytest.raises(IntegrityError, match="操作记录只能追加"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM zhucun_auditevent")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_even_an_old_event_is_not_deleted_without_the_purge_permit(db: None) -> None:
    event = old_event(400)
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_purge_permit_deletes_only_events_older_than_180_days(db: None) -> None:
    young = old_event(170)
    with pytest.raises(IntegrityError), append_only.permit("audit_purge"):
        AuditEvent.objects.filter(pk=young.pk).delete()
    assert AuditEvent.objects.filter(pk=young.pk).exists()

    old = old_event(181)
    with append_only.permit("audit_purge"):
        AuditEvent.objects.filter(pk=old.pk).delete()
    assert not AuditEvent.objects.filter(pk=old.pk).exists()


def test_the_purge_permit_ends_with_its_transaction(db: None) -> None:
    first, second = old_event(400), old_event(400)
    with append_only.permit("audit_purge"):
        AuditEvent.objects.filter(pk=first.pk).delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.filter(pk=second.pk).delete()


def test_the_purge_permit_never_allows_an_update(db: None) -> None:
    event = old_event(400)
    with pytest.raises(IntegrityError), append_only.permit("audit_purge"):
        AuditEvent.objects.filter(pk=event.pk).update(action="forged")


def test_a_policy_version_cannot_be_edited_or_deleted_in_the_database(db: None) -> None:
    version = PolicyProfileVersion.objects.create(
        name="2021年全国模板", effective_from=dt.date(2021, 7, 1), overrides={"term_years": 2}
    )
    with pytest.raises(IntegrityError, match="政策参数版本只能新增"), transaction.atomic():
        PolicyProfileVersion.objects.filter(pk=version.pk).update(effective_from=dt.date(2019, 1, 1))
    with pytest.raises(IntegrityError, match="政策参数版本只能新增"), transaction.atomic():
        version.delete()
    with pytest.raises(IntegrityError), append_only.permit("audit_purge"):
        PolicyProfileVersion.objects.filter(pk=version.pk).delete()
    assert PolicyProfileVersion.objects.get(pk=version.pk).effective_from == dt.date(2021, 7, 1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's (SQLite has none)")
def test_the_audit_trail_and_policy_versions_cannot_be_truncated(db: None) -> None:
    for table, refusal in (("zhucun_auditevent", "操作记录只能追加"), ("zhucun_policyprofileversion", "只能新增")):
        with pytest.raises(IntegrityError, match=refusal), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {table} CASCADE")


def test_a_user_who_acted_cannot_be_deleted_so_the_trail_keeps_its_actor(world: World) -> None:
    from django.db.models import ProtectedError

    event = _event(world)
    with pytest.raises(ProtectedError):
        world.personas["county"].delete()
    assert AuditEvent.objects.get(pk=event.pk).actor_id == world.personas["county"].pk


def test_bulk_audit_events_are_still_written(world: World) -> None:
    """COPY (PostgreSQL) and bulk INSERT fire no UPDATE/DELETE trigger."""
    from zhucun.audit import audit_event, audit_record_many

    events = [
        audit_event(actor=None, action="cadre.import", obj=cadre, before=None, after={"n": n})
        for n, cadre in enumerate(world.leaders.values())
    ]
    with transaction.atomic():
        audit_record_many(events)
    assert AuditEvent.objects.filter(action="cadre.import").count() == len(events)


def test_the_triggers_are_installed_and_checked(db: None) -> None:
    assert len(append_only.installed(connection)) == 4
    call_command("check", databases=["default"])  # zhucun.E002 would raise
    append_only.uninstall(connection)
    try:
        with pytest.raises(SystemCheckError, match=r"zhucun\.E002"):
            call_command("check", databases=["default"])
    finally:
        append_only.install(connection)
    assert len(append_only.installed(connection)) == 4
