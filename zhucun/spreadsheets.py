"""Importing a spreadsheet all-or-nothing, with every bad row listed (the roster import, API.md "Roster
import"; the household import, issue 14). The machinery every import shares lives here, once:

* ``SheetFormat``: the fixed header of a kind of file and the nouns its messages use;
* ``sheet_template``: the xlsx template (header, an example row, drop-downs, a sheet of instructions);
* ``sheet_parse``: read an upload — refuse a costly file before openpyxl parses it (decision 0061:
  sizes, shared strings, cells, rows, formatting runs are counted on the raw bytes), parse it under a
  CPU deadline (``ROSTER_PARSE_SECONDS``), check the header, skip empty rows, and hand each row to the
  kind's own ``parse_row``, collecting every ``RowError``;
* ``RowError`` / ``SheetError``: one problem located by row and column; the list of them that refuses
  a file. Pages show them as a table, the API as ``{"errors": [{"row", "column", "message"}]}``.

Reading never writes; the caller's service writes only when no row has an error.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Sequence
from typing import IO, Any, TypeVar

from django.conf import settings
from openpyxl import Workbook
from openpyxl.cell.text import Text
from openpyxl.reader.excel import SHARED_STRINGS, ExcelReader
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class RowError:
    """One problem, located by spreadsheet row (1 is the header; 0 the file as a whole) and column name."""

    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


class SheetError(Exception):
    """The upload cannot be imported; ``errors`` lists every problem found."""

    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} spreadsheet errors")
        self.errors = errors


@dataclasses.dataclass(frozen=True)
class SheetFormat:
    """A kind of import file: its header, and how its messages name the file and its rows."""

    columns: tuple[str, ...]
    #: what the file is, in messages ("花名册", "农户名单")
    noun: str
    #: what its rows hold, in "文件中没有…" ("干部数据", "农户")
    rows_noun: str


# --- the template ---------------------------------------------------------------------------------


def sheet_template(
    fmt: SheetFormat,
    *,
    title: str,
    example: Sequence[str],
    choices: dict[str, Sequence[str]] | None = None,
    notes: Sequence[str] = (),
    wide: Sequence[str] = (),
) -> bytes:
    """The xlsx template: the header row, one example row (as text), drop-downs for the columns named
    in ``choices``, wider ``wide`` columns, and a sheet of instructions."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    sheet.append(list(fmt.columns))
    sheet.append(list(example))
    for cell in sheet[2]:
        cell.data_type = "s"
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for index, name in enumerate(fmt.columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        sheet.column_dimensions[get_column_letter(index)].width = 20 if name in wide else 12
    sheet.freeze_panes = "A2"
    for name, options in (choices or {}).items():
        letter = get_column_letter(fmt.columns.index(name) + 1)
        validation = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=False)
        validation.error = "请从下拉列表中选择"
        sheet.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}{settings.ROSTER_MAX_ROWS}")
    if notes:
        sheet_notes = workbook.create_sheet("填写说明")
        for line in notes:
            sheet_notes.append([line])
        sheet_notes.column_dimensions["A"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- cells ------------------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A cell as the text a person typed: numbers without ``.0``, dates without a time."""
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    return str(value).strip()


def cell_date(value: Any) -> dt.date | None:
    """A date cell, or text such as 2018-07-01, 2018/7/1 or 2018.07.01; None when it is not one."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    parts = cell_text(value).replace("/", "-").replace(".", "-").split("-")
    try:
        year, month, day = (int(part) for part in parts)
        return dt.date(year, month, day)
    except ValueError:
        return None


def invisible(text: str) -> bool:
    """Control characters and invisible formatting (zero-width, bidi overrides) in a name or a code."""
    return any(unicodedata.category(char) in ("Cc", "Cf") for char in text)


# --- refusing a costly file before parsing it (decision 0061) ------------------------------------------


def file_error(message: str) -> SheetError:
    return SheetError([RowError(0, "", message)])


def check_container(data: bytes, fmt: SheetFormat) -> None:
    """Refuse, before openpyxl parses anything, a file whose parts are larger or hold more strings and
    cells than any such file can (issue 10 item 9, docs/decisions/0061-costly-files.md): the cost of a
    parse grows with the XML elements, not with the bytes uploaded, and a tiny zip can hold millions."""
    if len(data) > settings.ROSTER_MAX_UPLOAD_BYTES:
        limit_mb = settings.ROSTER_MAX_UPLOAD_BYTES // (1024 * 1024)
        raise file_error(f"文件超过 {limit_mb} MB，请拆分后分批导入。")
    not_xlsx = file_error("文件不是有效的 Excel（.xlsx）文件，请用系统提供的模板填写后上传。")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise not_xlsx
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if "xl/workbook.xml" not in {info.filename for info in infos}:
                raise not_xlsx
            if sum(info.file_size for info in infos) > settings.ROSTER_MAX_UNCOMPRESSED_BYTES:
                raise file_error(_too_large_unpacked(fmt))
            _check_parts(archive, infos, fmt)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, ValueError):
        # a damaged member (bad CRC, unsupported compression, truncated stream)
        raise not_xlsx from None


def _too_large_unpacked(fmt: SheetFormat) -> str:
    return f"文件解压后过大，不是正常的{fmt.noun}，请检查文件。"


#: A start tag and its local name (any namespace prefix); bounded, so that a tag cut by a chunk boundary
#: is always within the bytes carried over to the next chunk. ``row`` before ``r`` (a text run).
_START_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,40}:)?(si|c|row|r)[\s/>]")
_CARRY = 512
#: The row number of a ``<row r="…">`` tag, looked for within the tag's first 256 bytes.
_ROW_NUMBER = re.compile(rb"""[^>]{0,256}?\sr=["'](\d{1,12})["']""")
_CHUNK = 1 << 20
#: ``<sst count="…" uniqueCount="…">``: an honest file says how many strings it holds.
_UNIQUE_COUNT = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,40}:)?sst\b[^>]*?\buniqueCount=\"(\d{1,12})\"")
#: An import row has a few dozen cells at most; Excel adds a few styled empty ones, never hundreds.
MAX_CELLS_PER_ROW = 256
#: Formatting runs within one text (a partly bold name has 2 or 3).
MAX_RUNS_PER_TEXT = 1000


def _check_parts(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], fmt: SheetFormat) -> None:
    """Each part's unpacked size, then the elements whose number decides the cost of a parse, counted
    by streaming the decompressed bytes (no XML parser: nothing is built) and stopping at the first
    limit passed: shared strings (``<si>``) and cells (``<c>``) over the whole file, rows (``<row>``,
    or the number of the last one: openpyxl yields every empty row up to it) per sheet, cells per row
    and text runs (``<r>``) per text. Every XML part is counted, whatever the
    workbook's relationships call it."""
    max_strings, max_cells = settings.ROSTER_MAX_SHARED_STRINGS, settings.ROSTER_MAX_CELLS
    max_rows = settings.ROSTER_MAX_ROWS + 1  # and the header
    strings = cells = 0
    for info in infos:
        if info.file_size > settings.ROSTER_MAX_PART_BYTES:
            raise file_error(_too_large_unpacked(fmt))
        if info.is_dir() or not info.filename.endswith((".xml", ".rels")):
            continue  # images and the like are not parsed when reading values
        rows = cells_in_row = runs_in_text = 0
        with archive.open(info) as stream:
            carry, first = b"", True
            while True:
                chunk = stream.read(_CHUNK)
                block = carry + chunk
                if first:
                    declared = _UNIQUE_COUNT.search(block[:4096])
                    if declared and int(declared[1]) > max_strings:
                        raise file_error(_too_many_strings(max_strings, fmt))
                    first = False
                end = len(block) - _CARRY if chunk else len(block)
                for match in _START_TAG.finditer(block, 0, max(end, 0)):
                    name = match[1]
                    if name == b"c":
                        cells += 1
                        cells_in_row += 1
                        runs_in_text = 0
                    elif name == b"r":
                        runs_in_text += 1
                    elif name == b"row":
                        rows += 1
                        cells_in_row = 0
                        number = _ROW_NUMBER.match(block, match.end() - 1)
                        if number and int(number[1]) > max_rows:
                            rows = max(rows, int(number[1]))  # a row far below: as many as its number
                    else:
                        strings += 1
                        runs_in_text = 0
                    if cells_in_row > MAX_CELLS_PER_ROW or runs_in_text > MAX_RUNS_PER_TEXT:
                        raise file_error("文件中有一行或一个单元格的内容异常多（数百列或数千段格式），请检查文件。")
                if strings > max_strings:
                    raise file_error(_too_many_strings(max_strings, fmt))
                if cells > max_cells:
                    raise file_error(
                        f"文件中的单元格超过 {max_cells} 个，远多于一份{fmt.noun}所需（含大量空单元格），"
                        "请删除多余内容或拆分文件。"
                    )
                if rows > max_rows:
                    raise file_error(
                        f"工作表超过 {max_rows} 行（含空行），一次最多导入 {settings.ROSTER_MAX_ROWS} 行，"
                        "请删除多余的行或拆分文件。"
                    )
                if not chunk:
                    break
                carry = block[max(end, 0) :]


def _too_many_strings(limit: int, fmt: SheetFormat) -> str:
    return f"文件中的文字条目超过 {limit} 条，远多于一份{fmt.noun}所需，请检查文件或拆分后分批导入。"


# --- parsing under a deadline -------------------------------------------------------------------------

_UNREADABLE = "文件无法作为 Excel（.xlsx）打开，请用系统提供的模板填写后上传。"


class _ParseTimeout(Exception):
    """The parse ran past its deadline (``ROSTER_PARSE_SECONDS``)."""


def _timed_out() -> SheetError:
    return file_error(
        f"文件读取超过 {settings.ROSTER_PARSE_SECONDS} 秒仍未完成，内容过多或格式异常。请删除多余的行、列和格式，"
        "或拆分后分批导入。"
    )


def _clock() -> float:
    """CPU seconds of this thread: the cost a file imposes, whatever else the machine is doing."""
    return time.thread_time()


class _TimeBoxedReader(ExcelReader):
    """openpyxl's reader, with the shared-strings table read under the parse deadline: openpyxl reads
    it whole when the workbook is opened, before any row (``read_strings`` of openpyxl 3.1, the same
    loop with a clock check)."""

    deadline = 0.0

    def read_strings(self) -> None:
        found = self.package.find(SHARED_STRINGS)
        if found is None:
            return
        strings: list[str] = []
        tag = f"{{{SHEET_MAIN_NS}}}si"
        with self.archive.open(found.PartName[1:]) as source:
            for events, (_, node) in enumerate(iterparse(source), start=1):
                if node.tag == tag:
                    strings.append(Text.from_tree(node).content.replace("x005F_", ""))
                    node.clear()
                if events % 4096 == 0 and _clock() > self.deadline:
                    raise _ParseTimeout
        self.shared_strings = strings


def _rows(data: bytes, deadline: float, width: int) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """The first sheet's rows, ``width`` values each, whatever the sheet declares: its ``<dimension>``
    is ignored (a wrong one hides rows, a huge one pads every row to 16,384 columns)."""
    try:
        reader = _TimeBoxedReader(io.BytesIO(data), read_only=True, data_only=True)
        reader.deadline = deadline
        reader.read()
        workbook = reader.wb
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()
    except _ParseTimeout:
        raise _timed_out() from None
    except Exception:  # openpyxl raises many kinds of errors on malformed files
        raise file_error(_UNREADABLE) from None
    index = 0
    try:
        for index, values in enumerate(sheet.iter_rows(max_col=width, values_only=True), start=1):
            if _clock() > deadline:
                raise _timed_out()
            yield index, tuple(values)
    except SheetError:
        raise
    except Exception:  # malformed XML inside the sheet (``&#0;``), a value openpyxl cannot convert
        raise file_error(
            f"第 {index + 1} 行附近的内容无法读取（文件已损坏或含有非法字符）。请在 Excel 中打开后另存为 .xlsx 再上传。"
        ) from None
    finally:
        workbook.close()


def sheet_parse(
    upload: IO[bytes], fmt: SheetFormat, parse_row: Callable[[int, list[Any], list[RowError]], T | None]
) -> tuple[list[T], list[RowError]]:
    """The rows that pass ``parse_row``'s per-cell checks and the problems of those that do not, so
    that the caller can add its cross-row findings to the list. ``parse_row`` gets the row number, the
    row's values (one per column) and the list to append its problems to; it returns None for a bad
    row. Problems of the file as a whole (not an xlsx, too costly, wrong header, no rows) raise
    SheetError."""
    data = upload.read()
    deadline = _clock() + settings.ROSTER_PARSE_SECONDS
    check_container(data, fmt)
    columns = fmt.columns
    errors: list[RowError] = []
    rows: list[T] = []
    header_seen = False
    for row_number, values in _rows(data, deadline, len(columns)):
        if not header_seen:
            _check_header(tuple(cell_text(value) for value in values[: len(columns)]), columns)
            header_seen = True
            continue
        if all(cell is None for cell in values):
            continue  # empty rows are skipped, not errors (the cheap test first: a sparse sheet has many)
        cells = list(values[: len(columns)]) + [None] * (len(columns) - len(values))
        if all(cell_text(cell) == "" for cell in cells):
            continue
        if row_number > settings.ROSTER_MAX_ROWS + 1:
            errors.append(RowError(row_number, "", f"一次最多导入 {settings.ROSTER_MAX_ROWS} 行，请拆分文件。"))
            break
        parsed = parse_row(row_number, cells, errors)
        if parsed is not None:
            rows.append(parsed)
    if not header_seen:
        raise SheetError([RowError(1, "", "文件是空的：第 1 行应为表头。")])
    if not rows and not errors:
        raise SheetError([RowError(2, "", f"文件中没有{fmt.rows_noun}：请从第 2 行起填写。")])
    return rows, errors


def _check_header(header: tuple[str, ...], columns: tuple[str, ...]) -> None:
    if header == columns:
        return
    for position, expected in enumerate(columns):
        found = header[position] if position < len(header) else ""
        if found != expected:
            letter = get_column_letter(position + 1)
            raise SheetError(
                [
                    RowError(
                        1,
                        expected,
                        f"表头第 {letter} 列应为「{expected}」，实际为「{found or '空'}」。"
                        "请使用系统提供的模板，不要增删或调换列。",
                    )
                ]
            )
