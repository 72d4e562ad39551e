"""Funds workbooks: the overview and a team's ledger, print-ready and formula-safe
(zhucun/exports/xlsx.py writes every text cell as text)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Iterator, Sequence

from django.db.models import QuerySet

from cadres.models import Team
from zhucun.exports.xlsx import RowCounter, write_table

from .models import Category, LedgerEntry, SourceLevel
from .selectors import InsuranceRow, Overview, TeamYear


def overview_workbook(data: Overview, *, child_level: str | None) -> bytes:
    per_team = child_level is None
    headers = (
        "驻在村" if per_team else "区域",
        "经费负责人" if per_team else "工作队（个）",
        "上年结转（元）",
        "本年拨入（元）",
        "本年支出（元）",
        "余额（元）",
        "超期未报销" if per_team else "超期未报销的工作队（个）",
    )
    rows: list[list[object]] = [
        [
            row.name,
            row.responsible_name if per_team else row.teams,
            row.carried_in,
            row.allocated,
            row.spent,
            row.balance,
            ("是" if row.overdue_teams else "否") if per_team else row.overdue_teams,
        ]
        for row in [*data.rows, data.totals]
    ]
    return write_table(
        title=f"{data.region.name}{data.year}年驻村工作经费",
        headers=headers,
        rows=rows,
        widths=(28, 14, 16, 16, 16, 16, 14),
    )


def ledger_workbook(*, team: Team, year: TeamYear, entries: Iterable[LedgerEntry]) -> bytes:
    rows = [
        [
            entry.date,
            entry.get_kind_display(),
            entry.get_category_display() if entry.category else entry.get_source_level_display(),
            entry.description,
            entry.signed_amount,  # the ledger selector loads the entry a reversal undoes
            getattr(entry, "receipt_count", 0),
            "已冲销" if getattr(entry, "reversed_by_id", None) else "",
        ]
        for entry in entries
    ]
    rows.append(["", "", "", f"上年结转 {year.carried_in:,.2f} 元，本年拨入 {year.allocated:,.2f} 元，"
                 f"本年支出 {year.spent:,.2f} 元，余额 {year.balance:,.2f} 元", "", "", ""])  # fmt: skip
    return write_table(
        title=f"{team.village.name}驻村工作队{year.year}年工作经费台账",
        headers=("日期", "类型", "类别 / 来源", "摘要", "金额（元）", "凭证（张）", "备注"),
        rows=rows,
        widths=(12, 8, 22, 40, 14, 10, 10),
    )


def insurance_workbook(rows: list[InsuranceRow], *, today: dt.date) -> bytes:
    """第二十八条: the register, one line per policy (a cadre without one gets a line of their own)."""
    lines: list[list[object]] = []
    for row in rows:
        cadre = row.cadre
        head = [cadre.team.village.name, cadre.name, cadre.get_role_display(), cadre.unit.name]
        gap = row.first_gap.isoformat() if row.first_gap else ""
        for policy in row.policies or [None]:
            if policy is None:
                lines.append([*head, "", "", "", "", "", "", gap])
            else:
                lines.append(
                    [*head, policy.insurer, policy.policy_number, policy.cover_start, policy.cover_end, policy.premium,
                     policy.get_paying_level_display(), gap]
                )  # fmt: skip
    return write_table(
        title=f"驻村干部意外保险登记（{today:%Y年%m月%d日}）",
        headers=(
            "驻在村",
            "姓名",
            "职务",
            "派出单位",
            "保险公司",
            "保单号",
            "保障起期",
            "保障止期",
            "保费（元）",
            "列支层级",
            "首个未投保日",
        ),
        rows=lines,
        widths=(14, 10, 12, 24, 18, 20, 12, 12, 12, 10, 14),
    )


@dataclasses.dataclass
class Table:
    """What a one-sheet workbook holds: its title, header and rows (``write_table`` writes them)."""

    title: str
    headers: tuple[str, ...]
    rows: Iterable[Sequence[object]]
    widths: tuple[int, ...]


def region_ledger_table(*, region_name: str, year: int, entries: QuerySet[LedgerEntry]) -> Table:
    """All teams' entries of a region for a year (the county's 分户账), one line per entry, streamed
    from ``values_list`` in chunks: two small queries first (village names, the kinds reversals undo),
    then the rows. ``bench/harness.py`` writes the same rows with bare openpyxl as the baseline."""
    from django.db.models import F

    from cadres.models import Region

    villages = dict(Region.objects.filter(code__in=entries.values("village_code")).values_list("code", "name"))
    kinds, categories, levels = dict(LedgerEntry.Kind.choices), dict(Category.choices), dict(SourceLevel.choices)
    reversed_kinds = dict(
        LedgerEntry.objects.filter(pk__in=entries.filter(kind="reversal").values("reverses_id")).values_list(
            "pk", "kind"
        )
    )

    def lines() -> Iterator[list[object]]:
        for code, day, kind, amount, category, level, text, reverses in entries.values_list(
            "village_code", "date", "kind", "amount", "category", "source_level", "description", F("reverses_id")
        ).iterator(chunk_size=2000):
            sign = (
                1 if kind == "allocation" or (kind == "reversal" and reversed_kinds.get(reverses) == "expense") else -1
            )
            yield [villages.get(code, code), day, kinds[kind], categories.get(category) or levels.get(level, ""), text,
                   sign * amount]  # fmt: skip

    return Table(
        title=f"{region_name}{year}年驻村工作经费分户账",
        headers=("驻在村", "日期", "类型", "类别 / 来源", "摘要", "金额（元）"),
        rows=lines(),
        widths=(14, 12, 8, 22, 40, 14),
    )


def region_ledger_workbook(*, region_name: str, year: int, entries: QuerySet[LedgerEntry]) -> tuple[bytes, int]:
    """The county's 分户账 as xlsx, and how many entry lines it holds (for the export's audit event)."""
    table = region_ledger_table(region_name=region_name, year=year, entries=entries)
    counted = RowCounter(table.rows)
    content = write_table(title=table.title, headers=table.headers, rows=counted, widths=table.widths)
    return content, counted.count
