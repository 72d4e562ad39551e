"""zhucun/audit.py refuses to record outside a transaction. A file of its own: transactional tests stay apart from the
others under pytest-xdist (decision 0101)."""

from __future__ import annotations

import pytest
from django.db import transaction

from zhucun.audit import audit_record
from zhucun.testing.world import World


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_audit_outside_a_transaction_is_refused(world: World) -> None:
    assert not transaction.get_connection().in_atomic_block
    with pytest.raises(RuntimeError, match="inside the service's transaction"):
        audit_record(actor=None, action="x", obj=world.teams["A"])
