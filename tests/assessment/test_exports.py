"""The assessment workbook (API.md "Annual assessment" export; SPEC.md: per level, per city/county,
with the quota check, printable), opened again with openpyxl."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from assessment.models import ExportJob
from cadres.models import Cadre, Team
from tests.conftest import api_as
from zhucun import scoping
from zhucun.testing.world import World
from zhucun.testing.xlsx import table_cells, table_rows

from .helpers import YEAR, add_cadre, province_level

URL = f"/api/v1/exports/assessments.xlsx?year={YEAR}"


def workbook_of(user: object) -> Workbook:
    response = api_as(user).get(URL)
    assert response.status_code == 200, response.content[:300]
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]


def data_rows(sheet: Worksheet) -> list[tuple[Any, ...]]:
    return table_rows(sheet)


LEVELS = ("省级", "市级", "县级")
SUBJECT_SHEETS = [f"{level}{what}" for level in LEVELS for what in ("驻村工作队", "驻村干部", "派出单位")]


def all_levels(book: Workbook, what: str) -> list[tuple[Any, ...]]:
    """The rows of the three level sheets of one kind of subject."""
    return [row for level in LEVELS for row in data_rows(book[f"{level}{what}"])]


@pytest.mark.parametrize("persona", ["province", "city", "county", "township", "unit"])
def test_rows_equal_the_callers_scope(world: World, persona: str) -> None:
    user = world.personas[persona]
    book = workbook_of(user)
    assert book.sheetnames == [*SUBJECT_SHEETS, "市汇总", "县汇总", "优秀比例核查", "双线考核评价意见"]
    teams = all_levels(book, "驻村工作队")
    assert sorted(row[5] for row in teams) == sorted(
        scoping.restrict(Team.objects.all(), user).values_list("village_id", flat=True)
    )
    cadres = all_levels(book, "驻村干部")
    assert sorted(row[1] for row in cadres) == sorted(
        scoping.restrict(Cadre.objects.all(), user).values_list("name", flat=True)
    )


def test_grades_summaries_and_the_quota_check(world: World) -> None:
    province = world.personas["province"]
    teams = province_level(5)
    client = api_as(province)
    for team, grade in zip(teams, ["excellent", "excellent", "good", "fair", "poor"], strict=True):
        assert (
            client.put(f"/api/v1/assessments/{YEAR}/team/{team.pk}/", {"grade": grade}, format="json").status_code
            == 200
        )
    book = workbook_of(province)
    grades = {row[5]: row[8] for row in all_levels(book, "驻村工作队")}
    assert grades[teams[0].village_id] == "优秀" and grades[teams[3].village_id] == "一般"
    assert grades[world.village("A")] == "未评定"
    county = {row[0]: row for row in data_rows(book["县汇总"])}
    assert county["甲县"][1] == 7  # teams A, B and the five province teams stationed in 甲县
    assert county["甲县"][2:7] == (2, 1, 1, 1, 2)  # 优秀 良好 一般 差 未评定
    assert county["甲县"][-1] == "较大范围一般及以下，应核减"  # 2 of 7 ≥ 20% (第二十五条)
    quota = [row for row in data_rows(book["优秀比例核查"]) if row[3] == "驻村工作队"]
    assert quota == [("河北省委组织部", "省级", "评定中", "驻村工作队", 5, 2, 2, 0.4, "符合")]
    # Shares are numbers shown as percentages, not text (issue 15 item 6).
    assert book["优秀比例核查"]["H3"].number_format == "0%"
    share = next(row for row in table_cells(book["县汇总"]) if row[0].value == "甲县")[-2]
    assert share.value == pytest.approx(2 / 7) and share.number_format == "0%"


def test_each_sheet_prints_as_a_government_table(world: World) -> None:
    """Issue 15 item 6: merged 16-pt title, bordered table, header repeated on every page, A4 fitted to
    the width, page numbers in the footer, the signature block under the table."""
    book = workbook_of(world.personas["city"])
    sheet = book["县级驻村干部"]
    assert sheet["A1"].value == f"{YEAR}年度县级驻村干部考核结果（石家庄市·市级）"
    assert sheet["A1"].font.bold and sheet["A1"].font.size == 16
    assert "A1:L1" in {str(merged) for merged in sheet.merged_cells.ranges}
    assert sheet["B2"].value == "姓名" and sheet["B2"].font.bold
    assert sheet.freeze_panes == "A3"
    assert sheet.print_title_rows == "$1:$2"
    assert int(sheet.page_setup.paperSize) == int(Worksheet.PAPERSIZE_A4)
    assert sheet.page_setup.orientation == "landscape"  # twelve columns do not fit across portrait A4
    assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"
    rows = table_cells(sheet)
    for cell in (*sheet[2], *rows[0], *rows[-1]):
        assert cell.border.left.style == cell.border.right.style == "thin", cell.coordinate
        assert cell.border.top.style == cell.border.bottom.style == "thin", cell.coordinate
    signature = sheet.cell(row=len(rows) + 4, column=1).value
    assert all(part in signature for part in ("填报单位（盖章）", "填表人", "审核人", "日期"))
    # Columns fit their content, a Chinese character counting twice: 身份证号 (18) and the grade fit.
    assert sheet.column_dimensions["D"].width >= 20 and sheet.column_dimensions["L"].width >= 10
    assert book["优秀比例核查"].page_setup.orientation == "portrait"  # a narrow table stands upright


def test_a_level_sheet_holds_only_that_levels_subjects_第二十一条(world: World) -> None:
    """The county's workbook lists the province's cadres stationed in it on the 省级 sheet (with the
    province's grade), not among its own on the 县级 sheet as 未评定 (issue 15 item 6)."""
    (team,) = province_level(1)
    province_cadre = team.cadres.get()
    response = api_as(world.personas["province"]).put(
        f"/api/v1/assessments/{YEAR}/cadre/{province_cadre.pk}/", {"grade": "competent"}, format="json"
    )
    assert response.status_code == 200
    book = workbook_of(world.personas["county"])
    county_names = {row[1] for row in data_rows(book["县级驻村干部"])}
    assert province_cadre.name not in county_names
    assert county_names == {c.name for t in "AB" for c in (world.leaders[t], world.members[t])}
    assert [(row[1], row[11]) for row in data_rows(book["省级驻村干部"])] == [(province_cadre.name, "称职")]
    assert data_rows(book["市级驻村干部"]) == []


def test_names_beginning_like_formulas_are_text_and_ids_are_masked(world: World) -> None:
    team = world.teams["A"]
    names = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"]
    for name in names:
        add_cadre(team, name=name)
    book = workbook_of(world.personas["county"])
    cells = {row[1].value: row for row in table_cells(book["县级驻村干部"])}
    for name in names:
        cell = cells[name][1]
        assert cell.data_type == "s", (name, cell.data_type)
        assert cell.value == name
    ids = [row[3].value for row in cells.values()]
    assert all("********" in value for value in ids)  # county_org sees clear IDs on pages, never in this file


def _export_queries(user: object) -> int:
    client = api_as(user)
    client.get(URL)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
        b"".join(response.streaming_content)  # type: ignore[attr-defined]
    return len(queries)


def test_export_query_count_does_not_grow_with_rows(world: World) -> None:
    province = world.personas["province"]
    province_level(3, cadres_per_team=2)
    small = _export_queries(province)
    province_level(40, cadres_per_team=3)
    assert _export_queries(province) == small


def test_only_a_valid_year_is_exported(world: World) -> None:
    response = api_as(world.personas["county"]).get("/api/v1/exports/assessments.xlsx")
    assert response.status_code == 400 and "year" in response.json()


@override_settings(ZHUCUN_EXPORT_SYNC_MAX_ROWS=0)
def test_a_large_export_runs_as_a_job_with_progress_and_a_download_link(
    world: World, django_capture_on_commit_callbacks: object
) -> None:
    client = Client()
    client.force_login(world.personas["county"])
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = client.post(f"/assessment/{YEAR}/export/")
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/assessment/exports/{job.pk}/"
    assert (job.status, job.progress, job.rows) == ("done", 100, 2 + 4 + 2)
    page = client.get(response["Location"])
    assert f"/assessment/exports/{job.pk}/download/" in page.content.decode()
    download = client.get(f"/assessment/exports/{job.pk}/download/")
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))  # type: ignore[attr-defined]
    assert len(data_rows(book["县级驻村工作队"])) == 2
    # Someone else's job is not found.
    other = Client()
    other.force_login(world.personas["province"])
    assert other.get(f"/assessment/exports/{job.pk}/download/").status_code == 404


def test_the_recall_list_exports_the_callers_cases_with_the_pages_filters(world: World) -> None:
    """召回案件 → 导出 Excel: the township's own cases only, the page's status filter applied, text kept
    as text (a name starting with '=' is not a formula)."""
    from django.urls import reverse

    from assessment.models import RecallCase

    def case(target: str, status: str = "open") -> RecallCase:
        cadre = world.members[target]
        return RecallCase.objects.create(
            cadre=cadre, unit=cadre.unit, village_code=cadre.team.village_id, trigger="other", status=status
        )

    case("A")
    case("A", status="dismissed")
    case("B")  # a sibling township's
    Cadre.objects.filter(pk=world.members["A"].pk).update(name="=HYPERLINK(1)")
    client = Client()
    client.force_login(world.personas["township"])
    response = client.get(reverse("assessment-recall-export") + "?status=open")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = table_rows(sheet)
    assert [(row[1], row[9]) for row in rows] == [("=HYPERLINK(1)", "待决定")]
    assert sheet.cell(row=3, column=2).data_type == "s"
    assert sheet["A2"].value == "序号" and sheet["F2"].value == "召回情形"


def test_the_accountability_records_export_in_scope(world: World) -> None:
    """追责问责 → 导出 Excel: the county's records only (another county's are not in it)."""
    import datetime as dt

    from django.urls import reverse

    from assessment.models import AccountabilityRecord

    for region, name in (("130102", "甲县责任人"), ("130104", "丙县责任人")):
        AccountabilityRecord.objects.create(
            measure="reminder_talk", target_type="person", person_name=name, failed_duty="未落实驻村制度",
            region_code=region, decided_on=dt.date(2026, 11, 2),
        )  # fmt: skip
    client = Client()
    client.force_login(world.personas["county"])
    response = client.get(reverse("assessment-accountability-export"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = table_rows(sheet)
    assert [(row[1], row[2], row[5]) for row in rows] == [("2026-11-02", "提醒谈话", "甲县责任人")]
