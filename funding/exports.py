"""Funds workbooks: the overview and a team's ledger, print-ready and formula-safe
(zhucun/exports/xlsx.py writes every text cell as text)."""

from __future__ import annotations

from collections.abc import Iterable

from cadres.models import Team
from zhucun.exports.xlsx import write_table

from .models import LedgerEntry
from .selectors import Overview, TeamYear


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
