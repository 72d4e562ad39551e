"""The funds of the benchmark province (funding/scale.py, called by seed_scale): a ledger the services
could have written — totals equal to the entries, reversals of the team's own unsettled expenses,
batches that settle only what was due — on the tiny preset, through the same COPY / bulk path."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.db.models import Count
from django.utils import timezone

from accounts.models import User
from cadres.models import Region, Team
from funding import selectors
from funding.models import SURPLUS_CATEGORIES, Category, FundAccount, LedgerEntry, Reimbursement, ReimbursementItem
from funding.scale import seed_funds_scale
from tests.funding.test_running_totals import running_totals_kept, running_totals_recounted
from zhucun.management.commands.seed_scale import ScaleSize, seed_scale
from zhucun.policy import profile_cache_clear

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture(scope="module")
def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def seeded(today: dt.date) -> Iterator[int]:
    seed_scale(size=ScaleSize.small(), today=today)
    yield today.year - 1
    profile_cache_clear()


def test_every_team_gets_last_years_account_with_about_sixty_entries(seeded: int) -> None:
    teams = Team.objects.count()
    assert FundAccount.objects.filter(year=seeded).count() == teams == 20
    per_account = list(LedgerEntry.objects.values("account_id").annotate(n=Count("id")).values_list("n", flat=True))
    assert len(per_account) == teams
    assert all(55 <= n <= 66 for n in per_account), per_account
    assert not LedgerEntry.objects.exclude(date__year=seeded).exists()
    assert not LedgerEntry.objects.filter(date__gte=timezone.localdate()).exists()
    expense_categories = set(LedgerEntry.objects.filter(kind="expense").values_list("category", flat=True))
    assert expense_categories <= set(Category.values) - set(SURPLUS_CATEGORIES)
    assert len(expense_categories) >= 6


def test_the_account_totals_are_the_sums_of_the_entries(seeded: int) -> None:
    sums: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    entries = {e.pk: e for e in LedgerEntry.objects.all()}
    for entry in entries.values():
        sums[entry.account_id][entry.kind] += entry.amount
        if entry.kind == "reversal":
            assert entry.reverses_id is not None
            undone = entries[entry.reverses_id]
            assert undone.kind == "expense" and undone.account_id == entry.account_id
            assert undone.amount == entry.amount and undone.category == entry.category
            assert undone.date <= entry.date
    for account in FundAccount.objects.all():
        kinds = sums[account.pk]
        assert account.allocated == kinds["allocation"] > 0
        assert account.spent == kinds["expense"] - kinds["reversal"]
        assert account.carried_in == account.surplus_spent == 0
        assert 0 < account.balance < account.allocated
        assert account.village_code == account.team.village_id
        assert account.responsible_name


def test_batches_settle_only_due_unreversed_expenses(seeded: int) -> None:
    reversed_ids = set(LedgerEntry.objects.filter(kind="reversal").values_list("reverses_id", flat=True))
    totals: Counter[int] = Counter()
    for item in ReimbursementItem.objects.select_related("expense__account", "reimbursement"):
        expense, batch = item.expense, item.reimbursement
        assert expense.kind == "expense" and expense.pk not in reversed_ids
        assert expense.date <= batch.date and expense.account.team_id == batch.team_id
        totals[batch.pk] += int(expense.amount * 100)
    batches = list(Reimbursement.objects.all())
    assert batches and all(totals[b.pk] == int(b.total * 100) for b in batches)
    assert ReimbursementItem.objects.count() > LedgerEntry.objects.filter(kind="expense").count() * 0.6
    # the overview reads them as it would the services' rows
    province = Region.objects.get(code="13")
    user = User.objects.get(username="bench_province")
    data = selectors.overview(user=user, region=province, year=seeded)
    assert data.totals.teams == 20
    assert data.totals.allocated == sum(a.allocated for a in FundAccount.objects.all())
    assert data.by_category and all(net > 0 for _, _, net in data.by_category)


def test_the_running_totals_are_those_the_services_would_keep(seeded: int) -> None:
    kept = running_totals_kept()
    assert kept == running_totals_recounted()
    assert sum(waiting for waiting, _, _ in kept.values()) > 0
    assert all(len(by_category) >= 6 for _, _, by_category in kept.values())


def test_it_seeds_once(seeded: int, today: dt.date) -> None:
    entries = LedgerEntry.objects.count()
    assert seed_funds_scale(year=seeded, today=today) == {}
    assert LedgerEntry.objects.count() == entries
