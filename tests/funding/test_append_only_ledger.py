"""The ledger is append-only in the database (PostgreSQL). A file of its own: transactional tests stay apart from the
others under pytest-xdist (decision 0101)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from funding.models import LedgerEntry
from tests.funding.test_services import _funded
from zhucun.testing.world import World


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_database_refuses_to_edit_or_delete_an_entry_on_postgresql(world: World) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's (SQLite is the embedded demo database)")
    from django.db import DatabaseError, transaction

    _funded(world.personas["county"], world)
    entry_id = LedgerEntry.objects.get().pk
    for statement in (
        "UPDATE funding_ledgerentry SET amount = 1 WHERE id = %s",
        "DELETE FROM funding_ledgerentry WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [entry_id])
    assert LedgerEntry.objects.get().amount == Decimal("80000.00")
