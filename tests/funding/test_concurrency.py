"""Twenty expenses at the same moment on a thin account, each on its own connection: the team's row
lock makes them book one at a time, so the balance never goes below zero (issue 12). PostgreSQL only
(SQLite serializes whole writes); CI always runs it."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import pytest
from django.db import connection

from funding import services
from funding.models import FundAccount, LedgerEntry
from tests.leave.test_concurrency import _race
from zhucun.testing.world import World, build_world

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def world(transactional_db: None) -> World:
    return build_world()


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql" and not os.environ.get("ZHUCUN_REQUIRE_POSTGRES"):
        pytest.skip("row locks are proven on PostgreSQL (set DATABASE_URL=postgres://…)")


def test_twenty_parallel_expenses_never_take_the_balance_below_zero(world: World) -> None:
    keeper, team = world.personas["county"], world.teams["A"]
    today = dt.date(2026, 11, 30)
    services.allocation_create(actor=keeper, team=team, year=2026, amount=Decimal(1000), today=today)

    def spend() -> object:
        return services.expense_create(
            actor=keeper, team=team, day=today, category="office", amount="150", description="并发", today=today
        )

    outcomes = _race(*[spend for _ in range(20)])
    booked = [o for o in outcomes if isinstance(o, LedgerEntry)]
    assert len(booked) == 6, outcomes  # 6 × 150 = 900 ≤ 1000 < 7 × 150
    account = FundAccount.objects.get(team=team, year=2026)
    assert account.balance == Decimal("100.00") and account.spent == Decimal("900.00")
    assert LedgerEntry.objects.filter(kind="expense").count() == 6
