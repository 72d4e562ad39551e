"""Writing print-ready xlsx tables safely — every workbook of the system is a government table that
prints as such (issue 15 item 6, decision 0169):

* a title merged across the table, bold 16 pt, centred; a bold header with borders, frozen and
  repeated on every printed page (print titles);
* thin borders round every cell of the table; text wraps where a column's width ends (never cut off);
* column widths fitted to the content (a Chinese character counts twice), measured on the header and
  the first rows, so the rest can still stream;
* A4, portrait when the table fits across it, landscape otherwise, always fitted to the page width;
  the footer "第 n 页 共 m 页";
* under the table its notes (a legend: "√ 在村 …") and the signature block 填报单位（盖章）/ 填表人 /
  审核人 / 日期;
* shares as numbers formatted as percentages (:class:`Percent`), dates as dates, amounts with two
  decimals;
* a sheet name of at most 31 characters that makes sense (the title without its parentheses, or the
  caller's own), never the title cut mid-word.

Every text cell is written as text (never a formula: openpyxl would treat a value starting with ``=`` as
one — TOOLCHAIN.md; ``+``, ``-``, ``@`` are quote-prefixed), in write-only mode so memory stays flat
whatever the number of rows; a style is built once per sheet and shared by its cells."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any, Generic, TypeVar
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.workbook.child import INVALID_TITLE_REGEX
from openpyxl.worksheet.worksheet import Worksheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: The print footer: page n of m (Excel and WPS header/footer codes &P and &N).
FOOTER = "第 &P 页 共 &N 页"
#: Under every table: who fills it in, who checks it, with the unit's seal and the date.
SIGNATURE = (
    "填报单位（盖章）："
    + "\u3000" * 10
    + "填表人："
    + "\u3000" * 6
    + "审核人："
    + "\u3000" * 6
    + "日期：　　年　　月　　日"
)
#: Columns are fitted on the header and this many first rows; the rest stream past.
FIT_SAMPLE = 500
#: Widths (in Excel's character units) beyond which a column wraps, and under which none shrinks.
MAX_WIDTH, MIN_WIDTH = 50, 4
#: A caller's width is a cap; a column of short values is never capped below this.
MIN_CAP = 16
#: The widest table (sum of widths) that still fits across portrait A4 at 100 %.
PORTRAIT_WIDTH = 95

_Row = TypeVar("_Row")
_FORMULA_STARTS = ("=", "+", "-", "@")
_PARENTHESES = re.compile(r"（[^（）]*）|\([^()]*\)")


class Percent(float):
    """A share written as a number with a percentage format: ``Percent(0.4)`` shows as 40%."""


class RowCounter(Generic[_Row]):
    """The rows of an export, counted as they stream into the sheet: the audit event of the download
    records how many rows left the system (zhucun.audit.audit_export) without a COUNT query."""

    def __init__(self, rows: Iterable[_Row]) -> None:
        self._rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[_Row]:
        for row in self._rows:
            self.count += 1
            yield row


def sheet_name_for(text: str) -> str:
    """A sheet's name from a title: without its parenthesised parts ("召回案件登记表（2026年…导出）" →
    "召回案件登记表"), without the characters a name may not hold (\\ * ? : / [ ] — a region named with
    one made an export a 500), at most 31 characters."""
    name = _PARENTHESES.sub("", text).strip() or text
    name = INVALID_TITLE_REGEX.sub("_", name).strip().strip("'")
    return name[:31].strip() or "Sheet1"


def display_width(value: Any) -> int:
    """How wide ``value`` shows, in Excel's character units: a Chinese (wide or full-width) character
    counts two; the widest line of a text with line breaks."""
    if value is None:
        return 0
    if isinstance(value, Percent):
        text = f"{value:.0%}"
    elif isinstance(value, dt.datetime):
        text = "2026-01-01 00:00"
    elif isinstance(value, dt.date):
        text = "2026-01-01"
    elif isinstance(value, Decimal):
        text = f"{value:,.2f}"
    else:
        text = str(value)
    return max(sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line) for line in text.split("\n"))


def fit_widths(headers: Sequence[str], rows: Sequence[Sequence[Any]], caps: Sequence[int] | None = None) -> list[int]:
    """Each column as wide as its widest header or value (plus a margin), between MIN_WIDTH and its cap
    — the caller's width, never below MIN_CAP, or MAX_WIDTH; wider text wraps."""
    widest = [display_width(header) for header in headers]
    for row in rows:
        for index, value in enumerate(row[: len(widest)]):
            width = display_width(value)
            if width > widest[index]:
                widest[index] = width
    result = []
    for index, width in enumerate(widest):
        cap = max(caps[index], MIN_CAP) if caps is not None and index < len(caps) else MAX_WIDTH
        result.append(max(MIN_WIDTH, min(width + 2, cap, MAX_WIDTH)))
    return result


#: The height (points) of one line of 11-pt text, Chinese included.
LINE_HEIGHT = 15


def line_count(row: Sequence[Any], widths: Sequence[int]) -> int:
    """How many lines the tallest wrapped text of ``row`` takes in columns of ``widths`` — its row's
    height is set from it (LibreOffice and WPS do not grow a row to fit wrapped text on their own)."""
    lines = 1
    for value, width in zip(row, widths, strict=False):
        if value.__class__ is not str or (len(value) * 2 < width - 1 and "\n" not in value):
            continue  # the common case: short text, measured without a look at its characters
        usable = max(width - 1, 1)
        count = sum(-(-display_width(part) // usable) or 1 for part in value.split("\n"))
        lines = max(lines, count)
    return lines


_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


class _Styles:
    """The styles of one sheet's cells, each built once and shared by every cell that uses it."""

    def __init__(self, sheet: Worksheet) -> None:
        def make(**attributes: Any) -> StyleArray:
            cell = WriteOnlyCell(sheet)
            for name, value in attributes.items():
                setattr(cell, name, value)
            return cell._style

        middle = {"vertical": "center"}
        self.title = make(font=Font(bold=True, size=16), alignment=Alignment(horizontal="center", vertical="center"))
        self.header = make(
            font=Font(bold=True), border=_BOX, alignment=Alignment(horizontal="center", wrap_text=True, **middle)
        )
        self.text = make(border=_BOX, alignment=Alignment(wrap_text=True, **middle))
        self.number = make(border=_BOX, alignment=Alignment(**middle))
        self.percent = make(border=_BOX, alignment=Alignment(**middle), number_format="0%")
        self.amount = make(border=_BOX, alignment=Alignment(**middle), number_format="#,##0.00")
        self.date = make(border=_BOX, alignment=Alignment(horizontal="center", **middle), number_format="yyyy-mm-dd")
        self.datetime = make(
            border=_BOX, alignment=Alignment(horizontal="center", **middle), number_format="yyyy-mm-dd hh:mm"
        )
        self.note = make(alignment=Alignment(wrap_text=True, vertical="top"))
        self.signature = make(alignment=Alignment(vertical="center"))

    def of(self, value: Any) -> StyleArray:
        if isinstance(value, str) or value is None:
            return self.text
        if isinstance(value, Percent):
            return self.percent
        if isinstance(value, Decimal):
            return self.amount
        if isinstance(value, dt.datetime):
            return self.datetime
        if isinstance(value, dt.date):
            return self.date
        return self.number


def _cell(sheet: Worksheet, value: Any, style: StyleArray) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # text, even when it starts with = + - @ or # (not a formula, not an error)
        if value.startswith(_FORMULA_STARTS):
            style = StyleArray(style)
            style.quotePrefix = 1
    cell._style = style
    return cell


def add_table(
    workbook: Workbook,
    *,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    widths: Sequence[int] | None = None,
    sheet_name: str | None = None,
    notes: Sequence[str] = (),
    on_row: Callable[[], None] | None = None,
) -> int:
    """One sheet of ``workbook`` (write-only) as a printable government table; returns how many rows it
    holds. ``widths`` cap the fitted columns; ``notes`` are written under the table (a legend), before
    the signature block; ``on_row`` is called after each row (a job's progress)."""
    sheet = workbook.create_sheet(title=sheet_name_for(sheet_name or title))
    columns = len(headers)
    last = get_column_letter(max(columns, 1))
    stream = iter(rows)
    sample = list(itertools.islice(stream, FIT_SAMPLE))
    fitted = fit_widths(headers, sample, widths)
    for index, width in enumerate(fitted, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    styles = _Styles(sheet)

    sheet.freeze_panes = "A3"
    sheet.print_title_rows = "1:2"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "portrait" if sum(fitted) <= PORTRAIT_WIDTH else "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.page_margins.top, sheet.page_margins.bottom = 0.6, 0.7
    sheet.oddFooter.center.text = FOOTER
    sheet.oddFooter.center.size = 9

    def merged_row(row: int, value: str, style: StyleArray, height: float | None = None) -> None:
        if columns > 1:
            sheet.merged_cells.add(f"A{row}:{last}{row}")
        if height is not None:
            sheet.row_dimensions[row].height = height
        sheet.append([_cell(sheet, value, style)])

    def tall(row: int, values: Sequence[Any]) -> None:
        lines = line_count(values, fitted)
        if lines > 1:
            sheet.row_dimensions[row].height = LINE_HEIGHT * lines + 3

    merged_row(1, title, styles.title, 32)
    tall(2, headers)
    sheet.append([_cell(sheet, header, styles.header) for header in headers])
    count = 0
    blank = styles.text
    dimensions = sheet.row_dimensions
    for row in itertools.chain(sample, stream):
        cells = [_cell(sheet, value, styles.of(value)) for value in row]
        cells.extend(_cell(sheet, None, blank) for _ in range(columns - len(cells)))
        tall(count + 3, row)
        sheet.append(cells)
        dimensions.pop(count + 3, None)  # written with its row: keep memory flat
        count += 1
        if on_row is not None:
            on_row()
    row_number = count + 3
    sheet.append([])  # a blank line between the table and what is under it
    for note in notes:
        row_number += 1
        merged_row(row_number, note, styles.note)
    merged_row(row_number + 1, SIGNATURE, styles.signature, 30)
    return count


def write_table(
    *,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    widths: Sequence[int] | None = None,
    sheet_name: str | None = None,
    notes: Sequence[str] = (),
) -> bytes:
    """A one-sheet workbook holding the table (:func:`add_table`)."""
    workbook = Workbook(write_only=True)
    add_table(workbook, title=title, headers=headers, rows=rows, widths=widths, sheet_name=sheet_name, notes=notes)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """A download of ``content`` named ``filename`` (Chinese names kept, RFC 5987 encoded)."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
