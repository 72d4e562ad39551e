"""The household list (农户名单) spreadsheet of a village or a township: its template and the reading of
an upload, on the shared import machinery (zhucun/spreadsheets.py — the roster's: costly files refused
before parsing, a parse deadline, every bad row listed). ``households.services.household_import``
writes only when every row is valid."""

from __future__ import annotations

import dataclasses
import re
from typing import IO, Any

from django.core.exceptions import ValidationError

from zhucun.spreadsheets import RowError, SheetFormat, cell_text, invisible, sheet_parse, sheet_template

from . import rules

COLUMNS = ("村代码", "村", "户主姓名", "门牌号或户编号", "类别", "是否常住", "联系电话")
FORMAT = SheetFormat(columns=COLUMNS, noun="农户名单", rows_noun="农户")
KINDS = {"贫困户": rules.POOR, "非贫困户": rules.NON_POOR}
RESIDENT = {"是": True, "否": False}
_VILLAGE_CODE = re.compile(r"^\d{12}$")


@dataclasses.dataclass(frozen=True)
class HouseholdRow:
    row: int
    village_code: str
    village_name: str
    head_name: str
    house_number: str
    kind: str
    resident: bool
    phone: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.village_code, self.head_name, self.house_number)


def households_template() -> bytes:
    return sheet_template(
        FORMAT,
        title="农户名单",
        example=["130125100200", "东庄村", "张三", "东街3号", "贫困户", "是", "13800138000"],
        choices={"类别": list(KINDS), "是否常住": list(RESIDENT)},
        wide=("村代码", "门牌号或户编号", "联系电话"),
        notes=(
            "第 1 行为表头，请勿修改列名和顺序；从第 2 行起每行一户（示例行请删除或替换）。",
            "村代码：12 位统计用区划代码；村：与系统中的村名一致，用于核对村代码。",
            "一次导入一个村或一个乡镇的农户：文件中的村都应在导入时选择的村或乡镇内。",
            "类别：贫困户、非贫困户。是否常住：是、否（常住非贫困户一般每 2 个月走访一遍，第六条8）。",
            "同村同名的两户请填写门牌号或户编号加以区分；不要填写身份证号。",
            "已登记的农户（同村、同户主、同门牌号）按本表更新类别、是否常住和联系电话；表中没有的农户不受影响。",
            "任何一行有错误时整个文件都不会导入，系统会列出所有错误行，修改后重新上传即可。",
        ),
    )


def households_parse(upload: IO[bytes], *, region_code: str) -> tuple[list[HouseholdRow], list[RowError]]:
    """The rows that pass the per-cell checks (each village within ``region_code``) and the problems
    of the others; problems of the file as a whole raise SheetError."""

    def parse_row(row: int, cells: list[Any], errors: list[RowError]) -> HouseholdRow | None:
        return _parse_row(row, cells, errors, region_code=region_code)

    return sheet_parse(upload, FORMAT, parse_row)


def _parse_row(row: int, cells: list[Any], errors: list[RowError], *, region_code: str) -> HouseholdRow | None:
    text = {column: cell_text(value) for column, value in zip(COLUMNS, cells, strict=True)}
    before = len(errors)

    def bad(column: str, message: str) -> None:
        errors.append(RowError(row, column, message))

    code = text["村代码"]
    if not _VILLAGE_CODE.match(code):
        bad("村代码", f"村代码应为 12 位数字，现为「{code or '空'}」")
    elif not code.startswith(region_code):
        bad("村代码", f"村代码 {code} 不在本次导入的区域（{region_code}）内，请一次导入一个村或一个乡镇的农户。")
    for column, limit in (("村", 40), ("户主姓名", 40), ("门牌号或户编号", 30)):
        value = text[column]
        if not value and column != "门牌号或户编号":
            bad(column, f"「{column}」不能为空")
        elif len(value) > limit:
            bad(column, f"「{column}」不超过 {limit} 个字")
        elif invisible(value):
            bad(column, f"「{column}」含有换行、控制字符或不可见字符，请删除后重新上传。")
    kind = KINDS.get(text["类别"])
    if kind is None:
        bad("类别", f"类别应为 贫困户 或 非贫困户，现为「{text['类别'] or '空'}」")
    resident = RESIDENT.get(text["是否常住"])
    if resident is None:
        bad("是否常住", f"是否常住应为 是 或 否，现为「{text['是否常住'] or '空'}」")
    phone = ""
    try:
        phone = rules.clean_phone(text["联系电话"])
    except ValidationError as exc:
        bad("联系电话", exc.message_dict["phone"][0])
    if len(errors) > before:
        return None
    assert kind is not None and resident is not None
    return HouseholdRow(
        row=row,
        village_code=code,
        village_name=text["村"],
        head_name=text["户主姓名"],
        house_number=text["门牌号或户编号"],
        kind=kind,
        resident=resident,
        phone=phone,
    )
