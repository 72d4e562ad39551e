"""Writing print-ready xlsx tables safely. Every text cell is written as text (never a formula:
openpyxl would treat a value starting with ``=`` as one — TOOLCHAIN.md), in write-only mode so memory
stays flat whatever the number of rows."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.workbook.child import INVALID_TITLE_REGEX
from openpyxl.worksheet.worksheet import Worksheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(sheet: Worksheet, value: Any, *, bold: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # text, even when it starts with = + - @
        if value[:1] in ("=", "+", "-", "@"):
            cell.quotePrefix = True
    if bold:
        cell.font = Font(bold=True)
    return cell


def write_table(
    *, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], widths: Sequence[int] | None = None
) -> bytes:
    """One sheet: a title row, a bold frozen header, the rows; A4 landscape, fit to width."""
    workbook = Workbook(write_only=True)
    # A sheet's name may not contain \ * ? : / [ ] (a region named with one made the export a 500);
    # the full title is still written in the first row.
    sheet = workbook.create_sheet(title=INVALID_TITLE_REGEX.sub("_", title)[:31].strip("'") or "Sheet1")
    for index, width in enumerate(widths or [14] * len(headers), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:2"
    title_cell = _cell(sheet, title, bold=True)
    title_cell.alignment = Alignment(horizontal="left")
    sheet.append([title_cell])
    sheet.append([_cell(sheet, header, bold=True) for header in headers])
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """A download of ``content`` named ``filename`` (Chinese names kept, RFC 5987 encoded)."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
