"""The roster (驻村干部花名册) spreadsheet: its template and the reading/validation of an upload.

The format is fixed by API.md "Roster import". Reading never writes; ``cadres.services.roster_import``
writes only when every row is valid (all-or-nothing), listing every bad row otherwise.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.conf import settings
from django.utils import timezone

from zhucun.inputs import EARLIEST_DATE
from zhucun.spreadsheets import (
    RowError,
    SheetError,
    SheetFormat,
    cell_date,
    cell_text,
    invisible,
    sheet_parse,
    sheet_template,
)

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


#: The roster's file: its header and how its messages name it (zhucun/spreadsheets.py reads it).
FORMAT = SheetFormat(columns=COLUMNS, noun="花名册", rows_noun="干部数据")
#: The upload cannot be imported; ``errors`` lists every problem found (the shared SheetError).
RosterError = SheetError


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
    example = [
        "石家庄市", "甲县", "甲一镇", "东庄村", "130102001001", "114.514000", "38.042000",
        "省委组织部", "省", "张三", "男", "110101199003074477", "13800138000", "第一书记兼队长", "2018-07-01",
    ]  # fmt: skip
    return sheet_template(
        FORMAT,
        title="花名册",
        example=example,
        choices={"派出单位层级": list(UNIT_LEVELS), "性别": list(GENDERS), "职务": list(ROLES)},
        wide=("村代码", "派出单位", "身份证号"),
        notes=(
            "第 1 行为表头，请勿修改列名和顺序；从第 2 行起每行一名驻村干部（示例行请删除或替换）。",
            "村代码：12 位统计用区划代码，前 4 位为市、前 6 位为县、前 9 位为乡镇代码。",
            "派出单位层级：中央、省、市、县。职务：第一书记、队长、第一书记兼队长、队员。",
            "每村一支工作队，只能有一名队长（或第一书记兼队长），工作队的派出单位为队长的派出单位。",
            "身份证号 18 位并校验末位；驻村开始日期格式为 2018-07-01。",
            "任何一行有错误时整个文件都不会导入，系统会列出所有错误行，修改后重新上传即可。",
        ),
    )


_MICRO = Decimal("0.000001")
_LONGITUDES = (Decimal(73), Decimal(136))
_LATITUDES = (Decimal(3), Decimal(54))


def _decimal(value: Any) -> Decimal | None:
    """A coordinate, or None: ``NaN`` quantizes to itself and then raises when compared."""
    try:
        number = Decimal(cell_text(value)).quantize(_MICRO)
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


#: The last day a term may start: a roster lists who serves now or soon, not in 2100 or 9999.
TERM_START_HORIZON = dt.timedelta(days=366)


def roster_read(upload: IO[bytes]) -> list[RosterRow]:
    """Parse and check each row on its own. Raises RosterError with every problem found."""
    rows, errors = roster_parse(upload)
    if errors:
        raise RosterError(errors)
    return rows


def roster_parse(upload: IO[bytes]) -> tuple[list[RosterRow], list[RowError]]:
    """The rows that pass the per-cell checks and the problems of those that do not, so that the
    service can add its cross-row findings to the list. Problems of the file as a whole (not an xlsx,
    wrong header, no rows) raise RosterError (zhucun/spreadsheets.py reads the file)."""
    return sheet_parse(upload, FORMAT, _parse_row)


def _parse_row(row: int, cells: list[Any], errors: list[RowError]) -> RosterRow | None:
    values = dict(zip(COLUMNS, cells, strict=True))
    text = {column: cell_text(value) for column, value in values.items()}
    before = len(errors)

    def bad(column: str, message: str) -> None:
        errors.append(RowError(row, column, message))

    for column in ("市", "县", "乡镇", "村", "派出单位", "姓名"):
        if not text[column]:
            bad(column, f"「{column}」不能为空")
        elif len(text[column]) > (100 if column == "派出单位" else 40):
            bad(column, f"「{column}」过长")
        elif invisible(text[column]):
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
    term_start = cell_date(values["驻村开始日期"])
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
