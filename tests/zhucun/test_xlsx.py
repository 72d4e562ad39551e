"""The shared xlsx builder (zhucun/exports/xlsx.py): every export is a government table that prints as
such (issue 15 item 6) and keeps text as text."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from decimal import Decimal

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from zhucun.exports.xlsx import FOOTER, Percent, display_width, sheet_name_for, write_table
from zhucun.testing.xlsx import table_cells, table_rows

HEADERS = ("序号", "姓名", "日期", "金额（元）", "比例", "事实")


def _book(*, notes: Sequence[str] = (), sheet_name: str | None = None) -> Worksheet:
    rows = [
        [1, "欧阳娜", dt.date(2026, 11, 2), Decimal("1234.50"), Percent(0.25), "=SUM(A1)"],
        [2, "张三", dt.date(2026, 11, 3), Decimal("-80"), Percent(1), "很长的一段事实说明，" * 12],
    ]
    content = write_table(
        title="驻村工作经费台账（2026年11月导出）",
        headers=HEADERS,
        rows=rows,
        widths=(6, 10, 12, 14, 8, 40),
        notes=notes,
        sheet_name=sheet_name,
    )
    return _sheet(content)


def _sheet(content: bytes) -> Worksheet:
    sheet = load_workbook(io.BytesIO(content)).active
    assert isinstance(sheet, Worksheet)
    return sheet


def test_a_table_has_a_merged_title_borders_print_titles_and_page_numbers() -> None:
    sheet = _book()
    assert sheet.title == "驻村工作经费台账"  # the title without its parentheses, not cut at 31
    assert sheet["A1"].value == "驻村工作经费台账（2026年11月导出）"
    assert sheet["A1"].font.bold and sheet["A1"].font.size == 16 and sheet["A1"].alignment.horizontal == "center"
    assert "A1:F1" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet.print_title_rows == "$1:$2" and sheet.freeze_panes == "A3"
    assert sheet.oddFooter.center.text == FOOTER == "第 &P 页 共 &N 页"
    assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    for row in (sheet[2], *table_cells(sheet)):
        for cell in row:
            assert {
                cell.border.left.style,
                cell.border.right.style,
                cell.border.top.style,
                cell.border.bottom.style,
            } == {"thin"}, cell.coordinate


def test_values_keep_their_types_and_formats() -> None:
    sheet = _book()
    first, second = table_cells(sheet)
    assert first[2].number_format == "yyyy-mm-dd" and first[2].value == dt.datetime(2026, 11, 2)
    assert first[3].number_format == "#,##0.00"
    assert first[4].value == 0.25 and first[4].number_format == "0%"  # a number, not the text "25%"
    assert first[5].value == "=SUM(A1)" and first[5].data_type == "s" and first[5].quotePrefix
    assert second[5].alignment.wrap_text  # long text wraps instead of being cut off …
    assert sheet.row_dimensions[4].height and sheet.row_dimensions[4].height > 15  # … in a row tall enough


def test_columns_fit_their_content_a_chinese_character_counting_twice() -> None:
    assert display_width("欧阳娜") == 6 and display_width("A1") == 2 and display_width(Percent(1)) == 4
    sheet = _book()
    assert sheet.column_dimensions["B"].width == 8  # 欧阳娜: 6, and a margin
    assert sheet.column_dimensions["F"].width == 40  # capped at the caller's width: the rest wraps


def test_notes_and_the_signature_block_are_under_the_table() -> None:
    sheet = _book(notes=["说明：√ 在村　× 缺勤"])
    assert len(table_rows(sheet)) == 2
    assert sheet["A6"].value == "说明：√ 在村　× 缺勤"
    signature = sheet["A7"].value
    assert all(part in signature for part in ("填报单位（盖章）", "填表人", "审核人", "日期"))
    assert {"A6:F6", "A7:F7"} <= {str(r) for r in sheet.merged_cells.ranges}


def test_a_wide_table_is_landscape_and_a_narrow_one_portrait() -> None:
    assert _book().page_setup.orientation == "portrait"
    wide = write_table(title="宽表", headers=[f"第{n}列很宽的表头" for n in range(12)], rows=[])
    assert _sheet(wide).page_setup.orientation == "landscape"


def test_sheet_names_are_sensible_and_at_most_31_characters() -> None:
    assert sheet_name_for("召回案件登记表（2026年11月02日导出）") == "召回案件登记表"
    assert sheet_name_for("a/b:c") == "a_b_c"
    assert len(sheet_name_for("很" * 40)) == 31
    assert sheet_name_for("（只有括号）") == "（只有括号）"
    assert _book(sheet_name="2026年11月考勤登记表").title == "2026年11月考勤登记表"
