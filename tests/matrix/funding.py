"""Matrix entries of team funds (pages and API, issue 12).

Each cell gets a fresh world; ``setup`` gives the target's team an account with an allocation, an
expense with a receipt, and (where the route needs one) a reimbursement batch — written straight to
the tables, since the keeper of C's and D's counties is not a persona. Who may do what:

* the county that keeps the account (甲县 keeps A and B; 第十四条4) books, reverses and reimburses;
* the team's own leader (the cadre persona leads A) books expenses;
* everyone who sees the team reads its funds; out of scope is 404.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from funding.models import FundAccount, InsurancePolicy, LedgerEntry, Receipt, Reimbursement, ReimbursementItem
from zhucun.testing.world import World

from .common import ALL, ORG, REGIONAL, VISIBLE, Case, Expect, everyone, role_only, scoped

#: the keeper of each target's account among the personas: 甲县 keeps A and B
KEEPER = {"county"}


def keeper_only(ok: int) -> Expect:
    return scoped(KEEPER, ok=ok)


def expense_bookers(ok: int) -> Expect:
    def expect(persona: str, target: str | None) -> int:
        assert target is not None
        if target not in VISIBLE[persona]:
            return 404
        return ok if persona in KEEPER or (persona == "cadre" and target == "A") else 403

    return expect


def _fund(world: World, target: str | None, *, reimbursed: bool = False) -> None:
    assert target is not None
    team = world.teams[target]
    today = timezone.localdate()
    account = FundAccount.objects.create(
        team=team, year=today.year, village_code=team.village_id, allocated=Decimal(80000), spent=Decimal(100)
    )
    LedgerEntry.objects.create(
        account=account, village_code=team.village_id, kind="allocation", date=today, amount=Decimal(80000),
        source_level="county", description=f"拨款{target}",
    )  # fmt: skip
    expense = LedgerEntry.objects.create(
        account=account, village_code=team.village_id, kind="expense", date=today, amount=Decimal(100),
        category="office", description=f"支出{target}",
    )  # fmt: skip
    Receipt.objects.create(
        entry=expense, village_code=team.village_id, kind="image", file=ContentFile(b"\xff\xd8\xff", name="r.jpg"),
        size=3, sha256="0" * 64,
    )  # fmt: skip
    if reimbursed:
        batch = Reimbursement.objects.create(team=team, village_code=team.village_id, date=today, total=Decimal(100))
        ReimbursementItem.objects.create(reimbursement=batch, expense=expense)


def _reimbursed(world: World, target: str | None) -> None:
    _fund(world, target, reimbursed=True)


def _entry(kind: str) -> Callable[[World, str | None], int]:
    def pk(world: World, target: str | None) -> int:
        assert target is not None
        return LedgerEntry.objects.get(account__team=world.teams[target], kind=kind).pk

    return pk


_allocation, _expense = _entry("allocation"), _entry("expense")


def _receipt(world: World, target: str | None) -> int:
    assert target is not None
    return Receipt.objects.get(entry__account__team=world.teams[target]).pk


def _batch(world: World, target: str | None) -> int:
    assert target is not None
    return Reimbursement.objects.get(team=world.teams[target]).pk


def _team(world: World, target: str | None) -> int:
    assert target is not None
    return world.teams[target].pk


def _policy(world: World, target: str | None) -> None:
    assert target is not None
    cadre = world.leaders[target]
    InsurancePolicy.objects.create(
        cadre=cadre, village_code=cadre.team.village_id, insurer=f"保险{target}", policy_number=f"P{target}",
        cover_start=cadre.term_start, cover_end=cadre.term_end, premium=Decimal(100), paying_level="county",
    )  # fmt: skip


def _policy_pk(world: World, target: str | None) -> int:
    assert target is not None
    return InsurancePolicy.objects.get(cadre=world.leaders[target]).pk


def insurance_managers(ok: int) -> Expect:
    """Organization departments who see the cadre; the unit for its own cadres (A)."""

    def expect(persona: str, target: str | None) -> int:
        assert target is not None
        if target not in VISIBLE[persona]:
            return 404
        return ok if persona in ORG or persona == "unit" else 403

    return expect


MATRIX: dict[str, Case] = {
    # --- pages -------------------------------------------------------------------------------
    "funds-overview": Case(
        "get", lambda w, t: reverse("funds-overview"), role_only(REGIONAL), api=False, per_target=False
    ),
    "funds-overview-region": Case(
        "get",
        lambda w, t: reverse("funds-overview-region", args=[w.township(t or "")]),
        scoped(REGIONAL),
        api=False,
        setup=_fund,
        lists=lambda w, t: reverse("funds-ledger", args=[w.teams[t].pk]),
    ),
    "funds-ledger": Case(
        "get", lambda w, t: reverse("funds-ledger", args=[_team(w, t)]), scoped(ALL), api=False, setup=_fund
    ),
    "funds-expense-new": Case(
        "get", lambda w, t: reverse("funds-expense-new", args=[_team(w, t)]), expense_bookers(200), api=False
    ),
    "funds-reimburse": Case(
        "post",
        lambda w, t: reverse("funds-reimburse", args=[_team(w, t)]),
        keeper_only(302),
        api=False,
        setup=_fund,
        data=lambda w, t: {"expenses": [_expense(w, t)]},
    ),
    "funds-entry-reverse": Case(
        "post",
        lambda w, t: reverse("funds-entry-reverse", args=[_expense(w, t)]),
        keeper_only(302),
        api=False,
        setup=_fund,
        data=lambda w, t: {"reason": "登记错误"},
    ),
    "funds-receipt": Case(
        "get", lambda w, t: reverse("funds-receipt", args=[_receipt(w, t)]), scoped(ALL), api=False, setup=_fund
    ),
    # --- API ---------------------------------------------------------------------------------
    "api:fund-allocation-list": Case(
        "post",
        lambda w, t: reverse("api:fund-allocation-list"),
        keeper_only(201),
        data=lambda w, t: {"team": _team(w, t), "year": timezone.localdate().year},
    ),
    "api:fund-allocation-detail": Case(
        "get",
        lambda w, t: reverse("api:fund-allocation-detail", args=[_allocation(w, t)]),
        scoped(ALL),
        setup=_fund,
    ),
    "api:fund-allocation-reverse": Case(
        "post",
        lambda w, t: reverse("api:fund-allocation-reverse", args=[_allocation(w, t)]),
        scoped(KEEPER, ok=400),  # the expense already spent part of it: refused, but only after the checks
        setup=_fund,
        data=lambda w, t: {"reason": "拨错了"},
    ),
    "api:fund-expense-list": Case(
        "post",
        lambda w, t: reverse("api:fund-expense-list"),
        expense_bookers(201),
        setup=_fund,
        data=lambda w, t: {
            "team": _team(w, t),
            "date": timezone.localdate().isoformat(),
            "category": "office",
            "amount": "12.50",
            "description": "墨盒",
        },
    ),
    "api:fund-expense-detail": Case(
        "get",
        lambda w, t: reverse("api:fund-expense-detail", args=[_expense(w, t)]),
        scoped(ALL),
        setup=_fund,
    ),
    "api:fund-expense-reverse": Case(
        "post",
        lambda w, t: reverse("api:fund-expense-reverse", args=[_expense(w, t)]),
        scoped(KEEPER, ok=201),
        setup=_fund,
        data=lambda w, t: {"reason": "重复登记"},
    ),
    "api:fund-reimbursement-list": Case(
        "post",
        lambda w, t: reverse("api:fund-reimbursement-list"),
        keeper_only(201),
        setup=_fund,
        data=lambda w, t: {
            "team": _team(w, t),
            "date": timezone.localdate().isoformat(),
            "expenses": [_expense(w, t)],
        },
    ),
    "api:fund-reimbursement-detail": Case(
        "get",
        lambda w, t: reverse("api:fund-reimbursement-detail", args=[_batch(w, t)]),
        scoped(ALL),
        setup=_reimbursed,
    ),
    "api:fund-team": Case(
        "get", lambda w, t: reverse("api:fund-team", args=[_team(w, t)]) + "?year=2026", scoped(ALL), setup=_fund
    ),
    # --- accident insurance (第二十八条) ---------------------------------------------------------
    "funds-insurance": Case(
        "get",
        lambda w, t: reverse("funds-insurance"),
        role_only(REGIONAL | {"unit"}),
        api=False,
        lists=lambda w, t: reverse("cadre-detail", args=[w.leaders[t].pk]),
    ),
    "funds-insurance-new": Case(
        "post",
        lambda w, t: reverse("funds-insurance-new", args=[w.leaders[t or ""].pk]),
        insurance_managers(302),
        api=False,
        data=lambda w, t: {
            "insurer": "人保",
            "policy_number": "N1",
            "cover_start": "2025-03-01",
            "cover_end": "2026-02-28",
            "premium": "100",
            "paying_level": "county",
        },
    ),
    "api:insurance-policy-list": Case(
        "post",
        lambda w, t: reverse("api:insurance-policy-list"),
        insurance_managers(201),
        data=lambda w, t: {
            "cadre": w.leaders[t or ""].pk,
            "insurer": "人保",
            "policy_number": "N1",
            "cover_start": "2025-03-01",
            "cover_end": "2026-02-28",
            "premium": "100",
            "paying_level": "county",
        },
    ),
    "api:insurance-policy-detail": Case(
        "get",
        lambda w, t: reverse("api:insurance-policy-detail", args=[_policy_pk(w, t)]),
        scoped(ALL),  # a cadre sees their own policy (the cadre persona leads A)
        setup=_policy,
    ),
    "api:insurance-policy-void": Case(
        "post",
        lambda w, t: reverse("api:insurance-policy-void", args=[_policy_pk(w, t)]),
        insurance_managers(200),
        setup=_policy,
        data=lambda w, t: {"reason": "录错了"},
    ),
}

EXTRA: dict[str, Case] = {
    "api:fund-expense-list(read)": Case(
        "get",
        lambda w, t: reverse("api:fund-expense-list") + "?page_size=200",
        everyone(200),
        setup=_fund,
        lists=lambda w, t: f'"description":"支出{t}"',
    ),
    "api:fund-allocation-list(read)": Case(
        "get",
        lambda w, t: reverse("api:fund-allocation-list") + "?page_size=200",
        everyone(200),
        setup=_fund,
        lists=lambda w, t: f'"description":"拨款{t}"',
    ),
    "api:fund-reimbursement-list(read)": Case(
        "get", lambda w, t: reverse("api:fund-reimbursement-list"), everyone(200), setup=_reimbursed
    ),
    "funds-ledger(allocate)": Case(
        "post",
        lambda w, t: reverse("funds-ledger", args=[_team(w, t)]),
        keeper_only(302),
        api=False,
        data=lambda w, t: {"action": "allocate", "alloc-amount": "80000"},
    ),
}
