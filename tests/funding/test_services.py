"""The rules of team funds (第十四条4, 第二十七条), called on the services directly."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import User
from funding import services
from funding.models import FundAccount, LedgerEntry, LedgerIsAppendOnly, OverdueFlag, Reimbursement
from funding.selectors import team_year
from zhucun.api.errors import Conflict
from zhucun.models import AuditEvent, Notification
from zhucun.testing.world import World

TODAY = dt.date(2026, 11, 30)


def _funded(keeper: User, world: World, amount: str = "80000", year: int = 2026) -> FundAccount:
    services.allocation_create(actor=keeper, team=world.teams["A"], year=year, amount=Decimal(amount), today=TODAY)
    return FundAccount.objects.get(team=world.teams["A"], year=year)


def _spend(
    actor: User, world: World, amount: str, *, day: dt.date = dt.date(2026, 11, 2), category: str = "office"
) -> LedgerEntry:
    return services.expense_create(
        actor=actor, team=world.teams["A"], day=day, category=category, amount=amount, description="打印纸", today=TODAY
    )


def test_allocation_defaults_to_the_profiles_80000_from_the_teams_level_第二十七条(world: World, keeper: User) -> None:
    entry = services.allocation_create(actor=keeper, team=world.teams["A"], year=2026, today=TODAY)
    assert entry.amount == Decimal("80000.00")
    assert entry.source_level == "county"  # team A's unit is a county unit: the county's finance pays
    assert FundAccount.objects.get(team=world.teams["A"], year=2026).allocated == Decimal("80000.00")


def test_only_the_stationing_countys_organization_department_keeps_the_account_第十四条4(world: World) -> None:
    for persona in ("province", "city", "township", "unit", "cadre"):
        with pytest.raises(PermissionDenied):
            services.allocation_create(actor=world.personas[persona], team=world.teams["A"], year=2026, today=TODAY)
    # 甲县 keeps A and B; it does not keep 丙县's team C even if it could see it
    with pytest.raises(PermissionDenied):
        services.allocation_create(actor=world.personas["county"], team=world.teams["C"], year=2026, today=TODAY)
    assert not LedgerEntry.objects.exists()


def test_the_teams_leader_books_an_expense_and_a_member_may_not(
    world: World, keeper: User, leader: User, member_account: User
) -> None:
    _funded(keeper, world)
    entry = _spend(leader, world, "120.50")
    assert entry.amount == Decimal("120.50") and entry.created_by == leader
    with pytest.raises(PermissionDenied):
        _spend(member_account, world, "10")
    assert LedgerEntry.objects.filter(kind="expense").count() == 1


@pytest.mark.parametrize(
    ("amount", "field"),
    [
        ("0", "amount"),
        ("-5", "amount"),
        ("12.345", "amount"),
        ("abc", "amount"),
        ("NaN", "amount"),
        ("Infinity", "amount"),
        ("99999999", "amount"),
    ],
)
def test_bad_amounts_are_refused_in_chinese_and_write_nothing(
    world: World, keeper: User, amount: str, field: str
) -> None:
    _funded(keeper, world)
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        _spend(keeper, world, amount)
    assert field in refused.value.message_dict
    assert "元" in " ".join(refused.value.message_dict[field]) or "金额" in " ".join(refused.value.message_dict[field])
    assert LedgerEntry.objects.filter(kind="expense").count() == 0
    assert AuditEvent.objects.count() == before


def test_a_future_date_or_an_unknown_category_is_refused(world: World, keeper: User) -> None:
    _funded(keeper, world)
    with pytest.raises(ValidationError) as future:
        _spend(keeper, world, "10", day=TODAY + dt.timedelta(days=1))
    assert "日期不能晚于今天" in future.value.message_dict["date"][0]
    with pytest.raises(ValidationError) as unknown:
        _spend(keeper, world, "10", category="banquet")
    assert "第二十七条" in unknown.value.message_dict["category"][0]
    assert not LedgerEntry.objects.filter(kind="expense").exists()


def test_an_expense_larger_than_the_balance_is_refused_and_writes_nothing(world: World, keeper: User) -> None:
    account = _funded(keeper, world, "1000")
    _spend(keeper, world, "600")
    with pytest.raises(ValidationError) as refused:
        _spend(keeper, world, "400.01")
    assert "余额不足" in refused.value.message_dict["amount"][0]
    account.refresh_from_db()
    assert account.balance == Decimal("400.00")
    assert LedgerEntry.objects.filter(kind="expense").count() == 1


def test_surplus_uses_spend_only_what_earlier_years_left_第二十七条(world: World, keeper: User) -> None:
    _funded(keeper, world, "80000", year=2025)
    services.expense_create(
        actor=keeper,
        team=world.teams["A"],
        day=dt.date(2025, 6, 1),
        category="meals",
        amount="79000",
        description="伙食补助",
        today=TODAY,
    )
    _funded(keeper, world, "80000", year=2026)
    # 1,000 carried in from 2025: welfare may use it, not this year's allocation
    with pytest.raises(ValidationError) as refused:
        _spend(keeper, world, "1000.01", category="village_welfare")
    assert "往年结余" in refused.value.message_dict["category"][0]
    _spend(keeper, world, "1000", category="village_welfare")
    account = FundAccount.objects.get(team=world.teams["A"], year=2026)
    assert account.surplus_spent == Decimal("1000.00") and account.balance == Decimal("80000.00")


def test_the_year_end_balance_carries_into_next_year_and_a_late_entry_moves_it(world: World, keeper: User) -> None:
    _funded(keeper, world, "80000", year=2025)
    services.expense_create(
        actor=keeper,
        team=world.teams["A"],
        day=dt.date(2025, 5, 1),
        category="office",
        amount="30000",
        description="办公",
        today=TODAY,
    )
    assert services.accounts_open_year(year=2026) == 1
    assert services.accounts_open_year(year=2026) == 0  # idempotent
    assert FundAccount.objects.get(team=world.teams["A"], year=2026).carried_in == Decimal("50000.00")
    # a 2025 receipt booked late still moves 2026's carry-over
    services.expense_create(
        actor=keeper,
        team=world.teams["A"],
        day=dt.date(2025, 12, 20),
        category="heating",
        amount="2000",
        description="取暖",
        today=TODAY,
    )
    assert FundAccount.objects.get(team=world.teams["A"], year=2026).carried_in == Decimal("48000.00")
    assert team_year(team=world.teams["A"], year=2027, today=TODAY).carried_in == Decimal("48000.00")


def test_a_reversal_is_a_new_entry_once_only_and_restores_the_balance(world: World, keeper: User) -> None:
    account = _funded(keeper, world, "1000")
    expense = _spend(keeper, world, "300")
    reversal = services.entry_reverse(actor=keeper, entry=expense, reason="重复登记", today=TODAY)
    assert reversal.kind == "reversal" and reversal.reverses == expense and "重复登记" in reversal.description
    account.refresh_from_db()
    assert account.balance == Decimal("1000.00")
    with pytest.raises(Conflict):
        services.entry_reverse(actor=keeper, entry=expense, reason="再冲一次", today=TODAY)
    with pytest.raises(ValidationError):
        services.entry_reverse(actor=keeper, entry=reversal, reason="冲销冲销", today=TODAY)
    assert LedgerEntry.objects.count() == 3


def test_reversing_an_allocation_cannot_take_the_balance_below_zero(world: World, keeper: User) -> None:
    _funded(keeper, world, "1000")
    allocation = LedgerEntry.objects.get(kind="allocation")
    _spend(keeper, world, "10")
    with pytest.raises(ValidationError):
        services.entry_reverse(actor=keeper, entry=allocation, reason="拨错了", today=TODAY)
    assert not LedgerEntry.objects.filter(kind="reversal").exists()


def test_entries_cannot_be_edited_or_deleted_through_the_models(world: World, keeper: User) -> None:
    _funded(keeper, world)
    entry = LedgerEntry.objects.get()
    entry.amount = Decimal(1)
    with pytest.raises(LedgerIsAppendOnly):
        entry.save()
    with pytest.raises(LedgerIsAppendOnly):
        entry.delete()


def test_reimbursement_batches_settle_each_expense_once_第十四条4(world: World, keeper: User) -> None:
    _funded(keeper, world)
    first, second = _spend(keeper, world, "100"), _spend(keeper, world, "200")
    batch = services.reimbursement_create(
        actor=keeper, team=world.teams["A"], day=TODAY, expense_ids=[first.pk, second.pk], today=TODAY
    )
    assert batch.total == Decimal("300.00") and batch.items.count() == 2
    with pytest.raises(ValidationError) as again:
        services.reimbursement_create(
            actor=keeper, team=world.teams["A"], day=TODAY, expense_ids=[first.pk], today=TODAY
        )
    assert "已报销" in again.value.message_dict["expenses"][0]
    with pytest.raises(ValidationError):  # a settled expense stays (its money was paid back)
        services.entry_reverse(actor=keeper, entry=first, reason="错了", today=TODAY)
    assert Reimbursement.objects.count() == 1


def test_a_batch_naming_another_teams_expense_is_refused(world: World, keeper: User) -> None:
    _funded(keeper, world)
    services.allocation_create(actor=keeper, team=world.teams["B"], year=2026, today=TODAY)
    other = services.expense_create(
        actor=keeper, team=world.teams["B"], day=TODAY, category="office", amount="5", description="B 队", today=TODAY
    )
    with pytest.raises(ValidationError) as refused:
        services.reimbursement_create(
            actor=keeper, team=world.teams["A"], day=TODAY, expense_ids=[other.pk], today=TODAY
        )
    assert "不是本队的支出" in refused.value.message_dict["expenses"][0]


def test_an_expense_waiting_over_two_months_flags_the_team_and_tells_county_and_leader_once(
    world: World, keeper: User, leader: User
) -> None:
    _funded(keeper, world)
    _spend(keeper, world, "50", day=dt.date(2026, 9, 29))  # waits since 29 September
    _spend(keeper, world, "60", day=dt.date(2026, 10, 15))  # not yet two months
    assert team_year(team=world.teams["A"], year=2026, today=TODAY).reimbursement_overdue
    assert services.overdue_flags_raise(today=TODAY) == 1
    assert services.overdue_flags_raise(today=TODAY) == 0  # once a month
    flag = OverdueFlag.objects.get()
    assert flag.expenses == 1 and flag.oldest == dt.date(2026, 9, 29)
    recipients = set(Notification.objects.values_list("recipient_id", flat=True))
    assert recipients == {keeper.pk, leader.pk}
    assert AuditEvent.objects.filter(action="funding.overdue_flag").count() == 1


def test_two_months_ago_is_not_yet_overdue(world: World, keeper: User) -> None:
    _funded(keeper, world)
    _spend(keeper, world, "50", day=dt.date(2026, 9, 30))
    assert not team_year(team=world.teams["A"], year=2026, today=TODAY).reimbursement_overdue
    assert services.overdue_flags_raise(today=TODAY) == 0


def test_every_ledger_change_is_audited_with_the_account_before_and_after(world: World, keeper: User) -> None:
    _funded(keeper, world, "1000")
    expense = _spend(keeper, world, "250")
    event = AuditEvent.objects.get(action="funding.expense_create")
    assert event.actor == keeper and event.object_id == str(expense.pk)
    assert event.before == {
        "account": {
            "carried_in": "0.00",
            "allocated": "1000.00",
            "spent": "0.00",
            "surplus_spent": "0.00",
            "balance": "1000.00",
        }
    }
    assert event.after is not None and event.after["account"]["balance"] == "750.00"
    assert event.region_code == world.village("A")


def test_the_responsible_person_is_recorded_and_audited_专人负责(world: World, keeper: User) -> None:
    account = services.account_set_responsible(
        actor=keeper, team=world.teams["A"], year=2026, name="王会计", phone="13800000000"
    )
    assert account.responsible_name == "王会计"
    assert AuditEvent.objects.filter(action="funding.account_set_responsible").exists()
    with pytest.raises(ValidationError):
        services.account_set_responsible(actor=keeper, team=world.teams["A"], year=2026, name="王会计", phone="123")
