"""The running totals the overviews read (migration 0004): each account's expenses still waiting for
reimbursement and the oldest one's date, and its net spending per category. The services keep them in
the same transaction as the entry; these tests recount them from the ledger after every kind of change
and would fail if one service forgot them (the overview would show a paid team as overdue, or a
reversed expense in the chart)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, Min, Q, Sum

from accounts.models import User
from cadres.models import Region
from funding import selectors, services
from funding.models import CategorySpend, FundAccount, LedgerEntry
from zhucun.testing.world import World

TODAY = dt.date(2026, 11, 30)


def running_totals_recounted() -> dict[int, tuple[int, dt.date | None, dict[str, Decimal]]]:
    """Every account's waiting expenses, oldest waiting date and net spending by category, from the ledger."""
    waiting = {
        row["account_id"]: (row["n"], row["oldest"])
        for row in selectors.open_expenses().values("account_id").annotate(n=Count("id"), oldest=Min("date"))
    }
    spent: dict[int, dict[str, Decimal]] = {}
    for row in (
        LedgerEntry.objects.exclude(category="")
        .values("account_id", "category")
        .annotate(e=Sum("amount", filter=Q(kind="expense")), r=Sum("amount", filter=Q(kind="reversal")))
    ):
        spent.setdefault(row["account_id"], {})[row["category"]] = (row["e"] or Decimal(0)) - (row["r"] or Decimal(0))
    return {
        pk: (*waiting.get(pk, (0, None)), spent.get(pk, {})) for pk in FundAccount.objects.values_list("pk", flat=True)
    }


def running_totals_kept() -> dict[int, tuple[int, dt.date | None, dict[str, Decimal]]]:
    spent: dict[int, dict[str, Decimal]] = {}
    for row in CategorySpend.objects.all():
        spent.setdefault(row.account_id, {})[row.category] = row.spent
    return {a.pk: (a.waiting_expenses, a.oldest_waiting, spent.get(a.pk, {})) for a in FundAccount.objects.all()}


def _spend(actor: User, world: World, amount: str, day: dt.date, category: str = "office") -> LedgerEntry:
    return services.expense_create(
        actor=actor, team=world.teams["A"], day=day, category=category, amount=amount, description="打印纸", today=TODAY
    )


def test_expenses_reversals_and_batches_keep_the_running_totals_equal_to_the_ledger(
    world: World, keeper: User, leader: User
) -> None:
    team = world.teams["A"]
    services.allocation_create(actor=keeper, team=team, year=2025, amount=Decimal("80000"), today=TODAY)
    services.allocation_create(actor=keeper, team=team, year=2026, amount=Decimal("80000"), today=TODAY)
    old = _spend(keeper, world, "300", dt.date(2025, 12, 20), "heating")
    march = _spend(leader, world, "120.50", dt.date(2026, 3, 2))
    wrong = _spend(keeper, world, "999", dt.date(2026, 3, 1), "meals")
    _spend(keeper, world, "45", dt.date(2026, 10, 8), "postage")
    assert running_totals_kept() == running_totals_recounted()
    account_2026 = FundAccount.objects.get(team=team, year=2026)
    assert (account_2026.waiting_expenses, account_2026.oldest_waiting) == (3, dt.date(2026, 3, 1))

    services.entry_reverse(actor=keeper, entry=wrong, reason="金额录错", today=TODAY)
    assert running_totals_kept() == running_totals_recounted()
    account_2026.refresh_from_db()
    assert (account_2026.waiting_expenses, account_2026.oldest_waiting) == (2, dt.date(2026, 3, 2))
    assert CategorySpend.objects.get(account=account_2026, category="meals").spent == 0

    # one batch across two years' accounts
    services.reimbursement_create(actor=keeper, team=team, day=dt.date(2026, 4, 1), expense_ids=[old.pk, march.pk],
                                  today=TODAY)  # fmt: skip
    assert running_totals_kept() == running_totals_recounted()
    account_2025 = FundAccount.objects.get(team=team, year=2025)
    assert (account_2025.waiting_expenses, account_2025.oldest_waiting) == (0, None)
    account_2026.refresh_from_db()
    assert (account_2026.waiting_expenses, account_2026.oldest_waiting) == (1, dt.date(2026, 10, 8))


def test_the_overview_reads_the_running_totals_for_overdue_teams_and_the_chart(world: World, keeper: User) -> None:
    team = world.teams["A"]
    services.allocation_create(actor=keeper, team=team, year=2026, amount=Decimal("80000"), today=TODAY)
    late = _spend(keeper, world, "200", dt.date(2026, 8, 1), "transport")  # before 2026-09-30: overdue
    _spend(keeper, world, "50", dt.date(2026, 11, 1), "transport")
    county = Region.objects.get(code=team.village_id[:6])
    data = selectors.overview(user=keeper, region=county, year=2026, today=TODAY)
    assert [row.overdue_teams for row in data.rows if row.team_id == team.pk] == [1]
    assert data.by_category == [("transport", "必要交通费", Decimal("250.00"))]
    services.reimbursement_create(actor=keeper, team=team, day=TODAY, expense_ids=[late.pk], today=TODAY)
    province = Region.objects.get(code="13")
    data = selectors.overview(user=world.personas["province"], region=province, year=2026, today=TODAY)
    assert data.totals.overdue_teams == 0
    assert data.by_category == [("transport", "必要交通费", Decimal("250.00"))]


def test_the_migration_fills_the_running_totals_from_an_existing_ledger(world: World, keeper: User) -> None:
    team = world.teams["A"]
    services.allocation_create(actor=keeper, team=team, year=2026, amount=Decimal("80000"), today=TODAY)
    first = _spend(keeper, world, "300", dt.date(2026, 6, 1), "meals")
    second = _spend(keeper, world, "80", dt.date(2026, 7, 1), "office")
    _spend(keeper, world, "20", dt.date(2026, 8, 1), "office")
    services.entry_reverse(actor=keeper, entry=second, reason="重复登记", today=TODAY)
    services.reimbursement_create(actor=keeper, team=team, day=TODAY, expense_ids=[first.pk], today=TODAY)
    expected = running_totals_recounted()
    # as the ledger stood before the running totals existed
    CategorySpend.objects.all().delete()
    FundAccount.objects.update(waiting_expenses=0, oldest_waiting=None)
    migration = import_module("funding.migrations.0004_running_waiting_and_categories")
    migration.fill_from_the_ledger(apps, connection.schema_editor())
    assert running_totals_kept() == expected
    assert expected[FundAccount.objects.get(team=team).pk][:2] == (1, dt.date(2026, 8, 1))


@pytest.mark.parametrize("kind", ["allocation", "expense"])
def test_a_refused_entry_leaves_the_running_totals_alone(world: World, keeper: User, kind: str) -> None:
    services.allocation_create(actor=keeper, team=world.teams["A"], year=2026, amount=Decimal("100"), today=TODAY)
    _spend(keeper, world, "60", dt.date(2026, 6, 1))
    before = running_totals_kept()
    allocation = LedgerEntry.objects.get(kind="allocation")

    def refused() -> object:
        if kind == "expense":
            return _spend(keeper, world, "60", dt.date(2026, 6, 2))  # only 40 left
        return services.entry_reverse(actor=keeper, entry=allocation, reason="错拨", today=TODAY)  # would leave -60

    with pytest.raises(ValidationError, match="余额不足"):
        refused()
    assert running_totals_kept() == before
