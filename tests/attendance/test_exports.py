"""The attendance register (考勤登记表) prints as a government table: its sheet has a name of its own,
its legend is under the table, its day columns are narrow (issue 15 item 6)."""

from __future__ import annotations

import io
from typing import Any

from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from attendance.exports import LEGEND
from zhucun.testing.world import World
from zhucun.testing.xlsx import table_rows


def test_the_register_is_named_by_its_month_and_its_legend_is_under_the_table(world: World, clock: Any) -> None:
    client = Client()
    client.force_login(world.personas["township"])
    response = client.get(reverse("attendance-register", args=["130102001"]) + "?month=2026-11")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert sheet.title == "2026年11月考勤登记表"  # not the title cut at 31 characters mid-legend
    assert sheet["A1"].value == "甲一镇 2026年11月 驻村干部考勤登记表"
    rows = table_rows(sheet)
    assert len(rows) == 2
    assert sheet.cell(row=len(rows) + 4, column=1).value == LEGEND
    assert "填报单位（盖章）" in sheet.cell(row=len(rows) + 5, column=1).value
    assert sheet.page_setup.orientation == "landscape"  # 30 day columns
    assert sheet.column_dimensions["F"].width <= 5  # a day column holds one mark
