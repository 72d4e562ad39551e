"""Team funds at benchmark scale (issue 12's ``make bench``): one account per team for a whole year and
about 60 ledger entries each — the year's allocation from the dispatching level's finance, the
provincial subsidy for counties in difficulty, a county top-up for some, ~58 expenses in 第二十七条's
day-to-day categories, a reversal now and then — and the county's reimbursement batches every two
months (第十四条4), with some teams behind on the last one (the overdue flags).

Written through the fast paths only: COPY on PostgreSQL (ids reserved from the sequences first, so the
reversals and reimbursement items can name their entries), ``bulk_create`` elsewhere. The append-only
trigger (migration 0002) refuses UPDATE and DELETE only, so inserting is what the services do too.
The account totals (money, waiting expenses, spending by category) are those of the entries written,
exactly as the services would keep them;
audit events are not written (seed_scale writes none for the rest of the province either).

Self-contained (reads the teams from the database), so ``seed_scale`` calls it wherever it lives, and a
kept bench database from before the funds can be given them (``bench/run.py`` with BENCH_REUSE=1).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from cadres.models import Region, Team
from zhucun.policy import profile_on

from . import policies
from .models import CategorySpend, FundAccount, LedgerEntry, Reimbursement, ReimbursementItem

BATCH = 5000
#: The day-to-day categories of 第二十七条 (the surplus uses need last year's balance: none here).
_EXPENSES: list[tuple[str, int, int, tuple[str, ...]]] = [
    # category, weight, largest amount in yuan, descriptions
    ("meals", 22, 1290, ("伙食补助", "驻村期间伙食补助", "食堂伙食费")),
    ("housing", 8, 1290, ("住房补助", "租住村民房屋补助")),
    ("utilities", 10, 600, ("水电费", "宿舍水电补助")),
    ("heating", 6, 1290, ("取暖补助", "冬季取暖用煤")),
    ("telecom", 10, 300, ("网络通信补助", "宽带费", "手机话费补助")),
    ("transport", 20, 900, ("到县里参加培训的交通费", "入户走访租车费", "到乡镇汇报工作的交通费")),
    ("office", 14, 1290, ("打印纸、墨盒、文件夹", "办公桌椅", "档案盒、笔记本")),
    ("study", 6, 500, ("学习资料", "政策汇编", "培训教材")),
    ("postage", 4, 120, ("公务邮寄", "快递材料到县委组织部")),
]
_RESPONSIBLE = ("王会计", "李会计", "张会计", "刘会计", "陈会计", "杨会计", "赵会计", "黄会计")
#: one county in seven counts as "in difficulty": the province's subsidy (第二十七条)
_SUBSIDY_EVERY = 7


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def _reserve_ids(model: type[models.Model], count: int) -> int:
    """The first of ``count`` consecutive primary keys nobody else will be given."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1)",
                [table, table, count],
            )
            return int(cursor.fetchone()[0]) - count + 1
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        return int(cursor.fetchone()[0]) + 1


def _write(model: type[models.Model], columns: list[str], rows: Iterable[tuple[Any, ...]]) -> int:
    """COPY ``rows`` into ``model``'s table on PostgreSQL; ``bulk_create`` elsewhere."""
    count = 0
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        names = ", ".join(quote(column) for column in columns)
        sql = f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:  # psycopg 3
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    batch: list[models.Model] = []
    for row in rows:
        batch.append(model(**dict(zip(columns, row, strict=True))))
        count += 1
        if len(batch) >= BATCH:
            model.objects.bulk_create(batch)  # type: ignore[attr-defined]
            batch = []
    model.objects.bulk_create(batch)  # type: ignore[attr-defined]
    return count


class _Year:
    """What is shared by every team's year: the dates, the amounts, the generator."""

    def __init__(self, *, year: int, today: dt.date, seed: int) -> None:
        self.year = year
        self.last_day = min(dt.date(year, 12, 31), today - dt.timedelta(days=1))
        if self.last_day < dt.date(year, 3, 1):
            raise ValueError(f"seed_funds_scale needs a year that is (mostly) past: {year}, today {today}")
        self.rng = random.Random(seed)  # noqa: S311 - reproducible data, not secrets
        self.tz = timezone.get_current_timezone()
        self.allocation_fen = int(policies.default_allocation(profile_on(dt.date(year, 1, 2))) * 100)
        # the county's reimbursement batches every two months (第十四条4), the last one early next year
        days = [dt.date(year, month, 5) for month in (3, 5, 7, 9, 11)] + [dt.date(year + 1, 1, 5)]
        self.batch_days = [day for day in days if day < today]
        self.span = (self.last_day - dt.date(year, 1, 3)).days
        self.categories = [item for item in _EXPENSES for _ in range(item[1])]
        self.kinds = {"allocation": 0, "expense": 0, "reversal": 0}

    def at(self, day: dt.date) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day, 10, 30, tzinfo=self.tz)


class _TeamYear:
    """One team's account, entries, batches and their items (ids from the reserved blocks)."""

    def __init__(self, shared: _Year, *, account_id: int, code: str, first_entry: int) -> None:
        self.shared, self.account_id, self.code = shared, account_id, code
        self.next_entry = first_entry
        self.rows: list[tuple[Any, ...]] = []
        self.allocated = self.spent = 0
        self.by_category: dict[str, int] = {}  # net fen per category (CategorySpend)
        self.waiting: list[dt.date] = []  # the dates of the expenses still waiting for reimbursement

    def book(self, kind: str, day: dt.date, fen: int, text: str, **extra: Any) -> int:
        entry_id = self.next_entry
        self.next_entry += 1
        self.rows.append(
            (
                entry_id,
                self.account_id,
                self.code,
                kind,
                day,
                _yuan(fen),
                extra.get("source_level", ""),
                extra.get("is_subsidy", False),
                extra.get("category", ""),
                text,
                extra.get("reverses"),
                None,
                self.shared.at(day),
            )
        )
        self.shared.kinds[kind] += 1
        if kind == "allocation":
            self.allocated += fen
        else:  # the seed reverses expenses only
            sign = 1 if kind == "expense" else -1
            self.spent += sign * fen
            self.by_category[extra["category"]] = self.by_category.get(extra["category"], 0) + sign * fen
        return entry_id

    def fill(self, *, team: Team) -> list[tuple[dt.date, list[tuple[int, int]]]]:
        """Book the team's year; returns its reimbursement batches: (day, [(expense id, fen)])."""
        shared, rng, year = self.shared, self.shared.rng, self.shared.year
        self.book(
            "allocation",
            dt.date(year, 1, 2),
            shared.allocation_fen,
            f"{year} 年工作经费",
            source_level=policies.default_source_level(team),
        )
        if int(Region.county_of(self.code)) % _SUBSIDY_EVERY == 0:
            self.book("allocation", dt.date(year, 4, 1), 1_000_000, "省级困难县补贴", source_level="province",
                      is_subsidy=True)  # fmt: skip
        if rng.random() < 0.25:
            self.book("allocation", dt.date(year, 7, 1), 500_000, "县级追加工作经费", source_level="county")
        # 54-62 expenses of at most 1,290 yuan: the year's allocation covers them on any day
        days = sorted(
            dt.date(year, 1, 3) + dt.timedelta(days=rng.randrange(shared.span + 1)) for _ in range(rng.randint(54, 62))
        )
        expenses: list[tuple[int, dt.date, int, str]] = []
        for day in days:
            category, _, largest, texts = rng.choice(shared.categories)
            if category == "heating" and 4 <= day.month <= 10:
                category, _, largest, texts = _EXPENSES[0]
            fen = rng.randint(2000, largest * 100)
            expenses.append((self.book("expense", day, fen, rng.choice(texts), category=category), day, fen, category))
        reversed_ids: set[int] = set()
        if rng.random() < 0.5:  # a wrong expense undone by a reversal, before it was reimbursed
            entry_id, day, fen, category = rng.choice(expenses)
            when = min(day + dt.timedelta(days=rng.randint(1, 5)), shared.last_day)
            self.book("reversal", when, fen, "冲销：金额录入有误", category=category, reverses=entry_id)
            reversed_ids.add(entry_id)
        # one team in ten is behind on the last batch (its expenses overdue), a few on the last two
        behind = 2 if rng.random() < 0.03 else 1 if rng.random() < 0.1 else 0
        settled = set(reversed_ids)
        batches = []
        for day in shared.batch_days[: len(shared.batch_days) - behind]:
            due = [(e, f) for e, d, f, _ in expenses if d <= day and e not in settled]
            if due:
                batches.append((day, due))
                settled.update(e for e, _ in due)
        self.waiting = [day for entry_id, day, _, _ in expenses if entry_id not in settled]
        return batches


def seed_funds_scale(*, year: int, today: dt.date, seed: int = 27) -> dict[str, int]:
    """Open every team's account for ``year`` (a past year: its whole year of entries is dated before
    ``today``) and book its year. Returns the counts written. Does nothing when ``year``'s accounts
    exist already."""
    if FundAccount.objects.filter(year=year).exists():
        return {}
    shared = _Year(year=year, today=today, seed=seed)
    teams = list(Team.objects.select_related("unit").only("pk", "village_id", "unit__level").order_by("pk"))
    entries_first = _reserve_ids(LedgerEntry, len(teams) * _MAX_ENTRIES)
    accounts_first = _reserve_ids(FundAccount, len(teams))
    accounts: list[tuple[Any, ...]] = []
    batches: list[tuple[Any, ...]] = []
    items: list[tuple[int, int]] = []
    spends: list[tuple[int, str, str, str]] = []
    used = 0

    def entries() -> Iterator[tuple[Any, ...]]:
        nonlocal used
        for index, team in enumerate(teams):
            one = _TeamYear(
                shared, account_id=accounts_first + index, code=team.village_id, first_entry=entries_first + used
            )
            for day, due in one.fill(team=team):
                batches.append((len(batches), team.pk, one.code, day, _yuan(sum(f for _, f in due)), "", None,
                                shared.at(day)))  # fmt: skip
                items.extend((len(batches) - 1, e) for e, _ in due)
            accounts.append(
                (one.account_id, team.pk, year, one.code, _RESPONSIBLE[index % len(_RESPONSIBLE)],
                 f"139{index:08d}", "0.00", _yuan(one.allocated), _yuan(one.spent), "0.00",
                 len(one.waiting), min(one.waiting, default=None), shared.at(dt.date(year, 1, 2)))
            )  # fmt: skip
            spends.extend((one.account_id, one.code, c, _yuan(fen)) for c, fen in sorted(one.by_category.items()))
            used = one.next_entry - entries_first
            if used > len(teams) * _MAX_ENTRIES:
                raise RuntimeError("more ledger entries than the ids reserved for them")
            yield from one.rows

    with transaction.atomic():
        # The entries stream in as each team's year is generated; the team's account, batches and
        # items are known once its entries are, so they follow (Django's foreign keys are checked at
        # commit).
        counts = {"ledger_entries": _write(LedgerEntry, _ENTRY_COLUMNS, entries())}
        counts["fund_accounts"] = _write(FundAccount, _ACCOUNT_COLUMNS, accounts)
        first_spend = _reserve_ids(CategorySpend, len(spends))
        counts["category_spends"] = _write(
            CategorySpend,
            ["id", "account_id", "village_code", "category", "spent"],
            ((first_spend + i, *row) for i, row in enumerate(spends)),
        )
        first = _reserve_ids(Reimbursement, len(batches))
        counts["reimbursements"] = _write(
            Reimbursement,
            ["id", "team_id", "village_code", "date", "total", "note", "created_by_id", "created_at"],
            ((first + b[0], *b[1:]) for b in batches),
        )
        first_item = _reserve_ids(ReimbursementItem, len(items))
        counts["reimbursement_items"] = _write(
            ReimbursementItem,
            ["id", "reimbursement_id", "expense_id"],
            ((first_item + i, first + b, e) for i, (b, e) in enumerate(items)),
        )
    counts.update({f"ledger_{kind}s": n for kind, n in shared.kinds.items()})
    return counts


#: more than any team's year books (at most 3 allocations, 62 expenses, 1 reversal)
_MAX_ENTRIES = 70
_ENTRY_COLUMNS = [
    "id",
    "account_id",
    "village_code",
    "kind",
    "date",
    "amount",
    "source_level",
    "is_subsidy",
    "category",
    "description",
    "reverses_id",
    "created_by_id",
    "created_at",
]
_ACCOUNT_COLUMNS = [
    "id",
    "team_id",
    "year",
    "village_code",
    "responsible_name",
    "responsible_phone",
    "carried_in",
    "allocated",
    "spent",
    "surplus_spent",
    "waiting_expenses",
    "oldest_waiting",
    "opened_at",
]
