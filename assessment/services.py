"""Writes of the assessment app: grading, finalizing, recall, sanctions, accountability, the key
training ledger. Each service is keyword-only and atomic: check the actor's authority, validate
(assessment/rules.py decides both) → write → ``audit_record`` in the same transaction →
notifications. Callers fetch objects through the actor's scope (out of scope → 404); a service called
by an actor without the authority refuses with ``PermissionDenied`` (403, docs/decisions/0080)."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from cadres.models import Cadre, Region, Team, Unit
from zhucun import outbox, scoping
from zhucun.api.errors import Conflict
from zhucun.audit import (
    audit_event,
    audit_record,
    audit_record_many,
    home_region_code,
    operator_context,
    scope_description,
    snapshot,
)
from zhucun.notifications import notify
from zhucun.policy import profile_on
from zhucun.replica import replica_reads

from . import rules
from .models import (
    AccountabilityRecord,
    AssessmentResult,
    AssessmentRound,
    CadreGrade,
    CountyEvaluationOpinion,
    ExportJob,
    KeyTrainingEntry,
    RecallCase,
    Sanction,
    SubjectType,
    SupportOpinion,
)

_DEPARTMENT_ROLE: dict[str, str] = {"province": Role.PROVINCE_ORG, "city": Role.CITY_ORG, "county": Role.COUNTY_ORG}


def year_is_valid(year: int) -> bool:
    return 2015 <= year <= timezone.localdate().year + 1


def _check_year(year: int) -> None:
    if not year_is_valid(year):
        raise ValidationError({"year": [f"考核年度 {year} 无效，应为 2015 年至明年之间的年份。"]})


def subject_of(subject_type: str, obj: Any) -> rules.Subject:
    """The graded subject with its dispatching unit (the unit itself for a unit)."""
    if subject_type == SubjectType.UNIT:
        return rules.Subject(subject_type, obj, obj)
    return rules.Subject(subject_type, obj, obj.unit)


def round_deadline(year: int) -> dt.date:
    """The default date by which a round is finalized: the end of the first quarter after the year
    (docs/decisions/0011-assessment-rounds.md); a department may change it."""
    return dt.date(year + 1, 3, 31)


def _round_locked(*, year: int, level: str, region_code: str) -> AssessmentRound:
    """The department's round of the year, created on first use, with its row locked: every grade of a
    round is written one at a time, so the 40% count cannot be raced."""
    round, _ = AssessmentRound.objects.get_or_create(
        year=year, level=level, region_code=region_code, defaults={"deadline": round_deadline(year)}
    )
    return AssessmentRound.objects.select_for_update().get(pk=round.pk)


def _result_region(subject: rules.Subject) -> tuple[str, str]:
    """(village_code, region_code) — the tree keys a result is seen by (assessment/models.py)."""
    if subject.subject_type == SubjectType.UNIT:
        return "", str(subject.unit.region_id or settings.ZHUCUN_PROVINCE_CODE)
    team: Team = subject.obj if subject.subject_type == SubjectType.TEAM else subject.obj.team
    return team.village_id, team.village_id


def _result_in(round: AssessmentRound, subject_type: str, obj: Any) -> AssessmentResult | None:
    return (
        AssessmentResult.objects.filter(round=round, subject_type=subject_type, **{f"{subject_type}_id": obj.pk})
        .select_related("unit")
        .first()
    )


@transaction.atomic
def assessment_grade_set(*, actor: User | None, year: int, subject_type: str, obj: Any, grade: str) -> AssessmentResult:
    """Grade one cadre, team or unit in the assessing department's round of ``year`` (第二十一条,
    第二十二条, 第二十四条). Only that department (403 otherwise); rules refuse with a 400. A 不称职 opens
    its recall case when the round is finalized; changing it closes an open one (第二十条1)."""
    subject = subject_of(subject_type, obj)
    rules.allow(rules.grading_refusal(actor, subject.unit))
    _check_year(year)
    level, region_code = scoping.assessing_department(subject.unit)
    round = _round_locked(year=year, level=level, region_code=region_code)
    existing = _result_in(round, subject_type, obj)
    rules.check_grade(round=round, subject=subject, grade=grade, on=timezone.localdate(), existing=existing)
    if existing is not None and existing.grade == grade:
        return existing
    before = snapshot(existing, ["grade", "leadership_not_excellent"]) if existing else None
    village_code, result_region = _result_region(subject)
    result = existing or AssessmentResult(
        round=round,
        subject_type=subject_type,
        cadre=obj if subject_type == SubjectType.CADRE else None,
        team=obj if subject_type == SubjectType.TEAM else None,
        unit=subject.unit,
        village_code=village_code,
        region_code=result_region,
    )
    result.grade = grade
    result.leadership_not_excellent = subject_type == SubjectType.UNIT and rules.unit_leadership_not_excellent(grade)
    result.graded_by = actor if getattr(actor, "is_authenticated", False) else None
    result.save()
    audit_record(
        actor=actor,
        action="assessment.grade",
        obj=result,
        before=before,
        after=snapshot(result, ["grade", "leadership_not_excellent"]),
        region_code=result.region_code,
    )
    if subject_type == SubjectType.CADRE and not rules.opens_incompetent_recall(subject_type, grade):
        _close_incompetent_cases(actor=actor, cadre=obj, year=year, result=result)
    return result


@transaction.atomic
def unit_leadership_grade_set(
    *, actor: User, year: int, unit: Unit, leadership_grade: str | None = None, head_grade: str | None = None
) -> AssessmentResult:
    """第二十四条: record the unit's leadership team (年度目标绩效考核) and head (年度考核) grades of ``year``
    in the unit's round — by its assessing department, after the unit's 驻村帮扶 grade, never 优秀 when
    that grade is 一般 or below. ``None`` leaves a grade as it is; "" clears it."""
    rules.allow(rules.grading_refusal(actor, unit))
    _check_year(year)
    level, region_code = scoping.assessing_department(unit)
    round = _round_locked(year=year, level=level, region_code=region_code)
    result = _result_in(round, SubjectType.UNIT, unit)
    leadership = (result.leadership_grade if result else "") if leadership_grade is None else leadership_grade
    head = (result.head_grade if result else "") if head_grade is None else head_grade
    rules.check_unit_leadership_grades(
        round=round, unit=unit, result=result, leadership_grade=leadership, head_grade=head
    )
    assert result is not None  # the rules refuse a unit without its 驻村帮扶 grade
    if (result.leadership_grade, result.head_grade) == (leadership, head):
        return result
    fields = ["leadership_grade", "head_grade"]
    before = snapshot(result, fields)
    result.leadership_grade, result.head_grade = leadership, head
    result.save(update_fields=fields)
    audit_record(
        actor=actor,
        action="assessment.leadership_grade",
        obj=result,
        before=before,
        after=snapshot(result, fields),
        region_code=result.region_code,
    )
    return result


@transaction.atomic
def assessment_round_finalize(*, actor: User, year: int) -> AssessmentRound:
    """定档: the actor's department closes its round of ``year``; afterwards no grade changes. Refused
    while a subject of the level is ungraded, a quota is exceeded, or a 优秀 cadre is under an award ban
    on this day (第二十条). Each cadre the round rates 不称职 gets its recall case now (第二十条1)."""
    department = rules.require_department(actor)
    _check_year(year)
    round = _round_locked(year=year, level=department[0], region_code=department[1])
    if round.is_locked:
        raise Conflict(f"{year}年度考核已于 {timezone.localtime(round.finalized_at):%Y-%m-%d %H:%M} 定档。")
    from .selectors import round_progress

    progress = round_progress(round=round)
    missing = [f"{p.label} {p.total - p.graded} {p.counter}" for p in progress if p.graded < p.total]
    if missing:
        raise ValidationError({"detail": [f"还有未评定的对象：{'、'.join(missing)}。请全部评定后再定档。"]})
    for quota in rules.quotas_for_rounds([round]).values():
        if not quota.ok:
            raise ValidationError({"detail": [f"第二十二条：{quota.label}，超出比例，不能定档。"]})
    banned = rules.sanctioned_excellent(round=round, on=timezone.localdate())
    if banned:
        raise ValidationError(
            {"detail": [f"第二十条：{'、'.join(banned)}被召回，目前不得参加评先评优，不能以优秀定档。请先调整其等次。"]}
        )
    before = snapshot(round, ["status"])
    round.status = AssessmentRound.Status.FINALIZED
    round.finalized_at = timezone.now()
    round.finalized_by = actor
    round.save(update_fields=["status", "finalized_at", "finalized_by"])
    audit_record(
        actor=actor,
        action="assessment.finalize",
        obj=round,
        before=before,
        after={"status": round.status},
        region_code=round.region_code,
    )
    incompetent = (
        AssessmentResult.objects.filter(round=round, subject_type=SubjectType.CADRE, grade=CadreGrade.INCOMPETENT)
        .filter(cadre__status=Cadre.Status.ACTIVE)
        .select_related("cadre__team")
    )
    for result in incompetent:  # the round's 不称职, a handful; each case is one insert and its audit
        assert result.cadre is not None
        _open_incompetent_case(actor=actor, cadre=result.cadre, year=year)
    return round


@transaction.atomic
def county_opinion_record(
    *, actor: User, year: int, subject_type: str, obj: Any, opinion: str, suggested_grade: str = ""
) -> CountyEvaluationOpinion:
    """第十四条3: the stationing county's evaluation opinion, a basis of the annual assessment."""
    scoping.require(actor, "assessment.opinion")
    _check_year(year)
    county_code = str(getattr(actor, "region_id", "") or "")
    subject = subject_of(subject_type, obj)
    if subject_type == SubjectType.UNIT:
        stationed = rules.teams_of_unit(obj).filter(village__code__startswith=county_code).exists()
    else:
        team = obj if subject_type == SubjectType.TEAM else obj.team
        stationed = team.village_id.startswith(county_code)
    if not Region.is_code_of(county_code, Region.Level.COUNTY) or not stationed:
        raise ValidationError({"subject": ["只能对驻在本县的派出单位、工作队和干部提出评价意见。"]})
    if not opinion.strip():
        raise ValidationError({"opinion": ["请填写评价意见。"]})
    if suggested_grade and suggested_grade not in rules.GRADES_OF[subject_type]:
        raise ValidationError({"suggested_grade": ["建议等次无效。"]})
    record = CountyEvaluationOpinion.objects.create(
        year=year,
        subject_type=subject_type,
        cadre=obj if subject_type == SubjectType.CADRE else None,
        team=obj if subject_type == SubjectType.TEAM else None,
        unit=subject.unit,
        county_code=county_code,
        opinion=opinion.strip(),
        suggested_grade=suggested_grade,
        recorded_by=actor,
    )
    audit_record(
        actor=actor, action="assessment.county_opinion", obj=record, after=snapshot(record), region_code=county_code
    )
    return record


_OPINION_FIELDS = ["grade", "score", "opinion"]


@transaction.atomic
def support_opinion_submit(
    *,
    actor: User,
    year: int,
    body_type: str,
    grade: str,
    score: Decimal | None,
    opinion: str,
    unit: Unit | None = None,
) -> tuple[SupportOpinion, bool]:
    """第二十五条 双线考核: the leader's team gives its yearly evaluation opinion on the county it is stationed
    in (``county``) or on a dispatching unit (``unit``). One per team, year and body: submitting again
    revises it (200, audited before/after; the same values write nothing) until the unit's assessment
    of the year is finalized (409) — decision 0138. Returns (opinion, created)."""
    cadre = getattr(actor, "cadre", None)
    team = cadre.team if cadre is not None else None
    if team is None:
        raise PermissionDenied("驻村工作队的评价意见由本队在岗的队长提交（第二十五条）。")
    rules.allow(rules.support_opinion_refusal(actor, team))
    _check_year(year)
    opinion = (opinion or "").strip()
    rules.check_support_opinion(
        team=team, year=year, body_type=body_type, unit=unit, grade=grade, score=score, opinion=opinion,
        today=timezone.localdate(),
    )  # fmt: skip
    if body_type == SupportOpinion.BodyType.UNIT and unit is not None:
        level, region_code = scoping.assessing_department(unit)
        round = AssessmentRound.objects.filter(year=year, level=level, region_code=region_code).first()
        if round is not None and round.is_locked:
            raise Conflict(f"「{unit.name}」{year}年度考核已定档，评价意见不能再提交或修改。")
    key: dict[str, Any] = {"year": year, "team": team, "body_type": body_type}
    key.update({"unit": unit} if body_type == SupportOpinion.BodyType.UNIT else {"unit": None})
    existing = SupportOpinion.objects.select_for_update().filter(**key).first()
    values = {"grade": grade, "score": score, "opinion": opinion}
    if existing is not None and all(getattr(existing, k) == v for k, v in values.items()):
        return existing, False
    before = snapshot(existing, _OPINION_FIELDS) if existing is not None else None
    record = existing or SupportOpinion(
        **key,
        village_code=team.village_id,
        county_code=Region.county_of(team.village_id) if body_type == SupportOpinion.BodyType.COUNTY else "",
    )
    for name, value in values.items():
        setattr(record, name, value)
    record.submitted_by = actor
    record.save()
    audit_record(
        actor=actor,
        action="assessment.support_opinion",
        obj=record,
        before=before,
        after=snapshot(record, ["year", "body_type", "county_code", "unit", *_OPINION_FIELDS]),
        region_code=record.village_code,
    )
    return record, existing is None


# --- Recall (第二十条) -------------------------------------------------------------------------------


def _case_recipients(case: RecallCase) -> list[int]:
    """Who hears about a case: the dispatching unit, the township where the cadre serves, and the
    deciding organization department."""
    level, region_code = scoping.assessing_department(case.unit)
    return list(
        User.objects.filter(is_active=True)
        .filter(
            Q(role=Role.UNIT, unit_id=case.unit_id)
            | Q(role=Role.TOWNSHIP, region_id=Region.township_of(case.village_code))
            | Q(role=_DEPARTMENT_ROLE[level], region_id=region_code)
        )
        .values_list("pk", flat=True)
    )


def _notify_case(case: RecallCase, title: str) -> None:
    notify(
        recipient_ids=_case_recipients(case),
        title=title,
        body=f"{case.cadre.name}：{case.get_trigger_display()}",
        url=reverse("assessment-recall-detail", args=[case.pk]),
    )


def _new_case(*, actor: User | None, cadre: Cadre, trigger: str, evidence: str, **extra: Any) -> RecallCase:
    return RecallCase(
        cadre=cadre,
        unit_id=cadre.unit_id,
        village_code=cadre.team.village_id,
        trigger=trigger,
        evidence=evidence,
        opened_by=actor if getattr(actor, "is_authenticated", False) else None,
        **extra,
    )


def _open_incompetent_case(*, actor: User | None, cadre: Cadre, year: int) -> RecallCase | None:
    """第二十条1: once per cadre and assessment year, and not while another such case is open. A case the
    system closed because its grade changed does not count: a final 不称职 opens a new one."""
    trigger = RecallCase.Trigger.INCOMPETENT_RATING
    if (
        RecallCase.objects.filter(cadre=cadre, trigger=trigger, closed_automatically=False)
        .filter(Q(year=year) | Q(status="open"))
        .exists()
    ):
        return None
    case = _new_case(
        actor=actor, cadre=cadre, trigger=trigger, evidence=f"{year}年度考核评定为不称职（第二十条1）。", year=year
    )
    case.save()
    audit_record(actor=actor, action="recall.open", obj=case, after=snapshot(case), region_code=case.village_code)
    _notify_case(case, "驻村干部召回案件（年度考核不称职）")
    return case


@transaction.atomic
def recall_detect_absences(*, cadre_ids: Iterable[int] | None = None, actor: User | None = None) -> list[RecallCase]:
    """第二十条2: open an ``absences`` case for each cadre whose confirmed findings reach the profile's
    count (3 distinct days) — called by the attendance signal for one cadre, in the finding's own
    transaction, and by the nightly job for all. Idempotent: a second run opens nothing."""
    profile = profile_on()
    days = rules.confirmed_absence_days().filter(days__gte=max(profile.recall_absence_findings, 1))
    if cadre_ids is not None:
        days = days.filter(cadre_id__in=list(cadre_ids))
    counted = {row["cadre_id"]: row["days"] for row in days}
    if not counted:
        return []
    trigger = RecallCase.Trigger.ABSENCES
    # Lock the cadres: the signal and the job may run at once; the open-case constraint backs this up.
    cadres = {
        c.pk: c
        for c in Cadre.objects.select_for_update()
        .filter(pk__in=counted, status=Cadre.Status.ACTIVE)
        .select_related("team")
        .order_by("pk")
    }
    cases = {
        row["cadre_id"]: row
        for row in RecallCase.objects.filter(cadre_id__in=cadres, trigger=trigger)
        .values("cadre_id")
        .annotate(n=Count("id"), open=Count("id", filter=Q(status=RecallCase.Status.OPEN)))
        .order_by()
    }
    opened = []
    for cadre_id, cadre in cadres.items():
        so_far = cases.get(cadre_id, {"n": 0, "open": 0})
        if rules.absences_case_due(
            days=counted[cadre_id], cases_so_far=so_far["n"], has_open_case=so_far["open"] > 0, profile=profile
        ):
            opened.append(
                _new_case(
                    actor=actor,
                    cadre=cadre,
                    trigger=trigger,
                    evidence=f"已确认缺岗 {counted[cadre_id]} 天，均无已批准的请假（第二十条2）。",
                    absence_days=counted[cadre_id],
                )
            )
    if not opened:
        return []
    created = RecallCase.objects.bulk_create(opened)
    audit_record_many(
        [
            audit_event(
                actor=actor, action="recall.open", obj=c, before=None, after=snapshot(c), region_code=c.village_code
            )
            for c in created
        ]
    )
    for case in created:  # a handful per night; each goes to its own unit and township
        _notify_case(case, "驻村干部召回案件（累计缺岗）")
    return created


def _close_incompetent_cases(
    *,
    actor: User | None,
    cadre: Cadre,
    year: int,
    result: AssessmentResult | None,
    cases: Iterable[RecallCase] | None = None,
) -> list[RecallCase]:
    """第二十条1: the open ``incompetent_rating`` cases of ``year`` whose grade no longer stands (changed
    from 不称职, or not final) are dismissed by the system with the reason — no one decided them, so no
    decider — audited with the actor whose change closed them (None: the nightly job) and notified: a
    case follows its grade (docs/decisions/0081-recall-follows-the-grade.md)."""
    reason = rules.incompetent_case_basis_gone(year=year, result=result)
    if not reason:
        return []
    if cases is None:
        cases = RecallCase.objects.select_for_update().filter(
            cadre=cadre, trigger=RecallCase.Trigger.INCOMPETENT_RATING, year=year, status=RecallCase.Status.OPEN
        )
    closed = []
    for case in cases:  # at most one open case per cadre and trigger (a database constraint)
        before = snapshot(case, ["status", "closed_automatically"])
        case.status = RecallCase.Status.DISMISSED
        case.closed_automatically = True
        case.decided_at = timezone.now()
        case.decided_by = None
        case.decision_reason = f"{reason}，召回案件由系统自动撤销（第二十条1：年度考核中被评定为不称职的才召回）。"
        case.save(update_fields=["status", "closed_automatically", "decided_at", "decided_by", "decision_reason"])
        audit_record(
            actor=actor,
            action="recall.close_automatically",
            obj=case,
            before=before,
            after=snapshot(case, ["status", "closed_automatically", "decision_reason"]),
            region_code=case.village_code,
        )
        _notify_case(case, "召回案件已由系统自动撤销（不称职等次不再成立）")
        closed.append(case)
    return closed


@transaction.atomic
def recall_reconcile_incompetent() -> list[RecallCase]:
    """第二十条1, the nightly backstop of a case following its grade: open ``incompetent_rating`` cases
    whose grade is no longer a final 不称职 (e.g. opened at grading before cases waited for 定档,
    docs/decisions/0081) are closed by the system. Idempotent."""
    cases = list(
        RecallCase.objects.select_for_update(of=("self",))
        .filter(trigger=RecallCase.Trigger.INCOMPETENT_RATING, status=RecallCase.Status.OPEN)
        .select_related("cadre", "unit")
    )
    if not cases:
        return []
    results = {
        (r.cadre_id, r.round.year): r
        for r in AssessmentResult.objects.filter(
            subject_type=SubjectType.CADRE, cadre_id__in=[c.cadre_id for c in cases]
        ).select_related("round")
    }
    closed = []
    for case in cases:  # the open 不称职 cases: a handful
        result = results.get((case.cadre_id, case.year or 0))
        closed += _close_incompetent_cases(
            actor=None, cadre=case.cadre, year=case.year or 0, result=result, cases=[case]
        )
    return closed


@transaction.atomic
def recall_detect_leave_days(*, today: dt.date, actor: User | None = None) -> list[RecallCase]:
    """A profile's yearly leave limit (the 2021 national template: more than 30 days of leave a year;
    ``recall_leave_days_per_year``, 0 in the Hebei 2018 profile): each active cadre over it in the year
    so far gets one case per year (docs/decisions/0079). The 2018 list of 第二十条 has no such trigger,
    so the case is filed under 第二十条7 其他需要召回的情形, with the year — no schema change. The year
    just ended is checked too on the first days of January. Idempotent."""
    from leave.selectors import leave_days_over

    opened: list[RecallCase] = []
    for year in sorted({(today - dt.timedelta(days=1)).year, today.year}):
        last = min(today, dt.date(year, 12, 31))
        profile = profile_on(last)
        if not rules.leave_days_recall_applies(profile=profile):
            continue
        limit = profile.recall_leave_days_per_year
        over = leave_days_over(start=dt.date(year, 1, 1), end=last, limit=rules.leave_days_limit(profile=profile))
        trigger = RecallCase.Trigger.OTHER
        filed = set(RecallCase.objects.filter(cadre_id__in=list(over), trigger=trigger, year=year).values_list(
            "cadre_id", flat=True
        ))  # fmt: skip
        cadres = (
            Cadre.objects.select_for_update()
            .filter(pk__in=[pk for pk in over if pk not in filed], status=Cadre.Status.ACTIVE)
            .select_related("team")
            .order_by("pk")
        )
        cases = RecallCase.objects.bulk_create(
            [
                _new_case(
                    actor=actor,
                    cadre=cadre,
                    trigger=trigger,
                    evidence=(
                        f"{year}年累计请假 {over[cadre.pk].normalize():f} 天，超过每年 {limit} 天的规定"
                        f"（{profile.name}）；按第二十条7「其他需要召回的情形」发起。"
                    ),
                    year=year,
                )
                for cadre in cadres
            ]
        )
        audit_record_many(
            [
                audit_event(
                    actor=actor, action="recall.open", obj=c, before=None, after=snapshot(c), region_code=c.village_code
                )
                for c in cases
            ]
        )
        for case in cases:
            _notify_case(case, "驻村干部召回案件（年度请假超过规定天数）")
        opened += cases
    return opened


@transaction.atomic
def recall_detect_incompetent(*, actor: User | None = None) -> list[RecallCase]:
    """第二十条1, the nightly backstop: every final 不称职 (a finalized round) without its case gets one."""
    trigger = RecallCase.Trigger.INCOMPETENT_RATING
    live = RecallCase.objects.filter(cadre_id=OuterRef("cadre_id"), trigger=trigger, closed_automatically=False)
    missing = (
        AssessmentResult.objects.filter(
            subject_type=SubjectType.CADRE,
            grade=CadreGrade.INCOMPETENT,
            round__status=AssessmentRound.Status.FINALIZED,
        )
        .filter(cadre__status=Cadre.Status.ACTIVE)
        .exclude(Exists(live.filter(year=OuterRef("round__year"))))
        .exclude(Exists(live.filter(status="open")))
        .select_related("cadre__team", "round")
    )
    opened = []
    for result in missing:  # rows are already loaded; each case is created once in its own query
        assert result.cadre is not None
        case = _open_incompetent_case(actor=actor, cadre=result.cadre, year=result.round.year)
        if case is not None:
            opened.append(case)
    return opened


@transaction.atomic
def recall_case_open(*, actor: User, cadre: Cadre, trigger: str, evidence: str) -> RecallCase:
    """第二十条3–7: a case opened by hand, with the facts and evidence."""
    rules.allow(rules.recall_opening_refusal(actor))
    if trigger in RecallCase.AUTOMATIC_TRIGGERS:
        raise ValidationError({"trigger": ["年度考核不称职和累计缺岗由系统自动发起召回，不能手工发起。"]})
    if trigger not in RecallCase.Trigger.values:
        raise ValidationError({"trigger": ["召回情形无效。"]})
    if not evidence.strip():
        raise ValidationError({"evidence": ["请写明事实与证据（第二十条）。"]})
    if cadre.status != Cadre.Status.ACTIVE:
        raise ValidationError({"cadre": [f"{cadre.name}当前{cadre.get_status_display()}，不能发起召回。"]})
    if RecallCase.objects.filter(cadre=cadre, trigger=trigger, status=RecallCase.Status.OPEN).exists():
        raise ValidationError({"trigger": ["该干部已有同一情形的待决定召回案件。"]})
    case = _new_case(actor=actor, cadre=cadre, trigger=trigger, evidence=evidence.strip())
    case.save()
    audit_record(actor=actor, action="recall.open", obj=case, after=snapshot(case), region_code=case.village_code)
    _notify_case(case, "驻村干部召回案件")
    return case


def _locked_open_case(case: RecallCase) -> RecallCase:
    locked = RecallCase.objects.select_for_update().select_related("cadre", "unit").get(pk=case.pk)
    if locked.status != RecallCase.Status.OPEN:
        raise Conflict(f"该召回案件已{locked.get_status_display()}，不能再修改。")
    return locked


@transaction.atomic
def recall_case_consult(*, actor: User | None, case: RecallCase, opinion: str) -> RecallCase:
    """第二十条 商派出单位: the dispatching unit's opinion, recorded by the deciding department or the
    unit itself."""
    rules.allow(rules.recall_consultation_refusal(actor, case))
    if not opinion.strip():
        raise ValidationError({"opinion": ["请填写派出单位的意见。"]})
    locked = _locked_open_case(case)
    before = snapshot(locked, ["consultation", "consulted_at"])
    locked.consultation = opinion.strip()
    locked.consulted_at = timezone.now()
    locked.consulted_by = actor
    locked.save(update_fields=["consultation", "consulted_at", "consulted_by"])
    audit_record(
        actor=actor,
        action="recall.consult",
        obj=locked,
        before=before,
        after=snapshot(locked, ["consultation", "consulted_at"]),
        region_code=locked.village_code,
    )
    return locked


@transaction.atomic
def recall_case_decide(*, actor: User | None, case: RecallCase, decision: str, reason: str) -> RecallCase:
    """第二十条: the organization department of the dispatching unit's level decides, after consulting the
    unit. Recalled: the cadre's status becomes 已召回 (their membership of the team ends; a replacement
    is dispatched through the roster) and the sanctions are recorded with their end dates. Only that
    department (403); a 不称职 case only while its grade is a final 不称职 (409, 第二十条1)."""
    rules.allow(rules.recall_decision_refusal(actor, case))
    if decision not in (RecallCase.Status.RECALLED, RecallCase.Status.DISMISSED):
        raise ValidationError({"decision": ["决定应为 recalled（召回）或 dismissed（不予召回）。"]})
    if not reason.strip():
        raise ValidationError({"reason": ["请写明决定理由。"]})
    locked = _locked_open_case(case)
    if locked.trigger == RecallCase.Trigger.INCOMPETENT_RATING:
        result = (
            AssessmentResult.objects.filter(
                subject_type=SubjectType.CADRE, cadre_id=locked.cadre_id, round__year=locked.year or 0
            )
            .select_related("round")
            .first()
        )
        gone = rules.incompetent_case_basis_gone(year=locked.year or 0, result=result)
        if gone:
            raise Conflict(f"第二十条1：{gone}，不能据此作出决定。该案件将由系统自动撤销，请刷新后查看。")
    rules.check_can_decide(locked)
    today = timezone.localdate()
    before = snapshot(locked, ["status"])
    locked.status = decision
    locked.decided_at = timezone.now()
    locked.decided_by = actor
    locked.decision_reason = reason.strip()
    locked.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
    events = [
        audit_event(
            actor=actor,
            action="recall.decide",
            obj=locked,
            before=before,
            after=snapshot(locked, ["status", "decision_reason"]),
            region_code=locked.village_code,
        )
    ]
    if decision == RecallCase.Status.RECALLED:
        cadre = Cadre.objects.select_for_update().get(pk=locked.cadre_id)
        cadre_before = {"status": cadre.status, "term_end": cadre.term_end.isoformat()}
        cadre.status = Cadre.Status.RECALLED
        # The recall ends the cadre's time in post today: months and years are judged on the days in
        # post (第五条; docs/decisions/0072), and later years no longer count the cadre.
        cadre.term_end = min(cadre.term_end, today)
        cadre.save(update_fields=["status", "term_end"])
        events.append(
            audit_event(
                actor=actor,
                action="cadre.recalled",
                obj=cadre,
                before=cadre_before,
                after={"status": cadre.status, "term_end": cadre.term_end.isoformat()},
                region_code=locked.village_code,
            )
        )
        sanctions = Sanction.objects.bulk_create(
            [
                Sanction(
                    cadre=cadre, case=locked, village_code=locked.village_code, kind=kind, starts_on=first, ends_on=last
                )
                for kind, first, last in rules.sanction_periods(recalled_on=today, profile=profile_on(today))
            ]
        )
        events += [
            audit_event(
                actor=actor, action="sanction.create", obj=s, before=None, after=snapshot(s), region_code=s.village_code
            )
            for s in sanctions
        ]
    audit_record_many(events)
    title = "驻村干部已召回" if decision == RecallCase.Status.RECALLED else "召回案件不予召回"
    _notify_case(locked, title)
    return locked


@transaction.atomic
def sanctions_expire(*, today: dt.date) -> int:
    """Sanctions whose end date has passed are marked expired (audited once). Enforcement reads the
    dates, so a late run never lets a sanction linger; running twice changes nothing."""
    due = list(Sanction.objects.select_for_update().filter(ends_on__lt=today, expired_at__isnull=True))
    if not due:
        return 0
    now = timezone.now()
    Sanction.objects.filter(pk__in=[s.pk for s in due]).update(expired_at=now)
    audit_record_many(
        [
            audit_event(
                actor=None,
                action="sanction.expire",
                obj=s,
                before={"expired_at": None},
                after={"expired_at": now.isoformat()},
                region_code=s.village_code,
            )
            for s in due
        ]
    )
    return len(due)


@transaction.atomic
def rounds_remind_overdue(*, today: dt.date) -> int:
    """Rounds still open after their deadline: the department's accounts are reminded, once."""
    overdue = list(
        AssessmentRound.objects.select_for_update().filter(
            status=AssessmentRound.Status.OPEN, deadline__lt=today, deadline_notified_at__isnull=True
        )
    )
    if not overdue:
        return 0
    departments = {(_DEPARTMENT_ROLE[r.level], r.region_code) for r in overdue}
    condition = Q(pk__in=[])
    for role, region_code in departments:
        condition |= Q(role=role, region_id=region_code)
    accounts: dict[tuple[str, str], list[int]] = {}
    for pk, role, region_id in User.objects.filter(condition, is_active=True).values_list("pk", "role", "region_id"):
        accounts.setdefault((role, region_id), []).append(pk)
    for r in overdue:  # one INSERT per overdue department, a few a year
        notify(
            recipient_ids=accounts.get((_DEPARTMENT_ROLE[r.level], r.region_code), []),
            title=f"{r.year}年度驻村考核已过定档期限（{r.deadline:%Y-%m-%d}）",
            url=reverse("assessment-overview") + f"?year={r.year}",
        )
    AssessmentRound.objects.filter(pk__in=[r.pk for r in overdue]).update(deadline_notified_at=timezone.now())
    return len(overdue)


# --- 第十七条, 第二十三条 -----------------------------------------------------------------------------


@transaction.atomic
def accountability_record(
    *,
    actor: User,
    measure: str,
    target_type: str,
    failed_duty: str,
    decided_on: dt.date,
    unit: Unit | None = None,
    cadre: Cadre | None = None,
    person_name: str = "",
    facts: str = "",
    duty_ref: str = "",
) -> AccountabilityRecord:
    """第十七条: 组织函询、提醒谈话、通报批评、组织处理 against a unit or person that failed a duty, recorded
    by the organization department (its region is the record's tree key)."""
    scoping.require(actor, "assessment.accountability")
    errors: dict[str, list[str]] = {}
    if measure not in AccountabilityRecord.Measure.values:
        errors["measure"] = ["问责方式应为组织函询、提醒谈话、通报批评或组织处理。"]
    if target_type == AccountabilityRecord.TargetType.UNIT and unit is None:
        errors["unit"] = ["请选择被问责的单位。"]
    elif target_type == AccountabilityRecord.TargetType.PERSON and cadre is None and not person_name.strip():
        errors["person_name"] = ["请选择驻村干部或填写责任人姓名。"]
    elif target_type not in AccountabilityRecord.TargetType.values:
        errors["target_type"] = ["问责对象应为单位或个人。"]
    if not failed_duty.strip():
        errors["failed_duty"] = ["请写明未履行到位的职责。"]
    if decided_on > timezone.localdate():
        errors["decided_on"] = ["决定日期不能晚于今天。"]
    if errors:
        raise ValidationError(errors)
    record = AccountabilityRecord.objects.create(
        measure=measure,
        target_type=target_type,
        unit=unit if target_type == AccountabilityRecord.TargetType.UNIT else None,
        cadre=cadre if target_type == AccountabilityRecord.TargetType.PERSON else None,
        person_name=person_name.strip(),
        failed_duty=failed_duty.strip(),
        duty_ref=duty_ref.strip(),
        facts=facts.strip(),
        decided_on=decided_on,
        region_code=str(actor.region_id),
        recorded_by=actor,
    )
    audit_record(
        actor=actor, action="accountability.record", obj=record, after=snapshot(record), region_code=record.region_code
    )
    return record


@transaction.atomic
def key_training_add(*, actor: User, cadre: Cadre, year: int, reason: str, measures: str = "") -> KeyTrainingEntry:
    """第二十三条: put a cadre on the key training ledger (重点培养对象台账) — not while sanctioned on the day
    of the entry (第二十条, docs/decisions/0083)."""
    scoping.require(actor, "assessment.key_training")
    _check_year(year)
    if not reason.strip():
        raise ValidationError({"reason": ["请写明列为重点培养对象的理由（表现和实绩）。"]})
    rules.check_not_sanctioned_for_training(cadre=cadre, day=timezone.localdate())
    if KeyTrainingEntry.objects.filter(cadre=cadre, year=year).exists():
        raise ValidationError({"cadre": [f"{cadre.name}已在{year}年度重点培养对象台账中。"]})
    entry = KeyTrainingEntry.objects.create(
        cadre=cadre,
        village_code=cadre.team.village_id,
        year=year,
        reason=reason.strip(),
        measures=measures.strip(),
        added_by=actor,
    )
    audit_record(
        actor=actor, action="key_training.add", obj=entry, after=snapshot(entry), region_code=entry.village_code
    )
    return entry


# --- Export jobs -----------------------------------------------------------------------------------


def export_sync_max_rows() -> int:
    """Up to this many rows the workbook is built in the request; beyond it, by a job with progress."""
    return int(getattr(settings, "ZHUCUN_EXPORT_SYNC_MAX_ROWS", 5000))


@transaction.atomic
def export_job_create(*, actor: User, year: int) -> ExportJob:
    """Queue a workbook build; the task starts after the commit (it reads the job row)."""
    _check_year(year)
    job = ExportJob.objects.create(user=actor, year=year)
    audit_record(
        actor=actor, action="export_job.create", obj=job, after={"year": year, "scope": scope_description(actor)},
        region_code=home_region_code(actor),
    )  # fmt: skip
    # In the outbox with the job (decision 0050): a broker that is down neither fails the request
    # nor leaves the job queued forever; the drain job publishes it when the broker answers.
    outbox.enqueue("assessment.build_export", job.pk, key=export_job_key(job.pk))
    return job


def export_job_key(job_id: int) -> str:
    return f"assessment.exportjob:{job_id}"


def export_job_waiting_to_queue(job: ExportJob) -> bool:
    """The job's task could not be handed to the broker yet; the drain job keeps trying."""
    return job.status == ExportJob.Status.QUEUED and outbox.waiting_to_queue(export_job_key(job.pk))


def export_job_run(*, job_id: int) -> str:
    """Build the job's workbook into a temporary file, reporting progress, then store it. Not one
    transaction: progress must be visible while it runs.

    The workbook's reads come from the replica when there is one (decision 0103), once it has this
    job's row — and so everything the requester wrote before asking (``replica_reads(after=job)``).
    The job's own row, its progress, file, status and audit events are on the primary."""
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    if job.status == ExportJob.Status.DONE:
        return str(job.file.name)
    with replica_reads(after=job):
        return _export_job_build(job)


def _export_job_build(job: ExportJob) -> str:
    from .exports import row_total, write_assessment_workbook

    total = max(row_total(user=job.user, year=job.year), 1)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, progress=0)

    def progress(done: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(progress=min(99, 100 * done // total))

    try:
        with tempfile.TemporaryFile() as out:
            rows = write_assessment_workbook(user=job.user, year=job.year, out=out, progress=progress)
            out.seek(0)
            job.file.save(f"assessment-{job.year}-{job.pk}.xlsx", File(out), save=False)
    except Exception as exc:  # the person sees that it failed; the log keeps the traceback
        with transaction.atomic():
            ExportJob.objects.filter(pk=job.pk).update(
                status=ExportJob.Status.FAILED, error=str(exc)[:300], finished_at=timezone.now()
            )
            _audit_job_end(job, "export_job.fail", {"error": str(exc)[:300]})
        raise
    with transaction.atomic():
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.DONE, progress=100, rows=rows, file=job.file.name, finished_at=timezone.now()
        )
        _audit_job_end(job, "export_job.finish", {"rows": rows, "file": str(job.file.name)})
    return str(job.file.name)


def _audit_job_end(job: ExportJob, action: str, after: dict[str, Any]) -> None:
    """The job's end, recorded for the department of the person who asked for it (the worker acts,
    so there is no actor; the operator names the job)."""
    with operator_context("job:assessment.build_export"):
        audit_record(
            actor=None, action=action, obj=job, after={"user_id": job.user_id, "year": job.year, **after},
            region_code=home_region_code(job.user),
        )  # fmt: skip
