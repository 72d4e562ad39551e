"""Build roster workbooks in tests (the same columns as the template)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook

from cadres.roster import COLUMNS


def roster_bytes(rows: Iterable[Sequence[object]], header: Sequence[str] = COLUMNS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def roster_row(**overrides: object) -> list[object]:
    """A valid row (a new 队员 in 甲村 of the test world) with any column overridden by name."""
    values: dict[str, object] = {
        "市": "石家庄市",
        "县": "甲县",
        "乡镇": "甲一镇",
        "村": "甲村",
        "村代码": "130102001001",
        "经度": "114.500000",
        "纬度": "38.000000",
        "派出单位": "甲县卫生健康局",
        "派出单位层级": "县",
        "姓名": "新队员",
        "性别": "女",
        "身份证号": "11010119900307803X",
        "手机号": "13700000001",
        "职务": "队员",
        "驻村开始日期": "2025-03-01",
    }
    values.update(overrides)
    return [values[column] for column in COLUMNS]
