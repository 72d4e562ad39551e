"""zhucun/audit.py: a change and its audit event commit or roll back together."""

from __future__ import annotations

import pytest
from django.db import transaction

from accounts.models import User
from accounts.services import account_create
from zhucun.models import AuditEvent
from zhucun.testing.world import PASSWORD, World


def _create_then_fail(world: World) -> None:
    with transaction.atomic():
        account_create(
            actor=world.personas["county"], username="tmp", password=PASSWORD, role="township", scope="130102002"
        )
        raise ValueError("the caller fails after the write")


def test_a_rolled_back_change_leaves_no_audit_event(world: World) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(ValueError, match="after the write"):
        _create_then_fail(world)
    assert AuditEvent.objects.count() == before
    assert not User.objects.filter(username="tmp").exists()


def test_an_account_change_is_audited_with_actor_and_after(world: World) -> None:
    user = account_create(
        actor=world.personas["city"], username="tmp2", password=PASSWORD, role="township", scope="130104001"
    )
    event = AuditEvent.objects.get(object_type="accounts.user", object_id=str(user.pk))
    assert event.actor == world.personas["city"]
    assert event.after == {
        "username": "tmp2",
        "role": "township",
        "region_id": "130104001",
        "unit_id": None,
        "cadre_id": None,
    }
    assert event.before is None


@pytest.mark.django_db
def test_many_events_are_stored_exactly_as_given(world: World) -> None:
    """audit_record_many (COPY on PostgreSQL, bulk_create elsewhere) keeps every value as it is:
    quotes, backslashes, tabs, new lines, Chinese, a JSON string, nulls; each event gets its id and time."""
    from zhucun.audit import audit_record_many

    tricky = ['他说"好"', "back\\slash\ttab\nline", "", "\\N", "{}", "甲村,乙村", None]
    events = [
        AuditEvent(
            actor=world.personas["county"],
            action="cadre.update",
            object_type="cadres.cadre",
            object_id=str(n),
            object_repr=value or "",
            region_code="130102001001",
            before=None if n == 0 else {"name": value, "n": n, "nested": [value, {"k": value}]},
            after=value,
        )
        for n, value in enumerate(tricky)
    ]
    with transaction.atomic():
        audit_record_many(events)
    assert all(event.pk is not None and event.at is not None for event in events)
    stored = {event.pk: event for event in AuditEvent.objects.filter(action="cadre.update")}
    assert len(stored) == len(events)
    for event in events:
        row = stored[event.pk]
        assert (row.object_id, row.object_repr, row.before, row.after, row.actor_id, row.at) == (
            event.object_id,
            event.object_repr,
            event.before,
            event.after,
            event.actor_id,
            event.at,
        )
