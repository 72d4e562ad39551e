"""The rules of the annual assessment and of recall — the *only* place they are decided
(SPEC.md "Annual assessment", "Recall"; 第二十条 – 第二十五条). Numbers come from the policy profile.

Every refusal is a ``ValidationError({"grade": [...]})`` whose Chinese message names the article and
the numbers, so the API answers 400 with it and the grading grid shows it next to the row. Who may
grade and decide recall (第二十条, 第二十一条) is decided here too and refused with ``PermissionDenied``
(403): the services ask, the views only translate.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import CharField, Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Cast, Substr
from django.utils import timezone

from attendance.models import AbsenceFinding
from cadres.models import Cadre, Region, Team, Unit
from zhucun import scoping
from zhucun.models import AuditEvent
from zhucun.policy import PolicyProfile, profile_on

from .models import (
    FAIR_OR_BELOW,
    GRADE_LABELS,
    AssessmentResult,
    AssessmentRound,
    CadreGrade,
    RecallCase,
    Sanction,
    SubjectType,
    TeamGrade,
)

if TYPE_CHECKING:
    from typing import TypeAlias

    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

    #: whoever asks: an account, the anonymous visitor of a page, or nobody (a job)
    Someone: TypeAlias = User | AnonymousUser | None

GRADES_OF: dict[str, tuple[str, ...]] = {
    SubjectType.CADRE: tuple(CadreGrade.values),
    SubjectType.TEAM: tuple(TeamGrade.values),
    SubjectType.UNIT: tuple(TeamGrade.values),
}
_COUNTER: dict[str, str] = {SubjectType.TEAM: "个", SubjectType.CADRE: "人", SubjectType.UNIT: "个"}


def _refuse(message: str) -> ValidationError:
    return ValidationError({"grade": [message]})


def profile_for_year(year: int) -> PolicyProfile:
    """The profile of an assessment year: the one in force on its last day."""
    return profile_on(dt.date(year, 12, 31))


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


# --- 第二十二条: 优秀 at most 40% of the level's teams, and separately of its cadres ------------------


def excellent_cap(total: int, *, profile: PolicyProfile) -> int:
    """第二十二条: floor(40% × the level's total) — 5 teams → 2, 10 → 4, 2 → 0."""
    return int((profile.excellent_ratio * total).to_integral_value(rounding=ROUND_FLOOR))


@dataclasses.dataclass(frozen=True)
class Quota:
    """The 优秀 quota of one round and subject type, counted against the level's whole total."""

    subject_type: str
    total: int
    excellent: int
    cap: int
    ratio: Decimal

    @property
    def ok(self) -> bool:
        return self.excellent <= self.cap

    @property
    def percent(self) -> int:
        return int(self.ratio * 100)

    @property
    def label(self) -> str:
        unit = _COUNTER[self.subject_type]
        return f"优秀 {self.excellent} {unit}，上限 {self.cap} {unit}（共 {self.total} {unit}的 {self.percent}%）"


def _local_midnight(day: dt.date) -> dt.datetime:
    """The first instant of ``day`` in the deployment's time zone (Asia/Shanghai)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def cadres_in_post(year: int) -> Q:
    """Cadres in post in ``year``, the cadres of the level's total (第二十二条) and of the year's round
    (docs/decisions/0082-level-totals.md): in post on at least one day of the year by their term
    (第三条), and not gone before it —

    * a recalled cadre counts up to the year before the recall decision: the recall year's time in the
      village is not counted (第二十条), so their unit assesses that year, not the village round;
    * an adjusted cadre (第三条 调整) counts up to the year of the adjustment, dated by the audit event
      that set 已调整;
    * a recalled or adjusted cadre whose leaving the system never dated counts in the years up to the
      last one they were graded in (they were in post then; after it nothing says they were).
    """
    first, last = year_bounds(year)
    left = (Cadre.Status.RECALLED, Cadre.Status.ADJUSTED)
    recalls = RecallCase.objects.filter(cadre_id=OuterRef("pk"), status=RecallCase.Status.RECALLED)
    adjustments = AuditEvent.objects.filter(
        object_type="cadres.cadre",
        object_id=Cast(OuterRef("pk"), output_field=CharField()),
        after__status=Cadre.Status.ADJUSTED,
    )
    graded_since = AssessmentResult.objects.filter(
        subject_type=SubjectType.CADRE, cadre_id=OuterRef("pk"), round__year__gte=year
    )
    return Q(term_start__lte=last, term_end__gte=first) & (
        ~Q(status__in=left)
        | Q(Exists(recalls.filter(decided_at__gte=_local_midnight(dt.date(year + 1, 1, 1)))), status=left[0])
        | Q(Exists(adjustments.filter(at__gte=_local_midnight(first))), status=left[1])
        | (Q(status__in=left) & ~Q(Exists(recalls)) & ~Q(Exists(adjustments)) & Q(Exists(graded_since)))
    )


def teams_in_post(year: int) -> Q:
    """Teams in the level's total of ``year`` (第二十二条): a team exists in a year when one of its
    cadres is in post in it (:func:`cadres_in_post`) — teams dispatched later, or whose cadres have all
    left, are not in that year's total (docs/decisions/0082-level-totals.md)."""
    return Q(Exists(Cadre.objects.filter(cadres_in_post(year), team_id=OuterRef("pk"))))


def units_in_post(year: int) -> Q:
    """Dispatching units whose 驻村帮扶 work is assessed in ``year`` (第二十四条): those with a cadre in post
    that year — a unit that had nobody in a village that year has no such work to grade."""
    return Q(Exists(Cadre.objects.filter(cadres_in_post(year), unit_id=OuterRef("pk"))))


def quotas_for_rounds(rounds: Iterable[AssessmentRound]) -> dict[tuple[int, str], Quota]:
    """Quotas of teams and cadres for several rounds, keyed by (round id, subject type), in a fixed
    number of grouped queries whatever the number of rounds (no query per round)."""
    rounds = list(rounds)
    if not rounds:
        return {}
    years = {r.year for r in rounds}
    team_totals: dict[int, dict[tuple[str, str], int]] = {
        year: _totals_by_department(Team.objects.filter(teams_in_post(year))) for year in years
    }
    cadre_totals: dict[int, dict[tuple[str, str], int]] = {
        year: _totals_by_department(Cadre.objects.filter(cadres_in_post(year))) for year in years
    }
    excellent = {
        (round_id, subject_type): n
        for round_id, subject_type, n in AssessmentResult.objects.filter(
            round__in=[r.pk for r in rounds if r.pk], grade=TeamGrade.EXCELLENT
        )
        .values_list("round_id", "subject_type")
        .annotate(n=Count("id"))
        .order_by()
    }
    quotas: dict[tuple[int, str], Quota] = {}
    for r in rounds:
        profile = profile_for_year(r.year)
        department = (r.level, r.region_code)
        for subject_type, totals in (
            (SubjectType.TEAM, team_totals[r.year]),
            (SubjectType.CADRE, cadre_totals[r.year]),
        ):
            total = totals.get(department, 0)
            quotas[(r.pk, subject_type)] = Quota(
                subject_type=subject_type,
                total=total,
                excellent=excellent.get((r.pk, subject_type), 0),
                cap=excellent_cap(total, profile=profile),
                ratio=profile.excellent_ratio,
            )
    return quotas


def _totals_by_department(queryset: QuerySet[Any]) -> dict[tuple[str, str], int]:
    """Rows per assessing department (level, region), from one GROUP BY on the unit's level/region."""
    totals: dict[tuple[str, str], int] = {}
    for level, region_id, n in (
        queryset.values_list("unit__level", "unit__region_id").annotate(n=Count("id")).order_by()
    ):
        department = scoping.assessing_department(Unit(level=level, region_id=region_id))
        totals[department] = totals.get(department, 0) + n
    return totals


# --- The checks run before a grade is written ---------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Subject:
    """What is graded: a cadre, a team or a unit, with its dispatching unit."""

    subject_type: str
    obj: Any
    unit: Unit

    @property
    def name(self) -> str:
        return str(self.obj)


def check_grade(
    *, round: AssessmentRound, subject: Subject, grade: str, on: dt.date, existing: AssessmentResult | None = None
) -> None:
    """Every rule a new grade must satisfy; raises the first refusal. ``on`` is the day of the grading
    act (sanctions are read against it), ``existing`` the subject's result in the round. The caller
    holds the round's row lock, so two officials grading at once cannot both take the last 优秀."""
    if grade not in GRADES_OF[subject.subject_type]:
        labels = "、".join(GRADE_LABELS[g] for g in GRADES_OF[subject.subject_type])
        raise _refuse(f"等次无效：{SubjectType(subject.subject_type).label}的等次为 {labels}。")
    check_round_open(round)
    if subject.subject_type == SubjectType.CADRE:
        _check_cadre_in_post(round.year, subject.obj)
    if subject.subject_type == SubjectType.TEAM:
        _check_team_in_post(round.year, subject.obj)
    if subject.subject_type == SubjectType.UNIT:
        _check_unit_in_post(round.year, subject.obj)
    if grade == TeamGrade.EXCELLENT and subject.subject_type in (SubjectType.TEAM, SubjectType.CADRE):
        check_excellent_quota(round=round, subject=subject)
    if grade == CadreGrade.EXCELLENT and subject.subject_type == SubjectType.CADRE:
        check_not_sanctioned(cadre=subject.obj, on=on)
    if grade == TeamGrade.EXCELLENT and subject.subject_type == SubjectType.UNIT:
        check_unit_teams_allow_excellent(unit=subject.unit, year=round.year)
    if grade in FAIR_OR_BELOW and subject.subject_type == SubjectType.TEAM:
        check_team_units_not_excellent(team=subject.obj, year=round.year)
    if grade in FAIR_OR_BELOW and subject.subject_type == SubjectType.UNIT and existing is not None:
        check_unit_leadership_not_excellent(result=existing)


def check_round_open(round: AssessmentRound) -> None:
    if round.is_locked:
        raise _refuse(f"{round.year}年度考核已定档，等次不能再修改。如确需更正，请联系上级组织部门。")


def _check_cadre_in_post(year: int, cadre: Cadre) -> None:
    first, last = year_bounds(year)
    if cadre.term_start > last or cadre.term_end < first:
        raise _refuse(
            f"{cadre.name}的驻村期为 {cadre.term_start:%Y-%m-%d} 至 {cadre.term_end:%Y-%m-%d}，"
            f"不在{year}年度，不参加本年度考核。"
        )
    if not Cadre.objects.filter(cadres_in_post(year), pk=cadre.pk).exists():
        status = Cadre.objects.filter(pk=cadre.pk).values_list("status", flat=True).first() or cadre.status
        why = "（召回年度驻村时间不计入，第二十条）" if status == Cadre.Status.RECALLED else ""
        raise _refuse(
            f"{cadre.name}{Cadre.Status(status).label}，{year}年度不在驻村岗位{why}，"
            "不参加本级驻村干部考核，由派出单位进行年度考核。"
        )


def _check_team_in_post(year: int, team: Team) -> None:
    if not Team.objects.filter(teams_in_post(year), pk=team.pk).exists():
        raise _refuse(f"{team}在{year}年度没有在岗的驻村干部，不在本年度考核的驻村工作队之列。")


def _check_unit_in_post(year: int, unit: Unit) -> None:
    if not Unit.objects.filter(units_in_post(year), pk=unit.pk).exists():
        raise _refuse(f"「{unit.name}」在{year}年度没有在岗的驻村干部，本年度没有驻村帮扶工作可考核。")


def check_excellent_quota(*, round: AssessmentRound, subject: Subject) -> None:
    """第二十二条: 优秀 ≤ floor(40% × the level's total), counted against all the level's teams (or
    cadres), not those graded so far. Re-saving an existing 优秀 does not count twice."""
    quota = quotas_for_rounds([round])[(round.pk, subject.subject_type)]
    others = AssessmentResult.objects.filter(
        round=round, subject_type=subject.subject_type, grade=TeamGrade.EXCELLENT
    ).exclude(**{f"{subject.subject_type}_id": subject.obj.pk})
    already = others.count()
    if already + 1 > quota.cap:
        what = "驻村工作队" if subject.subject_type == SubjectType.TEAM else "驻村干部"
        unit = _COUNTER[subject.subject_type]
        raise _refuse(
            f"第二十二条：本级{what}优秀已 {already} {unit}，上限 {quota.cap} {unit}"
            f"（{quota.percent}%，本级共 {quota.total} {unit}），不能再评为优秀。"
        )


def active_sanctions(*, cadre_ids: Iterable[int], first: dt.date, last: dt.date, kinds: Iterable[str]) -> QuerySet[Any]:
    """Sanctions of the kinds in force on any day between ``first`` and ``last``."""
    return Sanction.objects.filter(
        cadre_id__in=list(cadre_ids), kind__in=list(kinds), starts_on__lte=last, ends_on__gte=first
    ).order_by("-ends_on")


def check_not_sanctioned(*, cadre: Cadre, on: dt.date) -> None:
    """第二十条: a recalled cadre may not take part in 评先评优 for a year — read against the day of the act
    it forbids, the grading (or 定档) of 优秀, not against the assessment year
    (docs/decisions/0083-sanctions-by-date.md)."""
    sanction = active_sanctions(cadre_ids=[cadre.pk], first=on, last=on, kinds=[Sanction.Kind.NO_AWARDS]).first()
    if sanction is not None:
        raise _refuse(
            f"第二十条：{cadre.name}被召回，{sanction.starts_on:%Y-%m-%d} 至 {sanction.ends_on:%Y-%m-%d} "
            "不得参加评先评优，不能评为优秀。"
        )


def sanctioned_excellent(*, round: AssessmentRound, on: dt.date) -> list[str]:
    """第二十条 at 定档: the names of the round's cadres at 优秀 under an award ban in force on ``on`` —
    a 优秀 given before a recall is not confirmed while the ban runs."""
    excellent = AssessmentResult.objects.filter(
        round=round, subject_type=SubjectType.CADRE, grade=CadreGrade.EXCELLENT
    ).values("cadre_id")
    return list(
        Sanction.objects.filter(
            kind=Sanction.Kind.NO_AWARDS, starts_on__lte=on, ends_on__gte=on, cadre_id__in=excellent
        )
        .values_list("cadre__name", flat=True)
        .order_by("cadre__name")
        .distinct()
    )


def check_not_sanctioned_for_training(*, cadre: Cadre, day: dt.date) -> None:
    """第二十条, 第二十三条: a recalled cadre is not put on the key-training ledger while sanctioned."""
    sanction = active_sanctions(
        cadre_ids=[cadre.pk], first=day, last=day, kinds=[Sanction.Kind.NO_AWARDS, Sanction.Kind.NO_PROMOTION]
    ).first()
    if sanction is not None:
        raise ValidationError(
            {
                "cadre": [
                    f"第二十条：{cadre.name}被召回，{sanction.get_kind_display()}至 {sanction.ends_on:%Y-%m-%d}，"
                    "不能列入重点培养对象台账。"
                ]
            }
        )


def teams_of_unit(unit: Unit) -> QuerySet[Team]:
    """The teams a unit dispatches into: the ones it leads and the mixed teams its cadres serve in (第十六条)."""
    return Team.objects.filter(Q(unit=unit) | Q(cadres__unit=unit)).distinct()


def check_unit_teams_allow_excellent(*, unit: Unit, year: int) -> None:
    """第二十五条: in a village whose team is rated 一般 or below, the dispatching unit's 驻村帮扶 work may
    not be rated 优秀."""
    weak = (
        AssessmentResult.objects.filter(
            subject_type=SubjectType.TEAM,
            round__year=year,
            grade__in=FAIR_OR_BELOW,
            team__in=teams_of_unit(unit).values("pk"),
        )
        .select_related("team__village")
        .order_by("village_code")
    )
    found = list(weak[:3])
    if found:
        names = "、".join(f"{r.team.village.name}驻村工作队（{r.grade_label}）" for r in found if r.team)
        raise _refuse(f"第二十五条：{unit.name}派驻的{names}评为一般及以下，该派出单位不得评为优秀。")


def check_team_units_not_excellent(*, team: Team, year: int) -> None:
    """第二十五条, the other way round: a team is not put at 一般 or below while its dispatching unit
    stands at 优秀 — the unit's grade is changed first, so the two never contradict each other."""
    unit_ids = {team.unit_id, *team.cadres.values_list("unit_id", flat=True)}
    excellent = (
        AssessmentResult.objects.filter(
            subject_type=SubjectType.UNIT, round__year=year, grade=TeamGrade.EXCELLENT, unit_id__in=unit_ids
        )
        .select_related("unit")
        .first()
    )
    if excellent is not None:
        raise _refuse(
            f"第二十五条：派出单位「{excellent.unit.name}」已评为优秀，而驻村工作队评为一般及以下时派出单位"
            "不得为优秀。请先调整该派出单位的等次。"
        )


# --- 第二十四条: the unit's leadership team and head ---------------------------------------------

#: 领导班子年度目标绩效考核: 优秀、良好、一般、差; 主要负责同志年度考核: 优秀、称职、基本称职、不称职.
LEADERSHIP_GRADES: tuple[str, ...] = tuple(TeamGrade.values)
HEAD_GRADES: tuple[str, ...] = tuple(CadreGrade.values)


def unit_leadership_not_excellent(grade: str) -> bool:
    """第二十四条: a unit whose 驻村帮扶 work is 一般 or below — its leadership team and its head may not
    be rated 优秀 that year (recorded as a flag on the unit's result)."""
    return grade in FAIR_OR_BELOW


def check_unit_leadership_grades(
    *, round: AssessmentRound, unit: Unit, result: AssessmentResult | None, leadership_grade: str, head_grade: str
) -> None:
    """第二十四条, where the leadership's grades are recorded (docs/decisions/0084-unit-leadership.md): the
    unit's 驻村帮扶 grade comes first (纳入领导班子年度目标绩效考核), and at 一般 or below neither the
    leadership team nor the head may be 优秀. An empty grade means not recorded."""
    errors: dict[str, list[str]] = {}
    for field, value, grades, what in (
        ("leadership_grade", leadership_grade, LEADERSHIP_GRADES, "领导班子"),
        ("head_grade", head_grade, HEAD_GRADES, "主要负责同志"),
    ):
        if value and value not in grades:
            errors[field] = [f"{what}等次无效，应为 {'、'.join(GRADE_LABELS[g] for g in grades)}。"]
    if errors:
        raise ValidationError(errors)
    if round.is_locked:
        raise ValidationError(
            {"leadership_grade": [f"{round.year}年度考核已定档，等次不能再修改。如确需更正，请联系上级组织部门。"]}
        )
    if result is None:
        raise ValidationError(
            {
                "leadership_grade": [
                    f"请先评定「{unit.name}」{round.year}年度的驻村帮扶工作等次：第二十四条把它纳入领导班子"
                    "年度目标绩效考核。"
                ]
            }
        )
    if result.grade in FAIR_OR_BELOW:
        for field, value, what in (
            ("leadership_grade", leadership_grade, "领导班子年度目标绩效考核"),
            ("head_grade", head_grade, "主要负责同志年度考核"),
        ):
            if value == TeamGrade.EXCELLENT:
                errors[field] = [
                    f"第二十四条：「{unit.name}」驻村帮扶工作评为{result.grade_label}（一般及以下），{what}不得评为优秀。"
                ]
    if errors:
        raise ValidationError(errors)


def check_unit_leadership_not_excellent(*, result: AssessmentResult) -> None:
    """第二十四条, the other way round: a unit is not lowered to 一般 or below while its leadership team
    or head stands at 优秀 — their grade is changed first, so the two never contradict each other."""
    if TeamGrade.EXCELLENT in (result.leadership_grade, result.head_grade):
        raise _refuse(
            f"第二十四条：「{result.unit.name}」的领导班子或主要负责同志已评为优秀，而驻村帮扶工作评为一般及以下时"
            "二者不得为优秀。请先调整领导班子或主要负责同志的等次。"
        )


# --- 第二十条1: a recall case follows the final grade ---------------------------------------------


def opens_incompetent_recall(subject_type: str, grade: str) -> bool:
    """第二十条1: a cadre rated 不称职 in the annual assessment is a recall case — once the grade is final,
    that is when the round is finalized (docs/decisions/0081-recall-follows-the-grade.md)."""
    return subject_type == SubjectType.CADRE and grade == CadreGrade.INCOMPETENT


def incompetent_case_basis_gone(*, year: int, result: AssessmentResult | None) -> str:
    """Why an ``incompetent_rating`` case of ``year`` no longer stands on its grade (第二十条1: 年度考核中
    被评定为不称职), or "" while it does: the cadre's result of the year is 不称职 in a finalized round."""
    if result is None:
        return f"该干部{year}年度考核没有不称职等次"
    if result.grade != CadreGrade.INCOMPETENT:
        return f"该干部{year}年度考核等次已改为{result.grade_label}，不再是不称职"
    if not result.round.is_locked:
        return f"{year}年度考核尚未定档，不称职等次还不是最终结果"
    return ""


# --- 第二十五条: a county with many teams at 一般 or below -------------------------------------


@dataclasses.dataclass(frozen=True)
class CountyFlag:
    county_code: str
    teams: int
    fair_or_below: int
    threshold: Decimal

    @property
    def share(self) -> Decimal:
        return Decimal(self.fair_or_below) / self.teams if self.teams else Decimal(0)

    @property
    def flagged(self) -> bool:
        """较大范围: the share of the county's teams at 一般 or below reaches the profile's threshold."""
        return self.teams > 0 and self.fair_or_below > 0 and self.share >= self.threshold


def county_flags(*, year: int, teams: QuerySet[Team]) -> dict[str, CountyFlag]:
    """第二十五条: per stationing county, how many of ``teams`` were rated 一般 or below in ``year``, and
    whether that is 较大范围 (``county_poor_team_share_flag``) so the county's score is reduced.
    Two grouped queries whatever the number of counties."""
    threshold = profile_for_year(year).county_poor_team_share_flag
    county_length = Region.length_of(Region.Level.COUNTY)
    totals = dict(
        teams.annotate(county=Substr("village_id", 1, county_length))
        .values_list("county")
        .annotate(n=Count("id"))
        .order_by()
    )
    weak = dict(
        AssessmentResult.objects.filter(
            subject_type=SubjectType.TEAM, round__year=year, grade__in=FAIR_OR_BELOW, team__in=teams.values("pk")
        )
        .annotate(county=Substr("village_code", 1, county_length))
        .values_list("county")
        .annotate(n=Count("team_id", distinct=True))
        .order_by()
    )
    return {
        code: CountyFlag(county_code=code, teams=n, fair_or_below=weak.get(code, 0), threshold=threshold)
        for code, n in sorted(totals.items())
    }


# --- 第二十条: recall -------------------------------------------------------------------------------


def confirmed_absence_days() -> QuerySet[Any]:
    """第二十条2: per cadre, the number of distinct days with a confirmed absence finding. A finding on a
    day of approved leave is refused when it is recorded (attendance), so it never counts; pending and
    dismissed findings do not count; two findings on one day are one absence."""
    return (
        AbsenceFinding.objects.filter(status=AbsenceFinding.Status.CONFIRMED)
        .values("cadre_id")
        .annotate(days=Count("date", distinct=True))
        .order_by()
    )


def absences_case_due(*, days: int, cases_so_far: int, has_open_case: bool, profile: PolicyProfile) -> bool:
    """第二十条2: open an ``absences`` case when the count reaches ``recall_absence_findings`` (3) — once:
    not while one is open, and after a case was dismissed only when the count reaches the next
    multiple (6, 9, …)."""
    threshold = profile.recall_absence_findings
    return threshold > 0 and not has_open_case and days // threshold > cases_so_far


def leave_days_recall_applies(*, profile: PolicyProfile) -> bool:
    """Whether the profile recalls a cadre for too many days of leave a year (the 2021 national
    template: more than 30; the Hebei 2018 regulation has no such trigger)."""
    return profile.recall_leave_days_per_year > 0


def leave_days_limit(*, profile: PolicyProfile) -> Decimal:
    """The yearly leave a cadre may take before the profile's recall applies: more than this is recall."""
    return Decimal(profile.recall_leave_days_per_year)


def sanction_periods(*, recalled_on: dt.date, profile: PolicyProfile) -> list[tuple[str, dt.date, dt.date]]:
    """第二十条: (kind, first day, last day) of each consequence of a recall decided on ``recalled_on``:
    no awards for 1 year, no promotion for 2 years, the recall year not counted as grassroots experience."""
    return [
        (Sanction.Kind.NO_AWARDS, recalled_on, _years_later(recalled_on, profile.recall_no_awards_years)),
        (Sanction.Kind.NO_PROMOTION, recalled_on, _years_later(recalled_on, profile.recall_no_promotion_years)),
        (Sanction.Kind.NOT_GRASSROOTS_EXPERIENCE, *year_bounds(recalled_on.year)),
    ]


def _years_later(day: dt.date, years: int) -> dt.date:
    """The last day of a period of ``years`` years from ``day`` (2025-03-01 + 1 → 2026-02-28)."""
    try:
        anniversary = day.replace(year=day.year + years)
    except ValueError:  # 29 February into a non-leap year
        anniversary = day.replace(year=day.year + years, day=28) + dt.timedelta(days=1)
    return anniversary - dt.timedelta(days=1)


# --- Who grades and who decides recall (第十二条, 第二十条, 第二十一条) -------------------------------
# Each rule returns its refusal (None: allowed), so the services raise it (``allow``) and the pages
# ask the same function whether to show a form.

_DEPARTMENT_NAMES = {"province": "省委", "city": "市委", "county": "县委"}


def allow(refusal: PermissionDenied | None) -> None:
    """Raise the refusal of an authority rule below (403), if any."""
    if refusal is not None:
        raise refusal


def _role_refusal(actor: Someone, action: str) -> PermissionDenied | None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return PermissionDenied("请先登录。")
    try:
        scoping.require(actor, action)
    except PermissionDenied as refusal:
        return refusal
    return None


def _assessing_department_refusal(actor: Someone, action: str, unit: Unit) -> PermissionDenied | None:
    """第十二条, 第二十一条 (docs/decisions/0010): the organization department of the dispatching unit's
    level and region, with the role for ``action``."""
    refusal = _role_refusal(actor, action)
    if refusal is None and actor is not None and not scoping.is_assessing_department(actor, unit):
        level, region_code = scoping.assessing_department(unit)
        return PermissionDenied(
            f"「{unit.name}」及其驻村工作队、驻村干部由{_DEPARTMENT_NAMES.get(level, '')}组织部（{region_code}）"
            "考核和召回，您无权办理（第十二条、第二十一条）。"
        )
    return refusal


def grading_refusal(actor: Someone, unit: Unit) -> PermissionDenied | None:
    """第二十一条: the unit's assessing department grades the unit, its teams and its cadres (and the
    unit's leadership, 第二十四条) — docs/decisions/0080."""
    return _assessing_department_refusal(actor, "assessment.grade", unit)


def require_department(actor: Someone) -> tuple[str, str]:
    """The (level, region) of the actor's organization department, which runs and finalizes its own
    round (第二十一条); anyone else is refused (403)."""
    allow(_role_refusal(actor, "assessment.grade"))
    department = scoping.department_of(actor) if actor is not None else None
    if department is None:
        raise PermissionDenied("只有组织部门可以组织年度考核。")
    return department


def recall_decision_refusal(actor: Someone, case: RecallCase) -> PermissionDenied | None:
    """第二十条: 由同级党委组织部门…召回 — the assessing department of the cadre's unit decides."""
    return _assessing_department_refusal(actor, "recall.decide", case.unit)


def recall_consultation_refusal(actor: Someone, case: RecallCase) -> PermissionDenied | None:
    """第二十条 商派出单位: the unit's opinion is recorded by the deciding department or by the unit itself."""
    refusal = _role_refusal(actor, "recall.consult")
    if refusal is not None or actor is None:  # nobody is refused by the role check
        return refusal
    if scoping.department_of(actor) is not None:
        return _assessing_department_refusal(actor, "recall.consult", case.unit)
    if scoping.scope_of(actor).unit_id != case.unit_id:
        return PermissionDenied(f"只有「{case.unit.name}」或其同级组织部门可以记录派出单位意见（第二十条）。")
    return None


def recall_opening_refusal(actor: Someone) -> PermissionDenied | None:
    """第二十条3–7: an organization department opens a case by hand (the cadre fetched in its scope)."""
    return _role_refusal(actor, "recall.open")


def check_can_decide(case: RecallCase) -> None:
    """第二十条: 由同级党委组织部门商派出单位召回 — the unit is consulted (and that recorded) first."""
    if not case.is_consulted:
        raise ValidationError({"detail": ["第二十条：召回须商派出单位。请先记录与派出单位的商议意见，再作出决定。"]})


# --- 第二十五条 双线考核: the teams' evaluation opinions on the county and the dispatching unit ---------


def support_opinion_refusal(actor: Someone, team: Team) -> PermissionDenied | None:
    """第二十五条 驻村工作队的评价意见: the team gives it through its leader (队长 or 第一书记兼队长) in post."""
    refusal = _role_refusal(actor, "assessment.support_opinion")
    if refusal is not None:
        return refusal
    cadre = getattr(actor, "cadre", None)
    if cadre is None or cadre.team_id != team.pk or not cadre.is_leader or cadre.status != Cadre.Status.ACTIVE:
        return PermissionDenied("驻村工作队的评价意见由本队在岗的队长提交（第二十五条）。")
    return None


def support_opinion_window(year: int) -> tuple[dt.date, dt.date]:
    """The days an opinion on ``year`` is taken: from the year's first day until the assessments of the
    year are due (the end of the next first quarter, decision 0011) — the opinions feed those."""
    return dt.date(year, 1, 1), dt.date(year + 1, 3, 31)


def support_opinion_units(team: Team, year: int) -> QuerySet[Unit]:
    """The dispatching units a team evaluates (第二十五条 派出单位驻村帮扶工作): its primary unit and, for a
    mixed team (第十六条), every unit with a cadre in post in it that year."""
    in_post = Cadre.objects.filter(cadres_in_post(year), team_id=team.pk).values("unit_id")
    return Unit.objects.filter(Q(pk=team.unit_id) | Q(pk__in=in_post)).order_by("name")


def check_support_opinion(
    *, team: Team, year: int, body_type: str, unit: Unit | None, grade: str, score: Decimal | None, opinion: str,
    today: dt.date,
) -> None:  # fmt: skip
    """Every rule an opinion must satisfy (400 with the field): the year within its window, a body the
    team evaluates, a grade of 优秀/良好/一般/差, a score from 0 to 100, the text."""
    errors: dict[str, list[str]] = {}
    first, last = support_opinion_window(year)
    if not first <= today <= last:
        errors["year"] = [
            f"{year}年度的评价意见应在 {first:%Y-%m-%d} 至 {last:%Y-%m-%d} 之间提交（年度考核定档之前）。"
        ]
    if body_type not in ("county", "unit"):
        errors["body_type"] = ["评价对象应为 county（所在县）或 unit（派出单位）。"]
    elif body_type == "unit" and (unit is None or not support_opinion_units(team, year).filter(pk=unit.pk).exists()):
        errors["unit"] = ["请选择向本工作队派出干部的派出单位。"]
    if grade not in TeamGrade.values:
        errors["grade"] = ["评价等次应为 优秀、良好、一般 或 差。"]
    if score is None or not Decimal(0) <= score <= Decimal(100):
        errors["score"] = ["评价分数应在 0 至 100 之间。"]
    if not opinion.strip():
        errors["opinion"] = ["请填写评价意见。"]
    elif len(opinion.strip()) > 2000:
        errors["opinion"] = ["评价意见不能超过 2000 个字。"]
    if errors:
        raise ValidationError(errors)


@dataclasses.dataclass(frozen=True)
class OpinionWeight:
    """第二十五条: what the teams' opinions bring into one body's yearly assessment — their mean score and,
    with the profile's weight, the points it carries (out of 100)."""

    opinions: int
    mean_score: Decimal | None
    weight: Decimal

    @property
    def weighted(self) -> Decimal | None:
        """The mean score × the weight, to one decimal (86.5 × 20% → 17.3 of 100)."""
        if self.mean_score is None:
            return None
        return (self.mean_score * self.weight).quantize(Decimal("0.1"))

    @property
    def percent(self) -> str:
        return f"{self.weight * 100:.0f}%"


def opinion_weight(*, year: int, opinions: int, mean_score: Decimal | None) -> OpinionWeight:
    """第二十五条 驻村工作队的评价意见占有一定权重: the weight of the profile in force at the year's end."""
    mean = Decimal(str(mean_score)).quantize(Decimal("0.1")) if mean_score is not None else None
    return OpinionWeight(opinions=opinions, mean_score=mean, weight=profile_for_year(year).team_opinion_weight)
