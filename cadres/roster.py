"""The roster (驻村干部花名册) spreadsheet: its template and the reading/validation of an upload.

The format is fixed by API.md "Roster import". Reading never writes; ``cadres.services.roster_import``
writes only when every row is valid (all-or-nothing), listing every bad row otherwise.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import time
import unicodedata
import zipfile
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.conf import settings
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.text import Text
from openpyxl.reader.excel import SHARED_STRINGS, ExcelReader
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

from zhucun.inputs import EARLIEST_DATE

from .idnumbers import id_number_error, normalize_id_number
from .models import Cadre, Region, Unit

COLUMNS = (
    "市",
    "县",
    "乡镇",
    "村",
    "村代码",
    "经度",
    "纬度",
    "派出单位",
    "派出单位层级",
    "姓名",
    "性别",
    "身份证号",
    "手机号",
    "职务",
    "驻村开始日期",
)
UNIT_LEVELS = {"中央": Unit.Level.CENTRAL, "省": Unit.Level.PROVINCE, "市": Unit.Level.CITY, "县": Unit.Level.COUNTY}
ROLES = {
    "第一书记": Cadre.Role.FIRST_SECRETARY,
    "队长": Cadre.Role.LEADER,
    "第一书记兼队长": Cadre.Role.FIRST_SECRETARY_LEADER,
    "队员": Cadre.Role.MEMBER,
}
GENDERS = {"男": Cadre.Gender.MALE, "女": Cadre.Gender.FEMALE}
_PHONE = re.compile(r"^1\d{10}$")
_VILLAGE_CODE = re.compile(r"^\d{12}$")


@dataclasses.dataclass(frozen=True)
class RowError:
    """One problem, located by spreadsheet row (1 is the header) and column name."""

    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


class RosterError(Exception):
    """The upload cannot be imported; ``errors`` lists every problem found."""

    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} roster errors")
        self.errors = errors


@dataclasses.dataclass
class RosterRow:
    """A row that passed the per-cell checks; cross-row checks happen in the service."""

    row: int
    city: str
    county: str
    township: str
    village: str
    village_code: str
    longitude: Decimal
    latitude: Decimal
    unit_name: str
    unit_level: Unit.Level
    name: str
    gender: Cadre.Gender
    id_number: str
    phone: str
    role: Cadre.Role
    term_start: dt.date

    @property
    def is_leader(self) -> bool:
        return self.role in Cadre.LEADER_ROLES

    @property
    def region_names(self) -> dict[str, str]:
        """The name the row gives each region of its village's lineage below the province, by level."""
        return {
            Region.Level.CITY: self.city,
            Region.Level.COUNTY: self.county,
            Region.Level.TOWNSHIP: self.township,
            Region.Level.VILLAGE: self.village,
        }

    def unit_region_code(self) -> str | None:
        """The region of the unit's level: the province, this village's city or county, none for central."""
        if self.unit_level == Unit.Level.CENTRAL:
            return None
        return Region.prefix_of(self.village_code, self.unit_level)  # a unit's levels are region levels

    def unit_key(self) -> tuple[str, str | None, str]:
        return (str(self.unit_level), self.unit_region_code(), self.unit_name)


def roster_template() -> bytes:
    """The xlsx template: the header row, one example row, drop-downs for the enumerated columns."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "花名册"
    sheet.append(list(COLUMNS))
    example = [
        "石家庄市", "甲县", "甲一镇", "东庄村", "130102001001", "114.514000", "38.042000",
        "省委组织部", "省", "张三", "男", "110101199003074477", "13800138000", "第一书记兼队长", "2018-07-01",
    ]  # fmt: skip
    sheet.append(example)
    for cell in sheet[2]:
        cell.data_type = "s"
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for index, _ in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        sheet.column_dimensions[get_column_letter(index)].width = 20 if index in (5, 8, 12) else 12
    sheet.freeze_panes = "A2"
    for column, options in (("I", UNIT_LEVELS), ("K", GENDERS), ("N", ROLES)):
        validation = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=False)
        validation.error = "请从下拉列表中选择"
        sheet.add_data_validation(validation)
        validation.add(f"{column}2:{column}{settings.ROSTER_MAX_ROWS}")
    notes = workbook.create_sheet("填写说明")
    for line in (
        "第 1 行为表头，请勿修改列名和顺序；从第 2 行起每行一名驻村干部（示例行请删除或替换）。",
        "村代码：12 位统计用区划代码，前 4 位为市、前 6 位为县、前 9 位为乡镇代码。",
        "派出单位层级：中央、省、市、县。职务：第一书记、队长、第一书记兼队长、队员。",
        "每村一支工作队，只能有一名队长（或第一书记兼队长），工作队的派出单位为队长的派出单位。",
        "身份证号 18 位并校验末位；驻村开始日期格式为 2018-07-01。",
        "任何一行有错误时整个文件都不会导入，系统会列出所有错误行，修改后重新上传即可。",
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _file_error(message: str) -> RosterError:
    return RosterError([RowError(0, "", message)])


def _check_container(data: bytes) -> None:
    """Refuse, before openpyxl parses anything, a file whose parts are larger or hold more strings and
    cells than any roster can (issue 10 item 9, docs/decisions/0061-costly-files.md): the cost of a
    parse grows with the XML elements, not with the bytes uploaded, and a tiny zip can hold millions."""
    if len(data) > settings.ROSTER_MAX_UPLOAD_BYTES:
        limit_mb = settings.ROSTER_MAX_UPLOAD_BYTES // (1024 * 1024)
        raise _file_error(f"文件超过 {limit_mb} MB，请拆分后分批导入。")
    not_xlsx = _file_error("文件不是有效的 Excel（.xlsx）文件，请用系统提供的模板填写后上传。")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise not_xlsx
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if "xl/workbook.xml" not in {info.filename for info in infos}:
                raise not_xlsx
            if sum(info.file_size for info in infos) > settings.ROSTER_MAX_UNCOMPRESSED_BYTES:
                raise _file_error(_TOO_LARGE_UNPACKED)
            _check_parts(archive, infos)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, ValueError):
        # a damaged member (bad CRC, unsupported compression, truncated stream)
        raise not_xlsx from None


_TOO_LARGE_UNPACKED = "文件解压后过大，不是正常的花名册，请检查文件。"
#: A start tag and its local name (any namespace prefix); bounded, so that a tag cut by a chunk boundary
#: is always within the bytes carried over to the next chunk. ``row`` before ``r`` (a text run).
_START_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,40}:)?(si|c|row|r)[\s/>]")
_CARRY = 512
#: The row number of a ``<row r="…">`` tag, looked for within the tag's first 256 bytes.
_ROW_NUMBER = re.compile(rb"""[^>]{0,256}?\sr=["'](\d{1,12})["']""")
_CHUNK = 1 << 20
#: ``<sst count="…" uniqueCount="…">``: an honest file says how many strings it holds.
_UNIQUE_COUNT = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,40}:)?sst\b[^>]*?\buniqueCount=\"(\d{1,12})\"")
#: A roster row has 15 cells; Excel adds a few styled empty ones, never hundreds.
MAX_CELLS_PER_ROW = 256
#: Formatting runs within one text (a partly bold name has 2 or 3).
MAX_RUNS_PER_TEXT = 1000


def _check_parts(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
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
            raise _file_error(_TOO_LARGE_UNPACKED)
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
                        raise _file_error(_too_many_strings(max_strings))
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
                        raise _file_error("文件中有一行或一个单元格的内容异常多（数百列或数千段格式），请检查文件。")
                if strings > max_strings:
                    raise _file_error(_too_many_strings(max_strings))
                if cells > max_cells:
                    raise _file_error(
                        f"文件中的单元格超过 {max_cells} 个，远多于一份花名册所需（含大量空单元格），"
                        "请删除多余内容或拆分文件。"
                    )
                if rows > max_rows:
                    raise _file_error(
                        f"工作表超过 {max_rows} 行（含空行），一次最多导入 {settings.ROSTER_MAX_ROWS} 行，"
                        "请删除多余的行或拆分文件。"
                    )
                if not chunk:
                    break
                carry = block[max(end, 0) :]


def _too_many_strings(limit: int) -> str:
    return f"文件中的文字条目超过 {limit} 条，远多于一份花名册所需，请检查文件或拆分后分批导入。"


def _text(value: Any) -> str:
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    return str(value).strip()


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    parts = _text(value).replace("/", "-").replace(".", "-").split("-")
    try:
        year, month, day = (int(part) for part in parts)
        return dt.date(year, month, day)
    except ValueError:
        return None


_MICRO = Decimal("0.000001")
_LONGITUDES = (Decimal(73), Decimal(136))
_LATITUDES = (Decimal(3), Decimal(54))


def _decimal(value: Any) -> Decimal | None:
    """A coordinate, or None: ``NaN`` quantizes to itself and then raises when compared."""
    try:
        number = Decimal(_text(value)).quantize(_MICRO)
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


#: The last day a term may start: a roster lists who serves now or soon, not in 2100 or 9999.
TERM_START_HORIZON = dt.timedelta(days=366)


def _invisible(text: str) -> bool:
    """Control characters and invisible formatting (zero-width, bidi overrides) in a name or a code."""
    return any(unicodedata.category(char) in ("Cc", "Cf") for char in text)


_UNREADABLE = "文件无法作为 Excel（.xlsx）打开，请用系统提供的模板填写后上传。"


class _ParseTimeout(Exception):
    """The parse ran past its deadline (``ROSTER_PARSE_SECONDS``)."""


def _timed_out() -> RosterError:
    return _file_error(
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


def _rows(data: bytes, deadline: float) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """The first sheet's rows, 15 values each, whatever the sheet declares: its ``<dimension>`` is
    ignored (a wrong one hides rows, a huge one pads every row to 16,384 columns)."""
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
        raise _file_error(_UNREADABLE) from None
    index = 0
    try:
        for index, values in enumerate(sheet.iter_rows(max_col=len(COLUMNS), values_only=True), start=1):
            if _clock() > deadline:
                raise _timed_out()
            yield index, tuple(values)
    except RosterError:
        raise
    except Exception:  # malformed XML inside the sheet (``&#0;``), a value openpyxl cannot convert
        raise _file_error(
            f"第 {index + 1} 行附近的内容无法读取（文件已损坏或含有非法字符）。请在 Excel 中打开后另存为 .xlsx 再上传。"
        ) from None
    finally:
        workbook.close()


def roster_read(upload: IO[bytes]) -> list[RosterRow]:
    """Parse and check each row on its own. Raises RosterError with every problem found."""
    rows, errors = roster_parse(upload)
    if errors:
        raise RosterError(errors)
    return rows


def roster_parse(upload: IO[bytes]) -> tuple[list[RosterRow], list[RowError]]:
    """The rows that pass the per-cell checks and the problems of those that do not, so that the
    service can add its cross-row findings to the list. Problems of the file as a whole (not an xlsx,
    wrong header, no rows) raise RosterError."""
    data = upload.read()
    deadline = _clock() + settings.ROSTER_PARSE_SECONDS
    _check_container(data)
    errors: list[RowError] = []
    rows: list[RosterRow] = []
    header_seen = False
    for row_number, values in _rows(data, deadline):
        if not header_seen:
            header = tuple(_text(value) for value in values[: len(COLUMNS)])
            if header != COLUMNS:
                for position, expected in enumerate(COLUMNS):
                    found = header[position] if position < len(header) else ""
                    if found != expected:
                        letter = get_column_letter(position + 1)
                        raise RosterError(
                            [
                                RowError(
                                    1,
                                    expected,
                                    f"表头第 {letter} 列应为「{expected}」，实际为「{found or '空'}」。"
                                    "请使用系统提供的模板，不要增删或调换列。",
                                )
                            ]
                        )
            header_seen = True
            continue
        if all(cell is None for cell in values):
            continue  # empty rows are skipped, not errors (the cheap test first: a sparse sheet has many)
        cells = list(values[: len(COLUMNS)]) + [None] * (len(COLUMNS) - len(values))
        if all(_text(cell) == "" for cell in cells):
            continue
        if row_number > settings.ROSTER_MAX_ROWS + 1:
            errors.append(RowError(row_number, "", f"一次最多导入 {settings.ROSTER_MAX_ROWS} 行，请拆分文件。"))
            break
        parsed = _parse_row(row_number, cells, errors)
        if parsed is not None:
            rows.append(parsed)
    if not header_seen:
        raise RosterError([RowError(1, "", "文件是空的：第 1 行应为表头。")])
    if not rows and not errors:
        raise RosterError([RowError(2, "", "文件中没有干部数据：请从第 2 行起填写。")])
    return rows, errors


def _parse_row(row: int, cells: list[Any], errors: list[RowError]) -> RosterRow | None:
    values = dict(zip(COLUMNS, cells, strict=True))
    text = {column: _text(value) for column, value in values.items()}
    before = len(errors)

    def bad(column: str, message: str) -> None:
        errors.append(RowError(row, column, message))

    for column in ("市", "县", "乡镇", "村", "派出单位", "姓名"):
        if not text[column]:
            bad(column, f"「{column}」不能为空")
        elif len(text[column]) > (100 if column == "派出单位" else 40):
            bad(column, f"「{column}」过长")
        elif _invisible(text[column]):
            bad(column, f"「{column}」含有换行、控制字符或不可见字符，请删除后重新上传。")
    code = text["村代码"]
    if not _VILLAGE_CODE.match(code):
        bad("村代码", f"村代码应为 12 位数字，现为「{code or '空'}」")
    elif not code.startswith(settings.ZHUCUN_PROVINCE_CODE):
        bad("村代码", f"村代码 {code} 不属于本省（应以 {settings.ZHUCUN_PROVINCE_CODE} 开头）")
    longitude = _decimal(text["经度"])
    latitude = _decimal(text["纬度"])
    if longitude is None or not _LONGITUDES[0] <= longitude <= _LONGITUDES[1]:
        bad("经度", f"经度应为 73 到 136 之间的数字，现为「{text['经度'] or '空'}」")
    if latitude is None or not _LATITUDES[0] <= latitude <= _LATITUDES[1]:
        bad("纬度", f"纬度应为 3 到 54 之间的数字，现为「{text['纬度'] or '空'}」")
    unit_level = UNIT_LEVELS.get(text["派出单位层级"])
    if unit_level is None:
        bad("派出单位层级", f"派出单位层级应为 中央、省、市、县 之一，现为「{text['派出单位层级'] or '空'}」")
    gender = GENDERS.get(text["性别"])
    if gender is None:
        bad("性别", f"性别应为 男 或 女，现为「{text['性别'] or '空'}」")
    id_number = normalize_id_number(text["身份证号"])
    problem = id_number_error(id_number)
    if problem:
        bad("身份证号", problem)
    if not _PHONE.match(text["手机号"]):
        bad("手机号", f"手机号应为 1 开头的 11 位数字，现为「{text['手机号'] or '空'}」")
    role = ROLES.get(text["职务"])
    if role is None:
        bad("职务", f"职务应为 第一书记、队长、第一书记兼队长、队员 之一，现为「{text['职务'] or '空'}」")
    term_start = _date(values["驻村开始日期"])
    latest_start = timezone.localdate() + TERM_START_HORIZON
    if term_start is None:
        bad("驻村开始日期", f"驻村开始日期应为 2018-07-01 这样的日期，现为「{text['驻村开始日期'] or '空'}」")
    elif not EARLIEST_DATE <= term_start <= latest_start:
        bad(
            "驻村开始日期",
            f"驻村开始日期应在 {EARLIEST_DATE:%Y-%m-%d} 至 {latest_start:%Y-%m-%d} 之间，"
            f"现为「{term_start:%Y-%m-%d}」，请检查年份。",
        )
    if len(errors) > before:
        return None
    assert longitude is not None and latitude is not None and unit_level is not None
    assert gender is not None and role is not None and term_start is not None
    return RosterRow(
        row=row,
        city=text["市"],
        county=text["县"],
        township=text["乡镇"],
        village=text["村"],
        village_code=code,
        longitude=longitude,
        latitude=latitude,
        unit_name=text["派出单位"],
        unit_level=unit_level,
        name=text["姓名"],
        gender=gender,
        id_number=id_number,
        phone=text["手机号"],
        role=role,
        term_start=term_start,
    )
