"""Reading back the tables zhucun.exports.xlsx writes (tests)."""

from __future__ import annotations

from typing import Any

from openpyxl.worksheet.worksheet import Worksheet


def table_rows(sheet: Worksheet) -> list[tuple[Any, ...]]:
    """The values of a table's data rows: from the row under the header (row 3) to the blank line that
    separates the table from its notes and signature block."""
    rows = []
    for row in sheet.iter_rows(min_row=3, values_only=True):
        if all(value is None for value in row):
            break
        rows.append(row)
    return rows


def table_cells(sheet: Worksheet) -> list[tuple[Any, ...]]:
    """The cells of a table's data rows (as :func:`table_rows`)."""
    rows = []
    for row in sheet.iter_rows(min_row=3):
        if all(cell.value is None for cell in row):
            break
        rows.append(row)
    return rows
