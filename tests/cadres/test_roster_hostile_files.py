"""Hostile roster files (issue 10 items 8 and 9): what openpyxl would never write, built part by part.

Item 8 — a bad cell is a row error and a broken file a file-level 400, never a 500.
Item 9 — a file holding more shared strings, cells, rows or formatting runs than any roster is refused
before openpyxl parses it (the byte scan of cadres/roster.py), and whatever passes is parsed under a
deadline. The CPU these files cost before and after is measured in docs/decisions/0061-costly-files.md,
not here (no timed tests).
"""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from cadres.models import Cadre
from tests.cadres.test_roster_import import errors_of, new_id, post_roster, table_counts
from tests.cadres.xlsx_parts import (
    NS,
    STRINGS,
    as_shared_strings,
    parts_of,
    shared_strings_xml,
    valid_roster,
    with_cell,
    with_rows,
    with_shared_strings,
    zipped,
)
from tests.conftest import api_as
from zhucun.testing.roster import roster_bytes, roster_row
from zhucun.testing.world import World


@pytest.fixture
def province(world: World) -> APIClient:
    return api_as(world.personas["province"])


def file_error(client: APIClient, data: bytes) -> str:
    """The one file-level error of a refused upload; nothing was written."""
    before = table_counts()
    errors = errors_of(post_roster(client, data))
    assert table_counts() == before
    assert len(errors) == 1, errors
    assert errors[0]["row"] == 0 or errors[0]["row"] >= 1
    return str(errors[0]["message"])


# --- item 8: bad cells are row errors, broken files a file-level 400 ---------------------------------


@pytest.mark.parametrize("start", ["9999-12-31", "2200-01-01", "2014-12-31", "0001-01-01"])
def test_an_implausible_start_date_is_a_row_error_naming_the_column(province: APIClient, start: str) -> None:
    errors = errors_of(post_roster(province, roster_bytes([roster_row(驻村开始日期=start)])))

    assert [(e["row"], e["column"]) for e in errors] == [(2, "驻村开始日期")]
    assert "2015-01-01" in errors[0]["message"]


def test_malformed_sheet_xml_is_a_file_level_400(province: APIClient) -> None:
    hostile = with_cell(valid_roster(), "J2", '<c r="J2" t="inlineStr"><is><t>新&#0;队员</t></is></c>')

    message = file_error(province, hostile)

    assert "无法读取" in message
    assert "第 2 行" in message


def test_a_number_cell_holding_nan_is_a_file_level_400(province: APIClient) -> None:
    hostile = with_cell(valid_roster(), "F2", '<c r="F2" t="n"><v>NaN</v></c>')

    assert "无法读取" in file_error(province, hostile)


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-inf", "1e309"])
def test_a_longitude_text_that_is_not_a_number_is_a_row_error(province: APIClient, value: str) -> None:
    errors = errors_of(post_roster(province, roster_bytes([roster_row(经度=value)])))

    assert [(e["row"], e["column"]) for e in errors] == [(2, "经度")]


@pytest.mark.parametrize("name", ["新\u202e员队", "新\u200b队员", "新\n队员", "新\u0085队员"])
def test_a_name_with_an_invisible_or_control_character_is_a_row_error(province: APIClient, name: str) -> None:
    errors = errors_of(post_roster(province, roster_bytes([roster_row(姓名=name)])))

    assert [(e["row"], e["column"]) for e in errors] == [(2, "姓名")]
    assert "不可见" in errors[0]["message"]


def test_an_id_number_with_superscript_digits_is_a_row_error(province: APIClient) -> None:
    errors = errors_of(post_roster(province, roster_bytes([roster_row(身份证号="11010119900307803²")])))

    assert [(e["row"], e["column"]) for e in errors] == [(2, "身份证号")]


# --- item 9: costly files are refused before parsing ------------------------------------------------


def _strings_file(count: int, *, declared: int | None = None) -> bytes:
    return zipped(with_shared_strings(parts_of(valid_roster()), shared_strings_xml(["a"] * count, declared=declared)))


def test_two_million_shared_strings_in_a_tiny_file_are_refused_before_parsing(province: APIClient) -> None:
    hostile = _strings_file(2_000_000)
    assert len(hostile) < 200 * 1024  # 88 KB in the report of issue 10

    assert "文字条目超过" in file_error(province, hostile)


def test_a_shared_strings_table_lying_about_its_count_is_counted(province: APIClient) -> None:
    assert "文字条目超过" in file_error(province, _strings_file(1_000_000, declared=1))


def test_a_million_empty_cells_over_the_rows_of_a_roster_are_refused_before_parsing(province: APIClient) -> None:
    empty_cells = "<c/>" * 17
    rows = "".join(f'<row r="{n}">{empty_cells}</row>' for n in range(3, 60_002))

    assert "单元格超过" in file_error(province, with_rows(valid_roster(), rows, dimension="A1:Q60001"))


def test_a_million_rows_of_one_empty_cell_are_refused_before_parsing(province: APIClient) -> None:
    rows = "".join(f'<row r="{n}"><c r="A{n}"/></row>' for n in range(3, 1_000_003))

    assert "行（含空行）" in file_error(province, with_rows(valid_roster(), rows, dimension="A1:O1000002"))


def test_one_row_of_a_million_cells_is_refused_before_parsing(province: APIClient) -> None:
    row = '<row r="3">' + '<c t="n"><v>1</v></c>' * 1_000_000 + "</row>"

    assert "异常多" in file_error(province, with_rows(valid_roster(), row, dimension="A3:XFD3"))


def test_a_row_numbered_a_million_is_refused_before_parsing(province: APIClient) -> None:
    row = '<row r="1048576"><c r="A1048576" t="n"><v>1</v></c></row>'

    assert "行（含空行）" in file_error(province, with_rows(valid_roster(), row, dimension="A1:O1048576"))


def test_one_text_of_a_million_formatting_runs_is_refused_before_parsing(province: APIClient) -> None:
    runs = "<r><t>a</t></r>" * 1_000_000
    strings = f'<sst xmlns="{NS}"><si>{runs}</si></sst>'.encode()

    assert "异常多" in file_error(province, zipped(with_shared_strings(parts_of(valid_roster()), strings)))


def test_a_part_larger_than_the_limit_once_unpacked_is_refused(province: APIClient, settings: Any) -> None:
    settings.ROSTER_MAX_PART_BYTES = 64 * 1024
    padded = with_rows(valid_roster(), "<!--" + "x" * 100_000 + "-->")

    assert "解压后过大" in file_error(province, padded)


def test_the_parse_stops_at_its_deadline_with_a_clear_400(province: APIClient, settings: Any) -> None:
    settings.ROSTER_PARSE_SECONDS = 0

    message = file_error(province, valid_roster())

    assert "超过 0 秒" in message
    assert "拆分" in message


def test_the_deadline_covers_the_shared_strings_read_before_any_row(province: APIClient, settings: Any) -> None:
    settings.ROSTER_PARSE_SECONDS = 0

    assert "超过 0 秒" in file_error(province, _strings_file(5_000))


# --- what a real roster keeps ----------------------------------------------------------------------


def test_a_roster_with_shared_strings_as_excel_writes_it_is_imported(province: APIClient) -> None:
    data = as_shared_strings(roster_bytes([roster_row(身份证号=new_id(1))]))
    assert STRINGS in parts_of(data)

    response = post_roster(province, data)

    assert response.status_code == 201, response.content
    assert Cadre.objects.filter(id_number=new_id(1), name="新队员").exists()


def test_a_dimension_that_claims_fewer_rows_does_not_hide_a_row(province: APIClient) -> None:
    """openpyxl's read-only mode stops at the declared dimension; a wrong one used to drop rows."""
    data = with_rows(roster_bytes([roster_row(身份证号=new_id(1))]), "", dimension="A1:O1")

    response = post_roster(province, data)

    assert response.status_code == 201, response.content
    assert Cadre.objects.filter(id_number=new_id(1)).exists()


def test_a_dimension_of_the_whole_sheet_does_not_pad_rows_to_sixteen_thousand_columns(province: APIClient) -> None:
    data = with_rows(roster_bytes([roster_row(身份证号=new_id(1))]), "", dimension="A1:XFD1048576")

    assert post_roster(province, data).status_code == 201
