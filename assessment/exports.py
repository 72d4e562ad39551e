"""The provincial assessment workbook (SPEC.md "Annual assessment": per level, per city/county, with
the quota check, in a form a person can print and file; UI.md page 3).

One sheet per subject type (teams, cadres, units) holding exactly the caller's scope, then per-city and
per-county summaries, the 第二十五条 county flags and the 第二十二条 quota check.

Two parts. :func:`workbook_sheets` says what the workbook holds: each sheet's name, title, headers and
widths, and its rows as an iterable of plain tuples (subject rows stream from ``.values_list()``
``.iterator()``: no model instances, names joined in the query, choice labels from dicts, so memory
stays flat whatever the number of rows and the number of queries is fixed). :func:`write_assessment_workbook`
writes them with the shared builder (zhucun.exports.xlsx.add_table: a printable government table,
every text cell text — never a formula — in write-only mode). ID numbers are masked.

The subject sheets are per level (SPEC.md "per level"; 第二十一条: teams and cadres are assessed by the
organization department of their dispatching unit's level): 省级, 市级 and 县级 sheets each hold the
subjects of that level in the caller's scope, with the grade that level's department gave — a county's
workbook does not list the province's cadres stationed in it among its own as 未评定 (issue 15 item 6).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import IO, TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook

from cadres.idnumbers import mask_id_number
from cadres.models import Cadre, Region, Team, Unit
from zhucun import scoping
from zhucun.exports.xlsx import Percent, add_table

from . import rules, selectors
from .models import GRADE_LABELS, AssessmentResult, CadreGrade, SubjectType, TeamGrade

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

Progress = Callable[[int], None]
Row = Sequence[Any]
_LEVEL_LABELS = {"province": "省级", "city": "市级", "county": "县级"}
_CHUNK = 500


@dataclasses.dataclass(frozen=True)
class Sheet:
    """One sheet of the workbook: what it is called, its title and header rows, its column widths and
    its rows (plain values). ``subjects``: its rows are subjects (counted for progress and the total)."""

    name: str
    title: str
    headers: Sequence[str]
    widths: Sequence[int]
    rows: Iterable[Row]
    subjects: bool = False


def scope_label(user: User | AnonymousUser) -> str:
    """ "石家庄市·市级" — the caller's department for the titles; a unit's name otherwise."""
    department = scoping.department_of(user)
    if department is None:
        return str(getattr(user, "scope_label", ""))
    level, code = department
    region = Region.objects.filter(code=code).values_list("name", flat=True).first() or code
    return f"{region}·{_LEVEL_LABELS[level]}"


#: The order of each subject sheet; the primary key last, so that the order is total and the results
#: stream of :func:`_graded` (ordered the same way) can be merged with the subjects' stream.
_ORDER: dict[str, tuple[str, ...]] = {
    SubjectType.TEAM: ("village_id", "pk"),
    SubjectType.CADRE: ("team__village_id", "role", "name", "pk"),
    SubjectType.UNIT: ("level", "name", "pk"),
}


def scoped_subjects(*, user: User | AnonymousUser, year: int) -> dict[str, QuerySet[Any]]:
    """The rows of the workbook: every team, cadre and unit in post in ``year`` (第二十二条, 第二十四条) the
    caller may see, in sheet order."""
    return {
        SubjectType.TEAM: scoping.restrict(Team.objects.filter(rules.teams_in_post(year)), user).order_by(
            *_ORDER[SubjectType.TEAM]
        ),
        SubjectType.CADRE: scoping.restrict(Cadre.objects.filter(rules.cadres_in_post(year)), user).order_by(
            *_ORDER[SubjectType.CADRE]
        ),
        SubjectType.UNIT: scoping.restrict(Unit.objects.filter(rules.units_in_post(year)), user).order_by(
            *_ORDER[SubjectType.UNIT]
        ),
    }


def row_total(*, user: User | AnonymousUser, year: int) -> int:
    """How many subject rows the workbook will have (for a job's progress)."""
    return sum(qs.count() for qs in scoped_subjects(user=user, year=year).values())


@dataclasses.dataclass
class _Tally:
    """What the summary sheets need, counted while the subject rows stream by, so they need no queries
    of their own: subjects per county (the first 6 characters of the village code) and results per
    (county of the result's village code, grade) — what grouped queries by ``Substr(…, 1, 6)`` return.
    Bounded by the number of counties, not of rows."""

    subjects: dict[str, int] = dataclasses.field(default_factory=dict)
    grades: dict[tuple[str, str], int] = dataclasses.field(default_factory=dict)
    complete: bool = False


def _graded(
    subjects: QuerySet[Any],
    *,
    subject_type: str,
    year: int,
    fields: Sequence[str],
    flag: bool = False,
    tally: _Tally | None = None,
) -> Iterator[tuple[Any, ...]]:
    """``fields`` of each subject, then its grade of ``year`` (None when ungraded) and, with ``flag``,
    its 第二十四条 flag and the leadership team's and head's grades: the latest result (by ``graded_at``),
    as ``selectors.with_grade`` defines it.

    Two streamed queries instead of a subquery per row (which made the database run one small query
    per subject, and PostgreSQL JIT-compile it): the subjects, and the year's results of those subjects
    in the same order (then oldest first), merged here. Memory holds one chunk of each. Every result is
    counted in ``tally.grades``."""
    rows = subjects.values_list("pk", *fields).iterator(chunk_size=_CHUNK)
    results = (
        AssessmentResult.objects.filter(
            round__year=year, subject_type=subject_type, **{f"{subject_type}__in": subjects.values("pk")}
        )
        .order_by(*(f"{subject_type}__{key}" for key in _ORDER[subject_type]), "graded_at", "pk")
        .values_list(
            f"{subject_type}_id",
            "village_code",
            "grade",
            *(["leadership_not_excellent", "leadership_grade", "head_grade"] if flag else []),
        )
        .iterator(chunk_size=_CHUNK)
    )
    counts = tally.grades if tally is not None else None
    pending = next(results, None)
    for row in rows:
        pk = row[0]
        result: tuple[Any, ...] = (None, False, "", "") if flag else (None,)
        while pending is not None and pending[0] == pk:
            result = pending[2:]  # oldest first: the latest wins
            if counts is not None:
                key = (Region.county_of(pending[1]), pending[2])
                counts[key] = counts.get(key, 0) + 1
            pending = next(results, None)
        yield row[1:] + result
    if pending is not None:  # the two orders disagree: fail rather than write grades to the wrong rows
        raise RuntimeError(f"assessment results of {subject_type} {pending[0]} out of the subjects' order")


def _team_rows(queryset: QuerySet[Any], year: int, tally: _Tally) -> Iterator[Row]:
    unit_levels = dict(Unit.Level.choices)
    grades = GRADE_LABELS
    counties = tally.subjects
    fields = (
        "village__parent__parent__parent__name",
        "village__parent__parent__name",
        "village__parent__name",
        "village__name",
        "village_id",
        "unit__name",
        "unit__level",
    )
    rows = _graded(queryset, subject_type=SubjectType.TEAM, year=year, fields=fields, tally=tally)
    for n, (city, county, township, village, code, unit, level, grade) in enumerate(rows, start=1):
        county_code = Region.county_of(code)
        counties[county_code] = counties.get(county_code, 0) + 1
        yield (
            n,
            city or "",
            county or "",
            township or "",
            village,
            code,
            unit,
            unit_levels.get(level, level),
            grades.get(grade, "未评定"),
        )
    tally.complete = True


def _cadre_rows(queryset: QuerySet[Any], year: int, tally: _Tally) -> Iterator[Row]:
    genders = dict(Cadre.Gender.choices)
    roles = dict(Cadre.Role.choices)
    statuses = dict(Cadre.Status.choices)
    unit_levels = dict(Unit.Level.choices)
    grades = GRADE_LABELS
    counties = tally.subjects
    fields = (
        "name",
        "gender",
        "id_number",
        "role",
        "team__village__parent__parent__name",
        "team__village__parent__name",
        "team__village__name",
        "team__village_id",
        "unit__name",
        "unit__level",
        "status",
    )
    rows = _graded(queryset, subject_type=SubjectType.CADRE, year=year, fields=fields, tally=tally)
    for n, (name, gender, id_number, role, county, township, village, code, unit, level, status, grade) in enumerate(
        rows, start=1
    ):
        county_code = Region.county_of(code)
        counties[county_code] = counties.get(county_code, 0) + 1
        yield (
            n,
            name,
            genders.get(gender, gender),
            mask_id_number(id_number),
            roles.get(role, role),
            county or "",
            township or "",
            village,
            unit,
            unit_levels.get(level, level),
            statuses.get(status, status),
            grades.get(grade, "未评定"),
        )
    tally.complete = True


def _unit_rows(queryset: QuerySet[Any], year: int) -> Iterator[Row]:
    unit_levels = dict(Unit.Level.choices)
    grades = GRADE_LABELS
    fields = ("name", "level", "region_id", "region__name")
    rows = _graded(queryset, subject_type=SubjectType.UNIT, year=year, fields=fields, flag=True)
    for n, (name, level, region_id, region, grade, flag, leadership, head) in enumerate(rows, start=1):
        yield (
            n,
            name,
            unit_levels.get(level, level),
            region if region_id is not None else "中央",
            grades.get(grade, "未评定"),
            "不得评为优秀" if flag else "",
            grades.get(leadership, ""),
            grades.get(head, ""),
        )


#: The levels of the subject sheets: (label, the dispatching units' levels it holds) — 第二十一条: the
#: province's department assesses central and province units' teams and cadres.
SHEET_LEVELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("省级", (Unit.Level.CENTRAL, Unit.Level.PROVINCE)),
    ("市级", (Unit.Level.CITY,)),
    ("县级", (Unit.Level.COUNTY,)),
)


def workbook_sheets(*, user: User | AnonymousUser, year: int) -> Iterator[Sheet]:
    """The sheets of the caller's workbook of ``year``, in order: per level (省级, 市级, 县级) its teams,
    cadres and units, then the summaries and the quota check. Lazy: a sheet's queries run when it is
    reached, its subject rows as they are iterated (``.iterator()``). The summary sheets count what the
    subject sheets streamed: take each sheet's rows before the next sheet."""
    label = scope_label(user)
    subjects = scoped_subjects(user=user, year=year)
    teams, cadres = _Tally(), _Tally()
    for level, unit_levels in SHEET_LEVELS:
        yield Sheet(
            name=f"{level}驻村工作队",
            title=f"{year}年度{level}驻村工作队考核结果（{label}）",
            headers=("序号", "市", "县", "乡镇", "村", "村代码", "派出单位", "派出层级", "考核等次"),
            widths=(6, 12, 12, 14, 14, 16, 28, 10, 10),
            rows=_team_rows(subjects[SubjectType.TEAM].filter(unit__level__in=unit_levels), year, teams),
            subjects=True,
        )
        yield Sheet(
            name=f"{level}驻村干部",
            title=f"{year}年度{level}驻村干部考核结果（{label}）",
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
            rows=_cadre_rows(subjects[SubjectType.CADRE].filter(unit__level__in=unit_levels), year, cadres),
            subjects=True,
        )
        yield Sheet(
            name=f"{level}派出单位",
            title=f"{year}年度{level}派出单位驻村帮扶工作考核结果（{label}）",
            headers=(
                "序号",
                "派出单位",
                "层级",
                "所属区划",
                "驻村帮扶等次",
                "领导班子及主要负责同志（第二十四条）",
                "领导班子等次",
                "主要负责同志等次",
            ),
            widths=(6, 30, 8, 14, 14, 34, 12, 14),
            rows=_unit_rows(subjects[SubjectType.UNIT].filter(level__in=unit_levels), year),
            subjects=True,
        )
    yield from _summary_sheets(user=user, year=year, label=label, teams=teams, cadres=cadres)
    yield _quota_sheet(user=user, year=year, label=label)
    yield _support_opinion_sheet(user=user, year=year, label=label)


def write_assessment_workbook(
    *, user: User | AnonymousUser, year: int, out: IO[bytes], progress: Progress | None = None
) -> int:
    """Write the caller's workbook of ``year`` to ``out``; returns the number of subject rows."""
    workbook = Workbook(write_only=True)
    done = 0

    def subject_written() -> None:
        nonlocal done
        done += 1
        if progress is not None and done % 1000 == 0:
            progress(done)

    for spec in workbook_sheets(user=user, year=year):
        add_table(
            workbook,
            title=spec.title,
            headers=spec.headers,
            rows=spec.rows,
            widths=spec.widths,
            sheet_name=spec.name,
            on_row=subject_written if spec.subjects else None,
        )
    workbook.save(out)
    if progress is not None:
        progress(done)
    return done


def _summary_sheets(
    *, user: User | AnonymousUser, year: int, label: str, teams: _Tally, cadres: _Tally
) -> Iterator[Sheet]:
    """Per-city and per-county counts of each grade, by the stationing region, all levels together: the
    subjects and results counted by county while the subject sheets streamed (``_Tally``), summed up to
    the city (the first 4 characters of the code) here."""
    if not (teams.complete and cadres.complete):
        raise RuntimeError("the summary sheets count the subject sheets' rows: take those first")
    team_grades = list(TeamGrade.values)
    cadre_grades = list(CadreGrade.values)
    flags = rules.county_flags(year=year, teams=scoping.restrict(Team.objects.filter(rules.teams_in_post(year)), user))
    by_county: dict[str, dict[Any, int]] = {
        "teams": teams.subjects,
        "cadres": cadres.subjects,
        "team_grades": teams.grades,
        "cadre_grades": cadres.grades,
    }
    by_city: dict[str, dict[Any, int]] = {}
    for key, counts in by_county.items():
        summed: dict[Any, int] = {}
        for group, n in counts.items():
            city = Region.city_of(group) if isinstance(group, str) else (Region.city_of(group[0]), *group[1:])
            summed[city] = summed.get(city, 0) + n
        by_city[key] = summed
    city, county = Region.Level.CITY, Region.Level.COUNTY
    levels = {city: by_city, county: by_county}
    codes = {level: sorted(set(c["teams"]) | set(c["cadres"])) for level, c in levels.items()}
    names = dict(Region.objects.filter(code__in=codes[city] + codes[county]).values_list("code", "name"))
    for level, name, what in ((city, "市汇总", "市"), (county, "县汇总", "县（市、区）")):
        team_totals, cadre_totals = levels[level]["teams"], levels[level]["cadres"]
        team_by_grade, cadre_by_grade = levels[level]["team_grades"], levels[level]["cadre_grades"]
        headers = [
            what,
            "工作队数",
            *(f"队·{GRADE_LABELS[g]}" for g in team_grades),
            "队·未评定",
            "干部数",
            *(f"干部·{GRADE_LABELS[g]}" for g in cadre_grades),
            "干部·未评定",
        ]
        if level == county:
            headers += ["一般及以下占比", "第二十五条核减分值"]
        rows = []
        for code in codes[level]:
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
            if level == county:
                flag = flags.get(code)
                row += [
                    Percent(flag.share) if flag else "",
                    "较大范围一般及以下，应核减" if flag and flag.flagged else "",
                ]
            rows.append(tuple(row))
        yield Sheet(
            name=name,
            title=f"{year}年度驻村考核{name}（{label}）",
            headers=headers,
            widths=[14, 9, *[8] * 5, 9, *[9] * 5, *([14, 18] if level == county else [])],
            rows=rows,
        )


def _quota_sheet(*, user: User | AnonymousUser, year: int, label: str) -> Sheet:
    """第二十二条: each visible round's 优秀 against floor(40% × the level's total), teams and cadres."""
    rounds = list(selectors.visible_rounds(user=user, year=year))
    quotas = rules.quotas_for_rounds(rounds)
    names = dict(Region.objects.filter(code__in={r.region_code for r in rounds}).values_list("code", "name"))
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
                    Percent(quota.ratio),
                    "符合" if quota.ok else "超出比例",
                )
            )
    return Sheet(
        name="优秀比例核查",
        title=f"{year}年度优秀等次比例核查（第二十二条，{label}）",
        headers=("考核机关", "层级", "状态", "对象", "总数", "优秀", "上限", "比例", "结论"),
        widths=(16, 8, 10, 12, 8, 8, 8, 8, 12),
        rows=rows,
    )


def _support_opinion_sheet(*, user: User | AnonymousUser, year: int, label: str) -> Sheet:
    """第二十五条 双线考核: per county and dispatching unit the caller sees, the teams' opinions of the year by
    grade, their mean score and the points they carry with the profile's weight — beside the unit's own
    驻村帮扶 grade. Three queries whatever the number of opinions."""
    summary = selectors.support_opinion_summary(user=user, year=year)
    unit_ids = [int(row.key) for row in summary if row.body_type == "unit"]
    unit_grades = dict(
        AssessmentResult.objects.filter(subject_type=SubjectType.UNIT, round__year=year, unit_id__in=unit_ids)
        .order_by("unit_id", "graded_at")
        .values_list("unit_id", "grade")
    )
    team_grades = list(TeamGrade.values)
    rows = [
        (
            n,
            row.name,
            "县（市、区）党委政府扶贫脱贫工作" if row.body_type == "county" else "派出单位驻村帮扶工作",
            row.weight.opinions,
            *(row.grades.get(grade, 0) for grade in team_grades),
            row.weight.mean_score,
            row.weight.percent,
            row.weight.weighted,
            GRADE_LABELS.get(unit_grades.get(int(row.key), ""), "未评定") if row.body_type == "unit" else "",
        )
        for n, row in enumerate(summary, start=1)
    ]
    return Sheet(
        name="双线考核评价意见",
        title=f"{year}年度驻村工作队评价意见（双线考核，第二十五条，{label}）",
        headers=(
            "序号",
            "评价对象",
            "类别",
            "评价工作队数",
            *(f"评为{GRADE_LABELS[g]}" for g in team_grades),
            "平均分",
            "权重",
            "计入考核分值",
            "驻村帮扶等次",
        ),
        widths=(6, 30, 28, 12, 9, 9, 9, 9, 9, 8, 12, 14),
        rows=rows,
    )


def recall_register(cases: QuerySet[Any]) -> bytes:
    """召回案件登记表: one row per case of ``cases`` (already scoped and filtered), in its order."""
    from zhucun.exports.xlsx import write_table

    rows = (
        (
            n,
            case.cadre.name,
            case.cadre.team.village.parent.name if case.cadre.team.village.parent else "",
            case.cadre.team.village.name,
            case.unit.name,
            case.get_trigger_display(),
            case.absence_days or "",
            timezone.localtime(case.opened_at).strftime("%Y-%m-%d %H:%M"),
            timezone.localtime(case.consulted_at).strftime("%Y-%m-%d %H:%M") if case.consulted_at else "",
            case.get_status_display(),
            timezone.localtime(case.decided_at).strftime("%Y-%m-%d %H:%M") if case.decided_at else "",
            case.decision_reason,
        )
        for n, case in enumerate(cases.iterator(chunk_size=500), start=1)
    )
    return write_table(
        title=f"召回案件登记表（{timezone.localdate():%Y年%m月%d日}导出）",
        headers=("序号", "驻村干部", "乡镇", "驻在村", "派出单位", "召回情形", "缺岗天数", "发起时间",
                 "商派出单位", "状态", "决定时间", "决定理由"),
        rows=rows,
        widths=(6, 10, 14, 14, 28, 26, 8, 17, 17, 10, 17, 40),
    )  # fmt: skip


def accountability_register(records: QuerySet[Any]) -> bytes:
    """追责问责记录 (第十七条): one row per record of ``records`` (already scoped), in its order."""
    from zhucun.exports.xlsx import write_table

    rows = (
        (
            n,
            f"{record.decided_on:%Y-%m-%d}",
            record.get_measure_display(),
            record.get_target_type_display(),
            record.unit.name if record.unit else "",
            record.cadre.name if record.cadre else record.person_name,
            record.failed_duty,
            record.facts,
        )
        for n, record in enumerate(records.iterator(chunk_size=500), start=1)
    )
    return write_table(
        title=f"追责问责记录（{timezone.localdate():%Y年%m月%d日}导出）",
        headers=("序号", "决定日期", "问责方式", "对象类别", "单位", "责任人", "未履行的职责", "事实"),
        rows=rows,
        widths=(6, 12, 12, 10, 28, 12, 40, 60),
    )
