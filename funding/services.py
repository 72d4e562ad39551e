"""Writes of team funds (第十四条4, 第二十七条). Money moves only through these services.

Every service takes the team's row lock first (``select_for_update``): a team's entries are booked one
at a time, so the balance each one checks is the balance it changes — 20 concurrent expenses on a
thin account cannot take it below zero (tests/funding/test_concurrency.py). The account rows carry the
running totals; an entry dated in an earlier year also moves the carry-over of every later year
(第二十七条 可转入下年度使用), under the same lock. Each service records its audit event in the same
transaction and refuses bad input with a Chinese message naming the field, writing nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Min
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from cadres.models import Cadre, Region, Team
from zhucun.api.errors import Conflict
from zhucun.audit import audit_event, audit_record, audit_record_many, snapshot, update_audited
from zhucun.documents import document_clean
from zhucun.notifications import Message, notify_many
from zhucun.policy import profile_on

from . import policies
from .models import (
    Category,
    CategorySpend,
    FundAccount,
    InsuranceGapFlag,
    InsurancePolicy,
    LedgerEntry,
    OverdueFlag,
    Receipt,
    Reimbursement,
    ReimbursementItem,
)

_TOTALS = ("carried_in", "allocated", "spent", "surplus_spent")
MAX_RECEIPTS_PER_ENTRY = 6


def _lock_team(team: Team) -> Team:
    """The team's row lock: every ledger write of a team runs under it (see the module docstring)."""
    return Team.objects.select_for_update().select_related("unit").get(pk=team.pk)


def _accounts_from(team: Team, year: int) -> list[FundAccount]:
    """The team's account for ``year`` (opened if missing) and every later one, oldest first. Runs
    under the team lock, so opening cannot race."""
    accounts = list(FundAccount.objects.filter(team=team, year__gte=year).order_by("year"))
    if not accounts or accounts[0].year != year:
        accounts.insert(0, _open(team, year))
    return accounts


def _open(team: Team, year: int) -> FundAccount:
    """A new account for ``year``, carrying in the balance of the team's latest earlier account."""
    previous = FundAccount.objects.filter(team=team, year__lt=year).order_by("-year").first()
    return FundAccount.objects.create(
        team=team,
        year=year,
        village_code=team.village_id,
        carried_in=previous.balance if previous else Decimal(0),
        responsible_name=previous.responsible_name if previous else "",
        responsible_phone=previous.responsible_phone if previous else "",
    )


def _shift(
    accounts: list[FundAccount],
    *,
    allocated: Decimal = Decimal(0),
    spent: Decimal = Decimal(0),
    surplus: Decimal = Decimal(0),
) -> None:
    """Apply a change of the first account's totals, and carry its balance change into every later
    account; refuse (nothing written yet) when any balance would go below zero."""
    delta = allocated - spent
    first, later = accounts[0], accounts[1:]
    if first.balance + delta < 0 or any(account.balance + delta < 0 for account in later):
        lowest = min(account.balance for account in accounts)
        raise ValidationError({"amount": [f"余额不足：当前可用余额为 {lowest:,.2f} 元，本笔会使账户余额为负。"]})
    if first.surplus_spent + surplus > first.carried_in:
        available = first.carried_in - first.surplus_spent
        raise ValidationError(
            {"category": [f"公益事业和帮扶慰问只能使用往年结余：{first.year} 年可用结余为 {available:,.2f} 元。"]}
        )
    if any(account.carried_in + delta < account.surplus_spent for account in later):
        raise ValidationError({"amount": ["以后年度已使用了这部分结余，不能再调整本年度金额。"]})
    first.allocated += allocated
    first.spent += spent
    first.surplus_spent += surplus
    first.save(update_fields=["allocated", "spent", "surplus_spent"])
    for account in later:
        account.carried_in += delta
        account.save(update_fields=["carried_in"])


def _spend_in_category(account: FundAccount, category: str, amount: Decimal) -> None:
    """Move the account's net spending in ``category`` by ``amount`` (negative for a reversal): the
    running total the overviews' chart reads (``CategorySpend``). Under the team lock."""
    row, _ = CategorySpend.objects.get_or_create(
        account=account, category=category, defaults={"village_code": account.village_code}
    )
    CategorySpend.objects.filter(pk=row.pk).update(spent=F("spent") + amount)


def _refresh_waiting(account_ids: Iterable[int]) -> None:
    """Recount the accounts' expenses still waiting for reimbursement and the date of the oldest, from
    the ledger (after an expense, a reversal or a batch). Under the team lock; three queries."""
    from .selectors import open_expenses

    ids = sorted(set(account_ids))
    waiting = {
        row["account_id"]: (row["n"], row["oldest"])
        for row in open_expenses()
        .filter(account_id__in=ids)
        .values("account_id")
        .annotate(n=Count("id"), oldest=Min("date"))
        .order_by()
    }
    accounts = list(FundAccount.objects.filter(pk__in=ids))
    for account in accounts:
        account.waiting_expenses, account.oldest_waiting = waiting.get(account.pk, (0, None))
    FundAccount.objects.bulk_update(accounts, ["waiting_expenses", "oldest_waiting"])


def _totals(account: FundAccount) -> dict[str, str]:
    return {**snapshot(account, _TOTALS), "balance": str(account.balance)}


def _record(actor: User | None, action: str, entry: LedgerEntry, account: FundAccount, before: dict[str, str]) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=entry,
        before={"account": before},
        after={"entry": snapshot(entry), "account": _totals(account)},
        region_code=entry.village_code,
    )


def _require_keeper(actor: User, team: Team) -> None:
    if not policies.is_keeper(actor, team):
        raise PermissionDenied("工作经费由驻村工作队所在县的县委组织部专账管理，您无权进行此操作。")


@transaction.atomic
def allocation_create(
    *,
    actor: User,
    team: Team,
    year: int,
    amount: Decimal | None = None,
    source_level: str = "",
    is_subsidy: bool = False,
    day: dt.date | None = None,
    description: str = "",
    today: dt.date | None = None,
) -> LedgerEntry:
    """Book an allocation into the team's account for ``year`` (第二十七条; the provincial subsidy for
    counties in difficulty is an allocation with ``is_subsidy``). Only the keeper (第十四条4)."""
    _require_keeper(actor, team)
    today = today or timezone.localdate()
    policies.clean_year(year, today=today)
    day = day or (today if today.year == year else dt.date(year, 1, 1) if year > today.year else dt.date(year, 12, 31))
    if day > today and year <= today.year:
        raise ValidationError({"date": ["日期不能晚于今天。"]})
    if day.year != year:
        raise ValidationError({"date": [f"日期应在 {year} 年内。"]})
    profile = profile_on(day)
    amount = policies.clean_amount(policies.default_allocation(profile) if amount is None else amount)
    if is_subsidy:
        source_level = "province"  # 第二十七条: 财政确有困难的县，省级财政给予适当补贴
    source_level = source_level or policies.default_source_level(team)
    if source_level not in ("province", "city", "county"):
        raise ValidationError({"source_level": ["资金来源应为省级、市级或县级财政。"]})
    team = _lock_team(team)
    accounts = _accounts_from(team, year)
    before = _totals(accounts[0])
    _shift(accounts, allocated=amount)
    entry = LedgerEntry.objects.create(
        account=accounts[0],
        village_code=team.village_id,
        kind=LedgerEntry.Kind.ALLOCATION,
        date=day,
        amount=amount,
        source_level=source_level,
        is_subsidy=is_subsidy,
        description=(description.strip() or ("省级困难县补贴" if is_subsidy else f"{year} 年工作经费"))[:200],
        created_by=actor,
    )
    _record(actor, "funding.allocation_create", entry, accounts[0], before)
    return entry


@transaction.atomic
def expense_create(
    *,
    actor: User,
    team: Team,
    day: dt.date,
    category: str,
    amount: Decimal | str,
    description: str,
    receipts: Iterable[IO[bytes]] = (),
    today: dt.date | None = None,
) -> LedgerEntry:
    """Book an expense (第二十七条) with its receipts. The keeper or the team's own leader."""
    if not policies.may_book_expense(actor, team):
        raise PermissionDenied("只有本队队长或县委组织部可以登记支出。")
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    clean: dict[str, object] = {}
    for field, check in (
        ("amount", lambda: policies.clean_amount(amount)),
        ("category", lambda: policies.check_category(category)),
        ("date", lambda: policies.clean_entry_date(day, year=day.year, today=today)),
        ("year", lambda: policies.clean_year(day.year, today=today, field="date")),
    ):
        try:
            clean[field] = check()
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    description = (description or "").strip()
    if not description:
        errors.setdefault("description", []).append("请填写摘要，例如“购买办公用品（打印纸、墨盒）”。")
    files = list(receipts)
    if len(files) > MAX_RECEIPTS_PER_ENTRY:
        errors.setdefault("receipt", []).append(f"每笔支出最多上传 {MAX_RECEIPTS_PER_ENTRY} 个凭证。")
    cleaned_files = []
    if not errors:
        for upload in files:
            cleaned_files.append(document_clean(upload, field="receipt"))
    if errors:
        raise ValidationError(errors)
    value = clean["amount"]
    assert isinstance(value, Decimal)
    team = _lock_team(team)
    accounts = _accounts_from(team, day.year)
    before = _totals(accounts[0])
    _shift(accounts, spent=value, surplus=value if policies.is_surplus_use(category) else Decimal(0))
    entry = LedgerEntry.objects.create(
        account=accounts[0],
        village_code=team.village_id,
        kind=LedgerEntry.Kind.EXPENSE,
        date=day,
        amount=value,
        category=category,
        description=description[:200],
        created_by=actor,
    )
    for cleaned in cleaned_files:
        Receipt.objects.create(
            entry=entry,
            village_code=entry.village_code,
            kind=cleaned.kind,
            file=cleaned.content,
            original_name=cleaned.original_name,
            size=cleaned.size,
            sha256=cleaned.sha256,
            uploaded_by=actor,
        )
    _spend_in_category(accounts[0], category, value)
    _refresh_waiting([accounts[0].pk])
    _record(actor, "funding.expense_create", entry, accounts[0], before)
    return entry


@transaction.atomic
def entry_reverse(*, actor: User, entry: LedgerEntry, reason: str, today: dt.date | None = None) -> LedgerEntry:
    """Undo an allocation or an expense by a new entry (the ledger is never edited). The keeper only;
    once per entry; a reimbursed expense stays (its money has been paid back to the team)."""
    account = entry.account
    team = account.team
    _require_keeper(actor, team)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["请填写冲销原因。"]})
    team = _lock_team(team)
    entry = LedgerEntry.objects.select_related("account").get(pk=entry.pk)
    if entry.kind == LedgerEntry.Kind.REVERSAL:
        raise ValidationError({"detail": ["冲销分录不能再冲销；如需更正，请重新登记。"]})
    if LedgerEntry.objects.filter(reverses=entry).exists():
        raise Conflict("这笔分录已经冲销过了。")
    if entry.kind == LedgerEntry.Kind.EXPENSE and ReimbursementItem.objects.filter(expense=entry).exists():
        raise ValidationError({"detail": ["这笔支出已报销，不能冲销。"]})
    today = today or timezone.localdate()
    accounts = _accounts_from(team, entry.account.year)
    before = _totals(accounts[0])
    if entry.kind == LedgerEntry.Kind.ALLOCATION:
        _shift(accounts, allocated=-entry.amount)
    else:
        surplus = -entry.amount if policies.is_surplus_use(entry.category) else Decimal(0)
        _shift(accounts, spent=-entry.amount, surplus=surplus)
    try:
        with transaction.atomic():
            reversal = LedgerEntry.objects.create(
                account=accounts[0],
                village_code=entry.village_code,
                kind=LedgerEntry.Kind.REVERSAL,
                # booked in the reversed entry's year: today, or that year's last day once it is past
                date=min(today, dt.date(entry.account.year, 12, 31)),
                amount=entry.amount,
                category=entry.category,
                source_level=entry.source_level,
                description=f"冲销：{reason}"[:200],
                reverses=entry,
                created_by=actor,
            )
    except IntegrityError:
        raise Conflict("这笔分录已经冲销过了。") from None
    if entry.kind == LedgerEntry.Kind.EXPENSE:
        _spend_in_category(accounts[0], entry.category, -entry.amount)
        _refresh_waiting([accounts[0].pk])
    _record(actor, "funding.entry_reverse", reversal, accounts[0], before)
    return reversal


@transaction.atomic
def reimbursement_create(
    *,
    actor: User,
    team: Team,
    day: dt.date,
    expense_ids: Iterable[int],
    note: str = "",
    today: dt.date | None = None,
) -> Reimbursement:
    """A reimbursement batch (第十四条4 报销): the keeper settles the named expenses of the team."""
    _require_keeper(actor, team)
    today = today or timezone.localdate()
    ids = sorted(set(expense_ids))
    if not ids:
        raise ValidationError({"expenses": ["请选择要报销的支出。"]})
    if day > today:
        raise ValidationError({"date": ["报销日期不能晚于今天。"]})
    team = _lock_team(team)
    expenses = list(
        LedgerEntry.objects.filter(pk__in=ids, account__team=team, kind=LedgerEntry.Kind.EXPENSE).select_related(
            "account"
        )
    )
    found = {expense.pk for expense in expenses}
    problems = [f"第 {pk} 号不是本队的支出" for pk in ids if pk not in found]
    reversed_ids = set(LedgerEntry.objects.filter(reverses_id__in=found).values_list("reverses_id", flat=True))
    settled = set(ReimbursementItem.objects.filter(expense_id__in=found).values_list("expense_id", flat=True))
    problems += [f"第 {pk} 号已冲销" for pk in sorted(reversed_ids)]
    problems += [f"第 {pk} 号已报销" for pk in sorted(settled)]
    problems += [f"第 {e.pk} 号支出日期晚于报销日期" for e in expenses if e.date > day]
    if problems:
        raise ValidationError({"expenses": ["；".join(problems) + "。"]})
    batch = Reimbursement.objects.create(
        team=team,
        village_code=team.village_id,
        date=day,
        total=sum((expense.amount for expense in expenses), Decimal(0)),
        note=(note or "").strip()[:200],
        created_by=actor,
    )
    ReimbursementItem.objects.bulk_create(ReimbursementItem(reimbursement=batch, expense=e) for e in expenses)
    _refresh_waiting(expense.account_id for expense in expenses)
    audit_record(
        actor=actor,
        action="funding.reimbursement_create",
        obj=batch,
        after={**snapshot(batch), "expenses": ids},
        region_code=batch.village_code,
    )
    return batch


@transaction.atomic
def account_set_responsible(*, actor: User, team: Team, year: int, name: str, phone: str = "") -> FundAccount:
    """专人负责 (第十四条4): the keeper names the person responsible for the team's account."""
    _require_keeper(actor, team)
    name, phone = (name or "").strip(), (phone or "").strip()
    if not name:
        raise ValidationError({"responsible_name": ["请填写经费负责人姓名。"]})
    if phone and not (len(phone) == 11 and phone.isdigit() and phone.startswith("1")):
        raise ValidationError({"responsible_phone": ["手机号应为 11 位数字。"]})
    policies.clean_year(year, today=timezone.localdate())
    team = _lock_team(team)
    account = _accounts_from(team, year)[0]
    before = snapshot(account, ["responsible_name", "responsible_phone"])
    account.responsible_name, account.responsible_phone = name[:40], phone
    account.save(update_fields=["responsible_name", "responsible_phone"])
    audit_record(
        actor=actor,
        action="funding.account_set_responsible",
        obj=account,
        before=before,
        after=snapshot(account, ["responsible_name", "responsible_phone"]),
        region_code=account.village_code,
    )
    return account


@transaction.atomic
def accounts_open_year(*, year: int) -> int:
    """Open ``year``'s accounts for every team that had an account the year before, carrying in its
    balance (the year-end carry-over, 第二十七条 可转入下年度使用). Idempotent; the system's act.
    Three queries and two bulk writes, whatever the number of teams."""
    teams = list(
        Team.objects.select_for_update()
        .filter(fund_accounts__year=year - 1)
        .exclude(fund_accounts__year=year)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    previous = {account.team_id: account for account in FundAccount.objects.filter(team_id__in=teams, year=year - 1)}
    accounts = FundAccount.objects.bulk_create(
        [
            FundAccount(
                team_id=team_id,
                year=year,
                village_code=previous[team_id].village_code,
                carried_in=previous[team_id].balance,
                responsible_name=previous[team_id].responsible_name,
                responsible_phone=previous[team_id].responsible_phone,
            )
            for team_id in teams
        ]
    )
    audit_record_many(
        [
            audit_event(
                actor=None,
                action="funding.account_open",
                obj=account,
                before=None,
                after=_totals(account),
                region_code=account.village_code,
            )
            for account in accounts
        ]
    )
    return len(accounts)


@transaction.atomic
def overdue_flags_raise(*, today: dt.date | None = None) -> int:
    """Flag each team with an expense waiting longer than the profile's interval for reimbursement
    (第十四条4 至少每两个月报销1次), once a month, and tell the keeper county and the team's leader.
    Returns the number of new flags. A fixed number of queries, whatever the number of teams."""
    from .selectors import overdue_expense_teams

    today = today or timezone.localdate()
    month = today.replace(day=1)
    rows = overdue_expense_teams(before=policies.overdue_before(today=today, profile=profile_on(today)))
    flagged = set(OverdueFlag.objects.filter(month=month).values_list("team_id", flat=True))
    fresh = [row for row in rows if row.team_id not in flagged]
    if not fresh:
        return 0
    teams = Team.objects.in_bulk([row.team_id for row in fresh])
    flags = OverdueFlag.objects.bulk_create(
        [
            OverdueFlag(
                team_id=row.team_id,
                village_code=teams[row.team_id].village_id,
                month=month,
                expenses=row.count,
                oldest=row.oldest,
            )
            for row in fresh
        ]
    )
    counties = {policies.keeper_county_code(team) for team in teams.values()}
    keepers: dict[str, list[int]] = {}
    for user_id, region_id in User.objects.filter(
        role=Role.COUNTY_ORG, is_active=True, region_id__in=counties
    ).values_list("pk", "region_id"):
        keepers.setdefault(str(region_id), []).append(user_id)
    leaders: dict[int, list[int]] = {}
    for user_id, team_id in User.objects.filter(
        is_active=True, cadre__team_id__in=list(teams), cadre__role__in=Cadre.LEADER_ROLES, cadre__status="active"
    ).values_list("pk", "cadre__team_id"):
        leaders.setdefault(team_id, []).append(user_id)
    notify_many(
        [
            Message(
                recipient_ids=[
                    *keepers.get(policies.keeper_county_code(teams[flag.team_id]), []),
                    *leaders.get(flag.team_id, []),
                ],
                title=f"驻村工作队有 {flag.expenses} 笔支出超过报销期限未报销",
                body=(
                    f"{teams[flag.team_id]}：最早一笔为 {flag.oldest:%Y年%m月%d日}，"
                    "请及时报销（第十四条4 至少每两个月报销1次）。"
                ),
                url=reverse("funds-ledger", args=[flag.team_id]),
            )
            for flag in flags
        ]
    )
    audit_record_many(
        [
            audit_event(
                actor=None,
                action="funding.overdue_flag",
                obj=flag,
                before=None,
                after=snapshot(flag),
                region_code=flag.village_code,
            )
            for flag in flags
        ]
    )
    return len(flags)


__all__ = [
    "Category",
    "account_set_responsible",
    "accounts_open_year",
    "allocation_create",
    "entry_reverse",
    "expense_create",
    "overdue_flags_raise",
    "reimbursement_create",
]


# --- 第二十八条: accident insurance -------------------------------------------------------------


def _require_insurance_manager(actor: User, cadre: Cadre) -> None:
    """Organization departments register their cadres' policies; a unit its own cadres'."""
    if actor.role == Role.UNIT and actor.unit_id != cadre.unit_id:
        raise PermissionDenied("派出单位只能登记本单位干部的保险。")
    if actor.role not in (Role.PROVINCE_ORG, Role.CITY_ORG, Role.COUNTY_ORG, Role.UNIT):
        raise PermissionDenied("意外保险由组织部门或派出单位登记。")


@transaction.atomic
def insurance_policy_register(
    *,
    actor: User,
    cadre: Cadre,
    insurer: str,
    policy_number: str,
    cover_start: dt.date,
    cover_end: dt.date,
    premium: Decimal | str,
    paying_level: str,
) -> InsurancePolicy:
    """第二十八条: record a cadre's accident insurance policy."""
    _require_insurance_manager(actor, cadre)
    errors: dict[str, list[str]] = {}
    insurer, policy_number = (insurer or "").strip(), (policy_number or "").strip()
    if not insurer:
        errors["insurer"] = ["请填写保险公司。"]
    if not policy_number:
        errors["policy_number"] = ["请填写保单号。"]
    if cover_end < cover_start:
        errors["cover_end"] = ["保障止期不能早于起期。"]
    elif (cover_end - cover_start).days > 3 * 366:
        errors["cover_end"] = ["一张保单的保障期不超过 3 年，请核对。"]
    if not dt.date(policies.FIRST_YEAR, 1, 1) <= cover_start <= timezone.localdate() + dt.timedelta(days=366):
        errors["cover_start"] = ["保障起期不在合理范围内，请核对。"]
    if paying_level not in ("province", "city", "county"):
        errors["paying_level"] = ["列支层级应为省级、市级或县级财政（第二十八条）。"]
    try:
        amount = policies.clean_amount(premium, field="premium")
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    if InsurancePolicy.objects.filter(cadre=cadre, insurer=insurer, policy_number=policy_number).exists():
        raise ValidationError({"policy_number": ["这张保单已经登记过了。"]})
    policy = InsurancePolicy.objects.create(
        cadre=cadre,
        village_code=cadre.team.village_id,
        insurer=insurer[:60],
        policy_number=policy_number[:40],
        cover_start=cover_start,
        cover_end=cover_end,
        premium=amount,
        paying_level=paying_level,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="funding.insurance_register",
        obj=policy,
        after=snapshot(policy),
        region_code=policy.village_code,
    )
    return policy


@transaction.atomic
def insurance_policy_void(*, actor: User, policy: InsurancePolicy, reason: str) -> InsurancePolicy:
    """A wrongly registered policy is voided with a reason; the register keeps it."""
    _require_insurance_manager(actor, policy.cadre)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["请填写作废原因。"]})
    policy = InsurancePolicy.objects.select_for_update().get(pk=policy.pk)
    if policy.voided_reason:
        raise Conflict("这张保单已经作废了。")
    update_audited(
        actor=actor,
        action="funding.insurance_void",
        obj=policy,
        changes={"voided_reason": reason[:200]},
        region_code=policy.village_code,
    )
    return policy


@transaction.atomic
def insurance_gaps_flag(*, county_code: str | None = None, today: dt.date | None = None) -> int:
    """Flag cadres in post without cover for some day of their term up to a month ahead (第二十八条),
    once a month each, and tell their county and dispatching unit. ``county_code``: the cadres stationed
    in that county (the job's county task, docs/decisions/0179); none: the whole country at once. A
    fixed number of queries."""
    from .selectors import insurance_rows

    today = today or timezone.localdate()
    month = today.replace(day=1)
    cadres = Cadre.objects.all()
    if county_code is not None:
        cadres = cadres.filter(team__village__code__startswith=county_code)
    rows = insurance_rows(cadres=cadres, today=today, only_gaps=True)
    # The month's flags of these cadres, wherever they were stationed when flagged: one a month each.
    flagged = set(
        InsuranceGapFlag.objects.filter(month=month, cadre__in=cadres.values("pk")).values_list("cadre_id", flat=True)
    )
    fresh = [row for row in rows if row.cadre.pk not in flagged]
    if not fresh:
        return 0
    flags = InsuranceGapFlag.objects.bulk_create(
        [
            InsuranceGapFlag(
                cadre=row.cadre, village_code=row.cadre.team.village_id, month=month, first_gap=row.first_gap
            )
            for row in fresh
            if row.first_gap is not None
        ]
    )
    # A unit hears per county where its cadres lack cover (the county's task tells it of its own), so
    # the county tasks together send what one run over the whole country sends (decision 0179).
    by_county: dict[str, int] = {}
    by_unit: dict[tuple[int, str], int] = {}
    for row in fresh:
        county = Region.prefix_of(row.cadre.team.village_id, Region.Level.COUNTY)
        by_county[county] = by_county.get(county, 0) + 1
        by_unit[row.cadre.unit_id, county] = by_unit.get((row.cadre.unit_id, county), 0) + 1
    county_names = dict(Region.objects.filter(code__in=list(by_county)).values_list("code", "name"))
    recipients: dict[tuple[str, object], list[int]] = {}
    for user_id, region_id in User.objects.filter(
        role=Role.COUNTY_ORG, is_active=True, region_id__in=list(by_county)
    ).values_list("pk", "region_id"):
        recipients.setdefault(("county", str(region_id)), []).append(user_id)
    for user_id, unit_id in User.objects.filter(
        role=Role.UNIT, is_active=True, unit_id__in=list({unit for unit, _ in by_unit})
    ).values_list("pk", "unit_id"):
        recipients.setdefault(("unit", unit_id), []).append(user_id)
    url = reverse("funds-insurance")
    notify_many(
        [
            *(
                Message(
                    recipient_ids=recipients.get(("county", county), []),
                    title=f"有 {count} 名在岗驻村干部缺少意外保险",
                    body="第二十八条：请为在岗驻村干部办理意外保险，覆盖驻村期间的每一天。",
                    url=url,
                )
                for county, count in by_county.items()
            ),
            *(
                Message(
                    recipient_ids=recipients.get(("unit", unit), []),
                    title=f"本单位派驻{county_names.get(county, county)}的 {count} 名驻村干部缺少意外保险",
                    body="第二十八条：请协调办理意外保险。",
                    url=url,
                )
                for (unit, county), count in by_unit.items()
            ),
        ]
    )
    audit_record_many(
        [
            audit_event(
                actor=None,
                action="funding.insurance_gap",
                obj=flag,
                before=None,
                after=snapshot(flag),
                region_code=flag.village_code,
            )
            for flag in flags
        ]
    )
    return len(flags)
