"""The provincial assessment workbook (SPEC.md "Annual assessment": per level, per city/county, with
the quota check, in a form a person can print and file; UI.md page 3).

One sheet per subject type (teams, cadres, units) holding exactly the caller's scope, then per-city and
per-county summaries, the 第二十五条 county flags and the 第二十二条 quota check. Written with openpyxl in
write-only mode, rows streamed from ``.iterator()``, so memory stays flat whatever the number of rows;
the number of queries is fixed (grades are annotated, summaries grouped). Every text cell is text,
never a formula (a name beginning with ``=``, ``+``, ``-`` or ``@``), and ID numbers are masked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import IO, Any

from django.db.models import Count, QuerySet
from django.db.models.functions import Substr
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from cadres.idnumbers import mask_id_number
from cadres.models import Cadre, Region, Team, Unit
from zhucun import scoping

from . import rules, selectors
from .models import GRADE_LABELS, AssessmentResult, CadreGrade, SubjectType, TeamGrade

Progress = Callable[[int], None]
_LEVEL_LABELS = {"province": "省级", "city": "市级", "county": "县级"}
_FORMULA_STARTS = ("=", "+", "-", "@")


def _cell(sheet: Worksheet, value: Any, *, bold: bool = False) -> WriteOnlyCell:
    """A cell whose text is always text: typed as a string, and quote-prefixed when it begins like a
    formula, so Excel and WPS show it instead of evaluating it (formula injection)."""
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(_FORMULA_STARTS):
            cell.quotePrefix = True
    if bold:
        cell.font = Font(bold=True)
    return cell


def _sheet(workbook: Workbook, *, name: str, title: str, headers: Sequence[str], widths: Sequence[int]) -> Worksheet:
    """A print-ready sheet: a title row, a bold header frozen and repeated on every page, column
    widths, A4 landscape fitted to the page width."""
    sheet = workbook.create_sheet(title=name[:31])
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"
    sheet.print_title_rows = "1:2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    title_cell = _cell(sheet, title, bold=True)
    title_cell.alignment = Alignment(horizontal="left")
    sheet.append([title_cell])
    sheet.append([_cell(sheet, header, bold=True) for header in headers])
    return sheet


def _append(sheet: Worksheet, rows: Iterable[Sequence[Any]], progress: Progress | None, done: list[int]) -> None:
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
        done[0] += 1
        if progress is not None and done[0] % 1000 == 0:
            progress(done[0])


def scope_label(user: Any) -> str:
    """ "石家庄市·市级" — the caller's department for the titles; a unit's name otherwise."""
    department = scoping.department_of(user)
    if department is None:
        return str(getattr(user, "scope_label", ""))
    level, code = department
    region = Region.objects.filter(code=code).values_list("name", flat=True).first() or code
    return f"{region}·{_LEVEL_LABELS[level]}"


def scoped_subjects(*, user: Any, year: int) -> dict[str, QuerySet[Any]]:
    """The rows of the workbook: every team, in-post cadre and unit the caller may see."""
    teams = scoping.restrict(Team.objects.all(), user).select_related("village__parent__parent__parent", "unit")
    cadres = scoping.restrict(Cadre.objects.filter(rules.cadres_in_post(year)), user).select_related(
        "team__village__parent__parent", "unit"
    )
    units = scoping.restrict(Unit.objects.all(), user).select_related("region")
    return {
        SubjectType.TEAM: selectors.with_grade(teams, subject_type=SubjectType.TEAM, year=year).order_by("village_id"),
        SubjectType.CADRE: selectors.with_grade(cadres, subject_type=SubjectType.CADRE, year=year).order_by(
            "team__village_id", "role", "name"
        ),
        SubjectType.UNIT: selectors.with_grade(units, subject_type=SubjectType.UNIT, year=year).order_by(
            "level", "name"
        ),
    }


def row_total(*, user: Any, year: int) -> int:
    """How many subject rows the workbook will have (for a job's progress)."""
    return sum(qs.count() for qs in scoped_subjects(user=user, year=year).values())


def _grade(value: str | None) -> str:
    return GRADE_LABELS.get(value or "", "未评定")


def write_assessment_workbook(*, user: Any, year: int, out: IO[bytes], progress: Progress | None = None) -> int:
    """Write the caller's workbook of ``year`` to ``out``; returns the number of subject rows."""
    label = scope_label(user)
    subjects = scoped_subjects(user=user, year=year)
    workbook = Workbook(write_only=True)
    done = [0]

    teams = _sheet(
        workbook,
        name="驻村工作队",
        title=f"{year}年度驻村工作队考核结果（{label}）",
        headers=("序号", "市", "县", "乡镇", "村", "村代码", "派出单位", "派出层级", "考核等次"),
        widths=(6, 12, 12, 14, 14, 16, 28, 10, 10),
    )
    _append(
        teams,
        (
            (
                n,
                t.village.parent.parent.parent.name if t.village.parent and t.village.parent.parent else "",
                t.village.parent.parent.name if t.village.parent and t.village.parent.parent else "",
                t.village.parent.name if t.village.parent else "",
                t.village.name,
                t.village_id,
                t.unit.name,
                t.unit.get_level_display(),
                _grade(t.grade),
            )
            for n, t in enumerate(subjects[SubjectType.TEAM].iterator(chunk_size=2000), start=1)
        ),
        progress,
        done,
    )

    cadres = _sheet(
        workbook,
        name="驻村干部",
        title=f"{year}年度驻村干部考核结果（{label}）",
        headers=(
            "序号",
            "姓名",
            "性别",
            "身份证号",
            "职务",
            "县",
            "乡镇",
            "驻在村",
            "派出单位",
            "派出层级",
            "状态",
            "考核等次",
        ),
        widths=(6, 10, 6, 22, 14, 12, 14, 14, 28, 10, 8, 10),
    )
    _append(
        cadres,
        (
            (
                n,
                c.name,
                c.get_gender_display(),
                mask_id_number(c.id_number),
                c.get_role_display(),
                c.team.village.parent.parent.name if c.team.village.parent and c.team.village.parent.parent else "",
                c.team.village.parent.name if c.team.village.parent else "",
                c.team.village.name,
                c.unit.name,
                c.unit.get_level_display(),
                c.get_status_display(),
                _grade(c.grade),
            )
            for n, c in enumerate(subjects[SubjectType.CADRE].iterator(chunk_size=2000), start=1)
        ),
        progress,
        done,
    )

    units = _sheet(
        workbook,
        name="派出单位",
        title=f"{year}年度派出单位驻村帮扶工作考核结果（{label}）",
        headers=("序号", "派出单位", "层级", "所属区划", "驻村帮扶等次", "领导班子及主要负责同志（第二十四条）"),
        widths=(6, 30, 8, 14, 14, 34),
    )
    _append(
        units,
        (
            (
                n,
                u.name,
                u.get_level_display(),
                u.region.name if u.region else "中央",
                _grade(u.grade),
                "不得评为优秀" if u.leadership_flag else "",
            )
            for n, u in enumerate(subjects[SubjectType.UNIT].iterator(chunk_size=2000), start=1)
        ),
        progress,
        done,
    )

    _summary_sheets(workbook, user=user, year=year, label=label, subjects=subjects)
    _quota_sheet(workbook, user=user, year=year, label=label)
    workbook.save(out)
    if progress is not None:
        progress(done[0])
    return done[0]


def _summary_sheets(
    workbook: Workbook, *, user: Any, year: int, label: str, subjects: dict[str, QuerySet[Any]]
) -> None:
    """Per-city and per-county counts of each grade, by the stationing region (grouped queries)."""
    team_grades = list(TeamGrade.values)
    cadre_grades = list(CadreGrade.values)
    team_ids = subjects[SubjectType.TEAM].values("pk")
    cadre_ids = subjects[SubjectType.CADRE].values("pk")
    flags = rules.county_flags(year=year, teams=scoping.restrict(Team.objects.all(), user))
    for length, name, what in ((4, "市汇总", "市"), (6, "县汇总", "县（市、区）")):
        team_totals = _grouped(Team.objects.filter(pk__in=team_ids), "village_id", length)
        cadre_totals = _grouped(Cadre.objects.filter(pk__in=cadre_ids), "team__village_id", length)
        team_by_grade = _grouped_grades(SubjectType.TEAM, year, team_ids, length)
        cadre_by_grade = _grouped_grades(SubjectType.CADRE, year, cadre_ids, length)
        codes = sorted(set(team_totals) | set(cadre_totals))
        names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
        headers = [
            what,
            "工作队数",
            *(f"队·{GRADE_LABELS[g]}" for g in team_grades),
            "队·未评定",
            "干部数",
            *(f"干部·{GRADE_LABELS[g]}" for g in cadre_grades),
            "干部·未评定",
        ]
        if length == 6:
            headers += ["一般及以下占比", "第二十五条核减分值"]
        sheet = _sheet(
            workbook,
            name=name,
            title=f"{year}年度驻村考核{name}（{label}）",
            headers=headers,
            widths=[14, 9, *[8] * 5, 9, *[9] * 5, *([14, 18] if length == 6 else [])],
        )
        rows = []
        for code in codes:
            t_total, c_total = team_totals.get(code, 0), cadre_totals.get(code, 0)
            t_counts = [team_by_grade.get((code, g), 0) for g in team_grades]
            c_counts = [cadre_by_grade.get((code, g), 0) for g in cadre_grades]
            row: list[Any] = [
                names.get(code, code),
                t_total,
                *t_counts,
                t_total - sum(t_counts),
                c_total,
                *c_counts,
                c_total - sum(c_counts),
            ]
            if length == 6:
                flag = flags.get(code)
                row += [
                    f"{flag.share:.0%}" if flag else "",
                    "较大范围一般及以下，应核减" if flag and flag.flagged else "",
                ]
            rows.append(row)
        _append(sheet, rows, None, [0])


def _grouped(queryset: QuerySet[Any], path: str, length: int) -> dict[str, int]:
    return dict(queryset.annotate(code=Substr(path, 1, length)).values_list("code").annotate(n=Count("pk")).order_by())


def _grouped_grades(subject_type: str, year: int, ids: QuerySet[Any], length: int) -> dict[tuple[str, str], int]:
    results = AssessmentResult.objects.filter(
        round__year=year, subject_type=subject_type, **{f"{subject_type}_id__in": ids}
    )
    return {
        (code, grade): n
        for code, grade, n in results.annotate(code=Substr("village_code", 1, length))
        .values_list("code", "grade")
        .annotate(n=Count("id"))
        .order_by()
    }


def _quota_sheet(workbook: Workbook, *, user: Any, year: int, label: str) -> None:
    """第二十二条: each visible round's 优秀 against floor(40% × the level's total), teams and cadres."""
    rounds = list(selectors.visible_rounds(user=user, year=year))
    quotas = rules.quotas_for_rounds(rounds)
    names = dict(Region.objects.filter(code__in={r.region_code for r in rounds}).values_list("code", "name"))
    sheet = _sheet(
        workbook,
        name="优秀比例核查",
        title=f"{year}年度优秀等次比例核查（第二十二条，{label}）",
        headers=("考核机关", "层级", "状态", "对象", "总数", "优秀", "上限", "比例", "结论"),
        widths=(16, 8, 10, 12, 8, 8, 8, 8, 12),
    )
    rows = []
    for r in rounds:
        for subject_type, what in ((SubjectType.TEAM, "驻村工作队"), (SubjectType.CADRE, "驻村干部")):
            quota = quotas[(r.pk, subject_type)]
            rows.append(
                (
                    f"{names.get(r.region_code, r.region_code)}委组织部",
                    r.get_level_display(),
                    r.get_status_display(),
                    what,
                    quota.total,
                    quota.excellent,
                    quota.cap,
                    f"{quota.percent}%",
                    "符合" if quota.ok else "超出比例",
                )
            )
    _append(sheet, rows, None, [0])
