"""zhucun/audit.py: a change and its audit event commit or roll back together."""

from __future__ import annotations

import pytest
from django.db import transaction

from accounts.models import User
from accounts.services import account_create
from zhucun.audit import audit_record
from zhucun.models import AuditEvent
from zhucun.testing.world import PASSWORD, World


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_audit_outside_a_transaction_is_refused(world: World) -> None:
    assert not transaction.get_connection().in_atomic_block
    with pytest.raises(RuntimeError, match="inside the service's transaction"):
        audit_record(actor=None, action="x", obj=world.teams["A"])


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
