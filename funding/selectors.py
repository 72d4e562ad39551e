"""Reads of team funds: the team's year, the ledger, overviews one level down. Each function issues a
fixed number of queries, whatever the number of teams or entries; scope comes from zhucun.scoping."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from cadres.models import Region, Team
from zhucun import scoping
from zhucun.policy import profile_on

from . import policies
from .models import FundAccount, LedgerEntry, Reimbursement, ReimbursementItem

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

ZERO = Decimal("0.00")


def open_expenses() -> QuerySet[LedgerEntry]:
    """Expenses neither reimbursed nor reversed: what the team is still waiting to be paid back."""
    return LedgerEntry.objects.filter(kind=LedgerEntry.Kind.EXPENSE).filter(
        ~Exists(ReimbursementItem.objects.filter(expense_id=OuterRef("pk"))),
        ~Exists(LedgerEntry.objects.filter(reverses_id=OuterRef("pk"))),
    )


@dataclasses.dataclass(frozen=True)
class OverdueRow:
    team_id: int
    count: int
    oldest: dt.date


def overdue_expense_teams(*, before: dt.date) -> list[OverdueRow]:
    """Teams with expenses dated before ``before`` still waiting for reimbursement. One query."""
    rows = (
        open_expenses()
        .filter(date__lt=before)
        .values("account__team_id")
        .annotate(count=Count("id"), oldest=Min("date"))
        .order_by("account__team_id")
    )
    return [OverdueRow(team_id=row["account__team_id"], count=row["count"], oldest=row["oldest"]) for row in rows]


@dataclasses.dataclass(frozen=True)
class TeamYear:
    """A team's funds in one year (API.md "Team funds")."""

    team: Team
    year: int
    account: FundAccount | None
    carried_in: Decimal
    allocated: Decimal
    spent: Decimal
    last_reimbursed_on: dt.date | None
    overdue_expenses: int
    waiting_expenses: int

    @property
    def balance(self) -> Decimal:
        return self.carried_in + self.allocated - self.spent

    @property
    def reimbursement_overdue(self) -> bool:
        return self.overdue_expenses > 0


def team_year(*, team: Team, year: int, today: dt.date | None = None) -> TeamYear:
    """The team's year: its account when opened, else what it would carry in. Four queries."""
    today = today or timezone.localdate()
    before = policies.overdue_before(today=today, profile=profile_on(today))
    account = FundAccount.objects.filter(team=team, year=year).first()
    if account is None:
        previous = FundAccount.objects.filter(team=team, year__lt=year).order_by("-year").first()
        carried_in = previous.balance if previous else ZERO
        allocated = spent = ZERO
    else:
        carried_in, allocated, spent = account.carried_in, account.allocated, account.spent
    waiting = (
        open_expenses()
        .filter(account__team=team)
        .aggregate(waiting=Count("id"), overdue=Count("id", filter=Q(date__lt=before)))
    )
    last = Reimbursement.objects.filter(team=team).aggregate(last=Max("date"))["last"]
    return TeamYear(
        team=team,
        year=year,
        account=account,
        carried_in=carried_in,
        allocated=allocated,
        spent=spent,
        last_reimbursed_on=last,
        overdue_expenses=waiting["overdue"],
        waiting_expenses=waiting["waiting"],
    )


def ledger(*, team: Team, year: int) -> QuerySet[LedgerEntry]:
    """The team's entries of ``year`` with what each row shows (receipts, reversal, reimbursement)."""
    return (
        LedgerEntry.objects.filter(account__team=team, account__year=year)
        .select_related("reverses", "created_by", "reimbursement_item__reimbursement")
        .annotate(
            receipt_count=Count("receipts", distinct=True),
            reversed_by_id=Subquery(LedgerEntry.objects.filter(reverses_id=OuterRef("pk")).values("pk")[:1]),
        )
        .prefetch_related("receipts")
        .order_by("date", "id")
    )


@dataclasses.dataclass(frozen=True)
class OverviewRow:
    """One row of the overview: a team (county view) or a child region (city and province views)."""

    code: str
    name: str
    team_id: int | None
    teams: int
    responsible_name: str
    carried_in: Decimal
    allocated: Decimal
    spent: Decimal
    overdue_teams: int

    @property
    def balance(self) -> Decimal:
        return self.carried_in + self.allocated - self.spent


@dataclasses.dataclass(frozen=True)
class Overview:
    region: Region
    year: int
    rows: list[OverviewRow]
    by_category: list[tuple[str, str, Decimal]]  # (category, label, net spent)

    @property
    def totals(self) -> OverviewRow:
        return OverviewRow(
            code=self.region.code,
            name="合计",
            team_id=None,
            teams=sum(row.teams for row in self.rows),
            responsible_name="",
            carried_in=sum((row.carried_in for row in self.rows), ZERO),
            allocated=sum((row.allocated for row in self.rows), ZERO),
            spent=sum((row.spent for row in self.rows), ZERO),
            overdue_teams=sum(row.overdue_teams for row in self.rows),
        )


def child_level(region: Region) -> str | None:
    """The level the overview rows are at: teams for a county or township, else the next level."""
    order = [Region.Level.PROVINCE, Region.Level.CITY, Region.Level.COUNTY]
    if region.level in order[:-1]:
        return order[order.index(Region.Level(region.level)) + 1]
    return None


def overview(*, user: User | AnonymousUser, region: Region, year: int, today: dt.date | None = None) -> Overview:
    """The funds of ``region`` in ``year``: per team for a county (or township), per child region
    above. Teams without an account yet show zeros. Four queries (five above a county), whatever the
    size of the region, each reading accounts and their running totals — never the ledger's entries."""
    today = today or timezone.localdate()
    before = policies.overdue_before(today=today, profile=profile_on(today))
    teams = scoping.restrict(Team.objects.all(), user).filter(village__code__startswith=region.code)
    accounts = scoping.restrict(FundAccount.objects.all(), user).filter(year=year, village_code__startswith=region.code)
    # the accounts (of any year) with an expense waiting since before the interval: the services keep
    # each account's oldest waiting expense, so this reads accounts, not the ledger's history
    overdue = scoping.restrict(FundAccount.objects.all(), user).filter(
        village_code__startswith=region.code, oldest_waiting__lt=before
    )
    money = {"carried_in": Sum("carried_in"), "allocated": Sum("allocated"), "spent": Sum("spent")}
    level = child_level(region)
    rows: list[OverviewRow] = []
    if level is None:
        account_of = {a.team_id: a for a in accounts}
        overdue_ids = set(overdue.values_list("team_id", flat=True).order_by().distinct())
        for team in teams.select_related("village__parent").order_by("village_id"):
            account = account_of.get(team.pk)
            rows.append(
                OverviewRow(
                    code=team.village_id,
                    name=f"{team.village.parent.name if team.village.parent else ''} {team.village.name}".strip(),
                    team_id=team.pk,
                    teams=1,
                    responsible_name=account.responsible_name if account else "",
                    carried_in=account.carried_in if account else ZERO,
                    allocated=account.allocated if account else ZERO,
                    spent=account.spent if account else ZERO,
                    overdue_teams=int(team.pk in overdue_ids),
                )
            )
    else:
        length = Region.length_of(level)
        children = {
            child.code: child
            for child in scoping.restrict(Region.objects.filter(parent=region), user).only("code", "name")
        }
        team_counts = dict(
            teams.annotate(child=Substr("village_id", 1, length))
            .values("child")
            .annotate(n=Count("id"))
            .values_list("child", "n")
        )
        sums: dict[str, dict[str, Any]] = {
            row["child"]: dict(row)
            for row in accounts.annotate(child=Substr("village_code", 1, length)).values("child").annotate(**money)
        }
        overdue_counts = dict(
            overdue.annotate(child=Substr("village_code", 1, length))
            .values("child")
            .annotate(n=Count("team_id", distinct=True))
            .values_list("child", "n")
        )
        for code, child in sorted(children.items()):
            total: dict[str, Any] = sums.get(code, {})
            rows.append(
                OverviewRow(
                    code=code,
                    name=child.name,
                    team_id=None,
                    teams=team_counts.get(code, 0),
                    responsible_name="",
                    carried_in=total.get("carried_in") or ZERO,
                    allocated=total.get("allocated") or ZERO,
                    spent=total.get("spent") or ZERO,
                    overdue_teams=overdue_counts.get(code, 0),
                )
            )
    return Overview(region=region, year=year, rows=rows, by_category=spending_by_category(entries_q=accounts))


def spending_by_category(*, entries_q: QuerySet[FundAccount]) -> list[tuple[str, str, Decimal]]:
    """Net spending per category (expenses less their reversals) of the given accounts, from the
    running totals the services keep per account and category (``CategorySpend``). One query."""
    from .models import Category, CategorySpend

    rows = (
        CategorySpend.objects.filter(account__in=entries_q.values("pk"))
        .values("category")
        .annotate(net=Sum("spent"))
        .order_by("category")
    )
    labels = dict(Category.choices)
    return [
        (row["category"], str(labels.get(row["category"], row["category"])), row["net"]) for row in rows if row["net"]
    ]


# --- 第二十八条: accident insurance -------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class InsuranceRow:
    cadre: Any
    policies: list[Any]
    first_gap: dt.date | None


def insurance_register(
    *, user: User | AnonymousUser, region_code: str, today: dt.date, only_gaps: bool = False
) -> list[InsuranceRow]:
    """Cadres in post in ``region_code`` within the user's scope, with their valid policies and the first
    day of their term, up to a month ahead, that no policy covers (第二十八条). Two queries."""
    from cadres.models import Cadre

    cadres = scoping.restrict(Cadre.objects.all(), user).filter(team__village__code__startswith=region_code)
    return insurance_rows(cadres=cadres, today=today, only_gaps=only_gaps)


def insurance_rows(*, cadres: QuerySet[Any], today: dt.date, only_gaps: bool) -> list[InsuranceRow]:
    """``insurance_register`` over any set of cadres (the nightly job reads the whole province). Two
    queries; the cover arithmetic is per cadre in Python, on rows already loaded."""
    from django.db.models import Prefetch

    from cadres.models import Cadre

    from .models import InsurancePolicy

    until = today + dt.timedelta(days=policies.INSURANCE_LOOKAHEAD_DAYS)
    loaded = (
        cadres.filter(status=Cadre.Status.ACTIVE)
        .select_related("team__village", "unit")
        .prefetch_related(
            Prefetch(
                "insurance_policies",
                queryset=InsurancePolicy.objects.filter(voided_reason="").order_by("cover_start"),
                to_attr="valid_policies",
            )
        )
        .order_by("team__village_id", "role", "name")
    )
    rows = []
    for cadre in loaded:
        valid = cadre.valid_policies
        gap = policies.first_uncovered_day(
            term_start=cadre.term_start,
            until=min(until, cadre.term_end),
            covers=[(policy.cover_start, policy.cover_end) for policy in valid],
        )
        if gap is not None or not only_gaps:
            rows.append(InsuranceRow(cadre=cadre, policies=valid, first_gap=gap))
    return rows


def region_entries(*, user: User | AnonymousUser, region: Region, year: int) -> QuerySet[LedgerEntry]:
    """Every entry of ``region``'s teams in ``year`` (the county's ledger workbook), in ledger order,
    as plain rows: the workbook streams them (``values_list``), so memory stays flat at any size."""
    return (
        scoping.restrict(LedgerEntry.objects.all(), user)
        .filter(village_code__startswith=region.code, account__year=year)
        .order_by("village_code", "date", "id")
    )
