"""Supervision writes. Each is keyword-only, atomic, validates before it writes, records its audit event
in the same transaction and hands side effects to notifications/the outbox (docs/CONTRIBUTING.md).
The rules are decided in supervision/rules.py; who may act is zhucun.scoping (roles) plus the checks
here that depend on the object (the team's county, the team's leader, the unit)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from attendance import rules as attendance_rules
from attendance.models import AbsenceFinding
from cadres.models import Cadre, Region, Team
from leave.selectors import excused_halves
from zhucun import scoping
from zhucun.api.errors import Conflict
from zhucun.audit import audit_event, audit_record, audit_record_many, snapshot, update_audited
from zhucun.notifications import Message, notify, notify_many
from zhucun.policy import profile_on

from . import rules
from .models import (
    AnnualTask,
    Demand,
    InspectionInspector,
    InspectionPlan,
    InspectionResult,
    PresenceCheck,
    UnitReturnFlag,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

# --- 第十三条3 随机抽查 --------------------------------------------------------------------------


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def checks_in_month(*, cadre_id: int, day: dt.date) -> int:
    """How many presence checks the cadre was given in ``day``'s calendar month (Asia/Shanghai)."""
    first, last = rules.month_bounds(day)
    return PresenceCheck.objects.filter(
        cadre_id=cadre_id,
        issued_at__gte=_local_midnight(first),
        issued_at__lt=_local_midnight(last + dt.timedelta(days=1)),
    ).count()


def _cadre_accounts(cadre_ids: list[int]) -> dict[int, list[int]]:
    accounts: dict[int, list[int]] = {}
    for user_id, cadre_id in User.objects.filter(cadre_id__in=cadre_ids, is_active=True).values_list("pk", "cadre_id"):
        accounts.setdefault(cadre_id, []).append(user_id)
    return accounts


@transaction.atomic
def presence_check_issue(*, actor: User, cadre: Cadre, minutes: int) -> PresenceCheck:
    """第十三条3: ask ``cadre`` (already fetched through the actor's scope) to confirm within ``minutes``
    that they are in the village. Refused (400, nothing written) beyond the month's cap, while another
    check of theirs is pending, for a cadre not in post, or while approved leave or official business
    covers the moment. The cadre's row is locked, so two officials issuing at once cannot pass the cap."""
    scoping.require(actor, "presence.issue")
    now = timezone.now()
    local = timezone.localtime(now)
    today = local.date()
    profile = profile_on(today)
    errors: dict[str, list[str]] = {}
    refusal = rules.minutes_refusal(minutes, profile)
    if refusal:
        errors["minutes"] = [refusal]
    locked = Cadre.objects.select_for_update().get(pk=cadre.pk)
    if locked.status != Cadre.Status.ACTIVE or not locked.term_start <= today <= locked.term_end:
        errors["cadre"] = [f"{locked.name}当前不在驻村任期内（{locked.get_status_display()}），不能抽查。"]
    elif PresenceCheck.objects.filter(cadre=locked, status=PresenceCheck.Status.PENDING, due_at__gte=now).exists():
        errors["cadre"] = [f"{locked.name}还有一次抽查未到确认时限，请等它结束后再抽查。"]
    else:
        capped = rules.cap_refusal(issued_this_month=checks_in_month(cadre_id=locked.pk, day=today), profile=profile)
        excused = excused_halves(cadre_ids=[locked.pk], start=today, end=today).get(locked.pk, {}).get(today, {})
        half = attendance_rules.half_of(local.time())
        if capped:
            errors["cadre"] = [capped]
        elif rules.excused_now(excused=excused, half=half):
            reason = attendance_rules.EXCUSE_LABELS.get(excused[half], "批准的离村")
            errors["cadre"] = [
                f"{locked.name}{attendance_rules.HALF_LABELS[half]}有{reason}，不在村是经过批准的，不能抽查。"
            ]
    if errors:
        raise ValidationError(errors)
    check = PresenceCheck.objects.create(
        cadre=locked,
        village_code=locked.team.village_id,
        minutes=minutes,
        issued_by=actor,
        issued_at=now,
        due_at=rules.due_at(issued_at=now, minutes=minutes),
        status=PresenceCheck.Status.PENDING,
    )
    audit_record(
        actor=actor, action="presence_check.issue", obj=check, after=snapshot(check), region_code=check.village_code
    )
    recipients = _cadre_accounts([locked.pk]).get(locked.pk, [])
    if recipients:
        notify(
            recipient_ids=recipients,
            title=f"随机抽查：请在 {timezone.localtime(check.due_at):%H:%M} 前确认在岗",
            body="打开页面点一下「确认在岗」，手机只在这一次读取位置。",
            url=reverse("supervision-presence-mine"),
        )
    return check


def _village(code: str) -> Region:
    return Region.objects.get(code=code)


@transaction.atomic
def presence_check_answer(*, actor: User, check: PresenceCheck, latitude: float, longitude: float) -> PresenceCheck:
    """The cadre's one tap: their position, read once, against the village's geofence — the sign-in's
    rule (attendance.rules.village_geofence), not a copy. Inside: 在岗; outside: 不在范围 and a pending
    finding. Only the distance is kept. A second answer, a racing one, or one past the time is a 409 and
    changes nothing: the row is locked and its status checked under the lock."""
    if getattr(actor, "role", "") != Role.CADRE or actor.cadre_id != check.cadre_id:
        raise PermissionDenied("只有被抽查的驻村干部本人可以确认在岗。")
    locked = PresenceCheck.objects.select_for_update().get(pk=check.pk)
    now = timezone.now()
    refusal = rules.may_answer(locked, now=now)
    if refusal:
        raise Conflict(refusal)
    profile = profile_on(timezone.localdate(now))
    reading = attendance_rules.village_geofence(
        village=_village(locked.village_code), latitude=latitude, longitude=longitude, profile=profile
    )
    if reading is None:
        raise ValidationError({"detail": ["驻在村尚未设置位置，暂不能确认，请联系县驻村办。"]})
    status = rules.answer_status(reading)
    update_audited(
        actor=actor,
        action="presence_check.answer",
        obj=locked,
        changes={"status": status, "answered_at": now, "distance_m": reading.distance_m},
        region_code=locked.village_code,
    )
    if rules.raises_finding(status):
        findings = _raise_findings(
            [locked], note=f"随机抽查确认位置不在签到范围内（距村 {reading.distance_m} 米）。", moment=lambda c: now
        )
        if findings:
            locked.finding = findings[locked.pk]
            locked.save(update_fields=["finding"])
    return locked


def _raise_findings(checks: list[PresenceCheck], *, note: str, moment: Any) -> dict[int, AbsenceFinding]:
    """Pending absence findings (source 随机抽查) for ``checks``, one per cadre and day (the table's unique
    key: a second check of the same day joins the first's finding); none for a half covered by approved
    leave or official business. ``moment(check)`` is the time the check asked about. Returns the
    finding of each check that has one. A set of queries, whatever the number of checks."""
    if not checks:
        return {}
    located = {c.pk: rules.finding_day_and_half(timezone.localtime(moment(c))) for c in checks}
    days = [day for day, _ in located.values()]
    cadre_ids = sorted({c.cadre_id for c in checks})
    excused = excused_halves(cadre_ids=cadre_ids, start=min(days), end=max(days))
    existing = {
        (f.cadre_id, f.date): f
        for f in AbsenceFinding.objects.filter(
            cadre_id__in=cadre_ids, date__in=set(days), source=AbsenceFinding.Source.PRESENCE_CHECK
        )
    }
    excused_checks = {
        c.pk
        for c in checks
        if rules.excused_now(excused=excused.get(c.cadre_id, {}).get(located[c.pk][0], {}), half=located[c.pk][1])
    }
    new: dict[tuple[int, dt.date], AbsenceFinding] = {}
    for check in checks:
        day, half = located[check.pk]
        key = (check.cadre_id, day)
        if key in existing or key in new or check.pk in excused_checks:
            continue
        new[key] = AbsenceFinding(
            cadre_id=check.cadre_id,
            village_code=check.village_code,
            date=day,
            source=AbsenceFinding.Source.PRESENCE_CHECK,
            half=half,
            observed_at=timezone.localtime(moment(check)).time().replace(microsecond=0),
            status=AbsenceFinding.Status.PENDING,
            note=note[:300],
        )
    created = AbsenceFinding.objects.bulk_create(list(new.values()))
    audit_record_many(
        [audit_event(actor=None, action="absence_finding.detect", obj=f, before=None, after=snapshot(f),
                     region_code=f.village_code) for f in created]
    )  # fmt: skip
    found = {**existing, **{(f.cadre_id, f.date): f for f in created}}
    return {
        c.pk: found[(c.cadre_id, located[c.pk][0])]
        for c in checks
        if c.pk not in excused_checks and (c.cadre_id, located[c.pk][0]) in found
    }


@transaction.atomic
def presence_checks_expire(*, now: dt.datetime | None = None) -> int:
    """The job (``supervision.presence_checks``): pending checks past their time become 未按时确认 and
    raise pending findings; whoever issued them is told. Idempotent — a check is expired once (the rows
    are locked and skipped when another run holds them). Returns the number expired."""
    now = now or timezone.now()
    due = list(
        PresenceCheck.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(status=PresenceCheck.Status.PENDING, due_at__lt=now)
        .select_related("cadre")
        .order_by("pk")
    )
    if not due:
        return 0
    findings = _raise_findings(due, note="随机抽查未在确认时限内确认在岗。", moment=lambda c: c.due_at)
    before = {c.pk: snapshot(c, ["status", "finding"]) for c in due}
    for check in due:
        check.status = PresenceCheck.Status.MISSED
        check.finding = findings.get(check.pk)
    PresenceCheck.objects.bulk_update(due, ["status", "finding"])
    audit_record_many(
        [audit_event(actor=None, action="presence_check.miss", obj=c, before=before[c.pk],
                     after=snapshot(c, ["status", "finding"]), region_code=c.village_code) for c in due]
    )  # fmt: skip
    by_issuer: dict[int, list[PresenceCheck]] = {}
    for check in due:
        if check.issued_by_id:
            by_issuer.setdefault(check.issued_by_id, []).append(check)
    notify_many(
        Message(
            recipient_ids=[issuer],
            title=f"随机抽查：{len(checks)} 人未按时确认在岗",
            body="、".join(c.cadre.name for c in checks[:10]) + ("等" if len(checks) > 10 else ""),
            url=reverse("supervision-presence-list") + "?status=missed",
        )
        for issuer, checks in by_issuer.items()
    )
    return len(due)


# --- 第七条 驻村工作队年度帮扶任务清单 ------------------------------------------------------------------


@transaction.atomic
def task_create(
    *,
    actor: User,
    team: Team,
    year: int,
    kind: str,
    title: str,
    target: str,
    deadline: dt.date | None,
    responsible_department: str = "",
    requirements: str = "",
) -> AnnualTask:
    """第七条: put a task on ``team``'s list for ``year`` (the team already fetched through the actor's
    scope). 规定内容 only by the team's county organization department; 自选内容 by the dispatching unit or
    the team's leader (rules.origin_of, 403 otherwise). Bad input is a 400 naming each field."""
    scoping.require(actor, "tasks.set_required" if kind == AnnualTask.Kind.REQUIRED else "tasks.set_optional")
    today = timezone.localdate()
    errors = rules.task_refusals(
        year=year, kind=kind, title=title, target=target, deadline=deadline,
        responsible_department=responsible_department, today=today,
    )  # fmt: skip
    if errors:
        raise ValidationError(errors)
    origin = rules.origin_of(actor, team, kind)
    if origin is None:
        raise PermissionDenied(
            "规定内容只能由驻在县的县委组织部确定；自选内容由派出单位或本队队长提出。"
            if kind == AnnualTask.Kind.REQUIRED
            else "自选内容由本队的派出单位或本队队长提出。"
        )
    assert deadline is not None
    task = AnnualTask.objects.create(
        team=team,
        village_code=team.village_id,
        year=year,
        kind=kind,
        origin=origin,
        title=title.strip()[:200],
        target=target.strip()[:1000],
        requirements=requirements.strip()[:1000],
        deadline=deadline,
        responsible_department=responsible_department.strip()[:100],
        created_by=actor,
    )
    audit_record(actor=actor, action="task.create", obj=task, after=snapshot(task), region_code=task.village_code)
    return task


@transaction.atomic
def task_update(
    *, actor: User, task: AnnualTask, progress: int | None = None, done: bool | None = None, note: str | None = None
) -> AnnualTask:
    """The team reports progress (0–100 %), a note, or completion (done sets 100 % and the day; undone
    reopens it). The row is locked, so two reports one after the other each see the other's result."""
    scoping.require(actor, "tasks.update")
    locked = AnnualTask.objects.select_for_update().select_related("team").get(pk=task.pk)
    if not rules.may_report_progress(actor, locked):
        raise PermissionDenied("进度由本队队长报告；规定内容也可由县委组织部、自选内容也可由派出单位更新。")
    refusal = rules.progress_refusal(progress)
    if refusal:
        raise ValidationError({"progress": [refusal]})
    if progress is None and done is None and note is None:
        raise ValidationError({"detail": ["请填写进度（progress）、进展情况（note）或是否完成（done）。"]})
    changes: dict[str, Any] = {}
    if progress is not None:
        changes["progress"] = progress
    if note is not None:
        changes["progress_note"] = note.strip()[:300]
    if done is True and not locked.done:
        changes.update(done=True, done_on=timezone.localdate(), progress=100)
    elif done is False and locked.done:
        changes.update(done=False, done_on=None)
    if changes:
        update_audited(actor=actor, action="task.update", obj=locked, changes=changes, region_code=locked.village_code)
    return locked


@transaction.atomic
def task_overdue_flags(*, today: dt.date | None = None) -> int:
    """The nightly job (``supervision.task_overdue_flags``): every task past its deadline and not done is
    flagged once, and its team's leader, the body that set it (the county's organization department
    for 规定内容, the unit for 自选内容) are told. Idempotent: a flagged task is not flagged again."""
    today = today or timezone.localdate()
    now = timezone.now()
    tasks = list(
        AnnualTask.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(done=False, deadline__lt=today, overdue_flagged_at__isnull=True)
        .select_related("team__village")
        .order_by("pk")
    )
    if not tasks:
        return 0
    AnnualTask.objects.filter(pk__in=[t.pk for t in tasks]).update(overdue_flagged_at=now)
    audit_record_many(
        [audit_event(actor=None, action="task.overdue", obj=t, before={"overdue_flagged_at": None},
                     after={"overdue_flagged_at": now.isoformat()}, region_code=t.village_code) for t in tasks]
    )  # fmt: skip
    team_ids = {t.team_id for t in tasks}
    leaders: dict[int, list[int]] = {}
    for user_id, team_id in User.objects.filter(
        is_active=True, cadre__team_id__in=team_ids, cadre__role__in=Cadre.LEADER_ROLES, cadre__status="active"
    ).values_list("pk", "cadre__team_id"):
        leaders.setdefault(team_id, []).append(user_id)
    counties: dict[str, list[int]] = {}
    for user_id, region_id in User.objects.filter(
        is_active=True, role=Role.COUNTY_ORG, region_id__in={rules.team_county_code(t.team) for t in tasks}
    ).values_list("pk", "region_id"):
        counties.setdefault(str(region_id), []).append(user_id)
    units: dict[int, list[int]] = {}
    for user_id, unit_id in User.objects.filter(
        is_active=True, role=Role.UNIT, unit_id__in={t.team.unit_id for t in tasks}
    ).values_list("pk", "unit_id"):
        units.setdefault(unit_id, []).append(user_id)
    messages = []
    for task in tasks:
        setter = (
            counties.get(rules.team_county_code(task.team), [])
            if task.kind == AnnualTask.Kind.REQUIRED
            else units.get(task.team.unit_id, [])
        )
        messages.append(
            Message(
                recipient_ids=[*leaders.get(task.team_id, []), *setter],
                title=f"帮扶任务逾期未完成：{task.title}"[:120],
                body=f"{task.team.village.name}，完成时限 {task.deadline:%Y-%m-%d}，当前进度 {task.progress}%。",
                url=reverse("supervision-team-tasks", args=[task.team_id]) + f"?year={task.year}",
            )
        )
    notify_many(messages)
    return len(tasks)


# --- 第十三条2 明查暗访、交叉检查、集中督导 ----------------------------------------------------------------


@transaction.atomic
def inspection_plan_create(
    *,
    actor: User,
    kind: str,
    title: str,
    scope_code: str,
    start: dt.date | None,
    end: dt.date | None,
    note: str = "",
) -> InspectionPlan:
    """第十三条2: an organization department plans a 明查暗访, 交叉检查 or 集中督导 of a region inside its own."""
    scoping.require(actor, "inspection.plan")
    organizer = rules.organizer_of(actor)
    if organizer is None:
        raise PermissionDenied("督导检查由各级党委组织部门组织。")
    level, region_code = organizer
    scope = Region.objects.filter(code=(scope_code or "").strip()).first()
    errors = rules.plan_refusals(
        kind=kind, title=title, organizer_region=region_code, scope=scope, start=start, end=end,
        today=timezone.localdate(),
    )  # fmt: skip
    if errors:
        raise ValidationError(errors)
    assert scope is not None and start is not None and end is not None
    plan = InspectionPlan.objects.create(
        kind=kind,
        title=title.strip()[:200],
        organizer_level=level,
        organizer_region=region_code,
        scope_code=scope.code,
        start=start,
        end=end,
        note=note.strip()[:2000],
        created_by=actor,
    )
    audit_record(actor=actor, action="inspection.plan", obj=plan, after=snapshot(plan), region_code=region_code)
    return plan


def _inspect_permission() -> Any:
    from django.contrib.auth.models import Permission

    from accounts.services import INSPECT_REGION

    return Permission.objects.get(codename=INSPECT_REGION, content_type__app_label="cadres")


@transaction.atomic
def inspector_add(*, actor: User, plan: InspectionPlan, username: str) -> InspectionInspector:
    """Name an inspector of ``plan`` (its organizer only). A 交叉检查 inspector is lent the inspected region
    until the plan's last day: a ``RegionGrant`` that zhucun.scoping reads like any other (decision 0123)."""
    from accounts.models import RegionGrant
    from accounts.usernames import normalize_username

    scoping.require(actor, "inspection.grant")
    if not rules.is_organizer(actor, plan):
        raise PermissionDenied("只有组织本次检查的组织部门可以指定检查人员。")
    account = User.objects.filter(username=normalize_username(username or "")).first()
    refusal = rules.inspector_refusal(plan=plan, account=account, today=timezone.localdate())
    if refusal:
        raise ValidationError({"username": [refusal]})
    assert account is not None
    if InspectionInspector.objects.filter(plan=plan, user=account).exists():
        raise ValidationError({"username": [f"{account.username} 已是本次检查的检查人员。"]})
    grant = None
    if plan.kind == InspectionPlan.Kind.CROSS:
        if RegionGrant.objects.filter(user=account, content_object_id=plan.scope_code).exists():
            raise ValidationError({"username": ["该账号已有被检查区划的授权；请先撤销原授权。"]})
        grant = RegionGrant.objects.create(
            user=account,
            permission=_inspect_permission(),
            content_object_id=plan.scope_code,
            valid_until=plan.end,
            reason=f"交叉检查：{plan.title}"[:200],
        )
        audit_record(
            actor=actor,
            action="grant.create",
            obj=grant,
            after={"user": account.pk, "username": account.username, "region": plan.scope_code,
                   "valid_until": plan.end.isoformat(), "reason": grant.reason, "plan": plan.pk},
            region_code=plan.scope_code,
        )  # fmt: skip
    inspector = InspectionInspector.objects.create(plan=plan, user=account, grant=grant)
    audit_record(
        actor=actor,
        action="inspection.inspector_add",
        obj=inspector,
        after={"plan": plan.pk, "user": account.pk, "username": account.username, "grant": grant.pk if grant else None},
        region_code=plan.organizer_region,
    )
    notify(
        recipient_ids=[account.pk],
        title=f"您被指定为{plan.get_kind_display()}检查人员：{plan.title}"[:120],
        body=f"检查期间 {plan.start:%Y-%m-%d} 至 {plan.end:%Y-%m-%d}。",
        url=reverse("supervision-inspection-detail", args=[plan.pk]),
    )
    return inspector


@transaction.atomic
def inspector_remove(*, actor: User, inspector: InspectionInspector) -> None:
    """Take an inspector off the plan and end the grant it was lent (its organizer only)."""
    scoping.require(actor, "inspection.grant")
    plan = inspector.plan
    if not rules.is_organizer(actor, plan):
        raise PermissionDenied("只有组织本次检查的组织部门可以撤销检查人员。")
    if inspector.grant is not None:
        grant = inspector.grant
        audit_record(
            actor=actor,
            action="grant.revoke",
            obj=grant,
            before={"user": grant.user_id, "region": grant.content_object_id,
                    "valid_until": grant.valid_until.isoformat() if grant.valid_until else None, "plan": plan.pk},
            region_code=grant.content_object_id,
        )  # fmt: skip
        grant.delete()
    audit_record(
        actor=actor,
        action="inspection.inspector_remove",
        obj=inspector,
        before={"plan": plan.pk, "user": inspector.user_id},
        region_code=plan.organizer_region,
    )
    inspector.delete()


def may_record(user: User | AnonymousUser, plan: InspectionPlan) -> bool:
    """The organizer's staff and the plan's inspectors record results (第十三条2)."""
    return rules.is_organizer(user, plan) or (
        user.pk is not None and InspectionInspector.objects.filter(plan=plan, user_id=user.pk).exists()
    )


@transaction.atomic
def inspection_result_record(
    *,
    actor: User,
    plan: InspectionPlan,
    team: Team,
    day: dt.date,
    outcome: str,
    cadre: Cadre | None = None,
    time: dt.time | None = None,
    note: str = "",
    measure: str = "",
) -> InspectionResult:
    """A result per team and cadre (the team and the cadre already fetched through the actor's scope).
    A cadre not in post becomes an absence finding (source 明查暗访): confirmed at once when the recorder
    may record findings (the county, the township — attendance.services.absence_finding_create), else
    pending for the township to confirm. 履职不到位 with a ``measure`` becomes an accountability record
    (第十七条) in the same step, by the organizing department."""
    from assessment.models import AccountabilityRecord
    from assessment.services import accountability_record

    scoping.require(actor, "inspection.record")
    if not may_record(actor, plan):
        raise PermissionDenied("只有本次检查的组织部门和检查人员可以记录检查结果。")
    errors = rules.result_refusals(
        plan=plan, team=team, cadre=cadre, day=day, outcome=outcome, today=timezone.localdate()
    )
    if measure and measure not in AccountabilityRecord.Measure.values:
        errors["measure"] = ["问责方式应为组织函询、提醒谈话、通报批评或组织处理。"]
    if measure and outcome != InspectionResult.Outcome.PROBLEM:
        errors["measure"] = ["只有“履职不到位”的结果可以转为追责问责。"]
    if errors:
        raise ValidationError(errors)
    if measure and not rules.is_organizer(actor, plan):
        raise PermissionDenied("追责问责由组织本次检查的组织部门决定（第十七条）。")
    result = InspectionResult.objects.create(
        plan=plan, team=team, village_code=team.village_id, cadre=cadre, date=day, observed_at=time,
        outcome=outcome, note=note.strip()[:500], recorded_by=actor,
    )  # fmt: skip
    text = f"{plan.get_kind_display()}「{plan.title}」：{note.strip()}".strip("：")[:300]
    if outcome == InspectionResult.Outcome.ABSENT:
        assert cadre is not None
        result.finding = _inspection_finding(actor=actor, cadre=cadre, day=day, time=time, note=text)
    if measure:
        result.accountability = accountability_record(
            actor=actor,
            measure=measure,
            target_type="person" if cadre is not None else "unit",
            cadre=cadre,
            unit=None if cadre is not None else team.unit,
            failed_duty=(note.strip() or "驻村帮扶工作履职不到位")[:300],
            decided_on=day,
            facts=text,
            duty_ref=f"inspection:{plan.pk}",
        )
    if result.finding is not None or result.accountability is not None:
        result.save(update_fields=["finding", "accountability"])
    audit_record(
        actor=actor, action="inspection.result", obj=result, after=snapshot(result), region_code=result.village_code
    )
    return result


def _inspection_finding(*, actor: User, cadre: Cadre, day: dt.date, time: dt.time | None, note: str) -> AbsenceFinding:
    from attendance.services import absence_finding_create

    if scoping.can(actor, "attendance.record_finding"):
        return absence_finding_create(
            actor=actor, cadre=cadre, day=day, source=AbsenceFinding.Source.INSPECTION, note=note, time=time
        )
    half = attendance_rules.half_of(time) if time is not None else ""
    excused = excused_halves(cadre_ids=[cadre.pk], start=day, end=day).get(cadre.pk, {}).get(day, {})
    refusal = attendance_rules.finding_refusal(half=half, excused=excused)
    if refusal is not None:
        raise ValidationError({"date": [f"{cadre.name} {day:%Y年%m月%d日} {refusal}，不能记为缺岗。"]})
    if AbsenceFinding.objects.filter(cadre=cadre, date=day, source=AbsenceFinding.Source.INSPECTION).exists():
        raise ValidationError({"date": ["该干部当天已有检查发现的缺岗记录。"]})
    finding = AbsenceFinding.objects.create(
        cadre=cadre, village_code=cadre.team.village_id, date=day, source=AbsenceFinding.Source.INSPECTION,
        half=half, observed_at=time, status=AbsenceFinding.Status.PENDING, note=note, recorded_by=actor,
    )  # fmt: skip
    audit_record(
        actor=actor,
        action="absence_finding.create",
        obj=finding,
        after=snapshot(finding),
        region_code=finding.village_code,
    )
    return finding


# --- 第八条 减轻驻村干部负担, 第十一条 不得抽调驻村干部返回单位工作 ------------------------------------------


def body_name_of(user: User | AnonymousUser) -> str:
    """The demanding body a user's record names by default: their unit, or their region's committee."""
    unit = getattr(user, "unit", None) if getattr(user, "unit_id", None) else None
    if unit is not None:
        return str(unit.name)
    region = getattr(user, "region", None) if getattr(user, "region_id", None) else None
    return str(region.name) if region is not None else ""


@transaction.atomic
def demand_record(
    *,
    actor: User,
    cadre: Cadre,
    day: dt.date | None,
    kind: str,
    demanding_body: str = "",
    description: str = "",
) -> Demand:
    """第八条: a demand placed on ``cadre`` (already fetched through the actor's scope) — recorded by the
    body that places it (its name defaults to the actor's unit or region), or reported by the cadre
    themself (naming the body). Bad input is a 400 naming each field."""
    scoping.require(actor, "burden.record")
    source = rules.demand_source(actor, cadre)
    if source is None:
        raise PermissionDenied("驻村干部只能报告对本人提出的要求。")
    body = (demanding_body or "").strip() or (body_name_of(actor) if source == Demand.Source.DEMANDER else "")
    errors = rules.demand_refusals(kind=kind, day=day, body=body, today=timezone.localdate())
    if errors:
        raise ValidationError(errors)
    assert day is not None
    demand = Demand.objects.create(
        cadre=cadre,
        village_code=cadre.team.village_id,
        date=day,
        kind=kind,
        demanding_body=body[:100],
        description=description.strip()[:300],
        source=source,
        recorded_by=actor,
    )
    audit_record(
        actor=actor, action="demand.record", obj=demand, after=snapshot(demand), region_code=demand.village_code
    )
    return demand


@transaction.atomic
def unit_return_flags(*, today: dt.date | None = None) -> int:
    """The nightly job (``supervision.unit_return_flags``), 第十一条: this month's and last month's 回单位
    postings per cadre; a cadre above the profile's days flags the dispatching unit for the month (once;
    the days follow later postings). The unit's accounts and the stationing county's organization
    department are told of a new flag. Set-based: a few queries whatever the number of cadres."""
    from django.db.models import Count

    from attendance.models import Whereabouts

    today = today or timezone.localdate()
    this_month = today.replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    created: list[UnitReturnFlag] = []
    for month in (last_month, this_month):
        first, last = rules.month_bounds(month)
        profile = profile_on(last if last < today else today)
        counts = (
            Whereabouts.objects.filter(
                date__range=(first, min(last, today)), status=Whereabouts.Status.RETURNED_TO_UNIT
            )
            .values("cadre_id")
            .annotate(days=Count("date", distinct=True))
            .order_by()
        )
        over = {
            row["cadre_id"]: row["days"] for row in counts if rules.returns_flag_unit(days=row["days"], profile=profile)
        }
        if not over:
            continue
        existing = {
            f.cadre_id: f for f in UnitReturnFlag.objects.select_for_update().filter(month=month, cadre_id__in=over)
        }
        grown = [f for f in existing.values() if f.days != over[f.cadre_id]]
        for flag in grown:
            flag.days = over[flag.cadre_id]
        UnitReturnFlag.objects.bulk_update(grown, ["days"])
        cadres = Cadre.objects.filter(pk__in=[pk for pk in over if pk not in existing]).select_related("team")
        new = UnitReturnFlag.objects.bulk_create(
            [UnitReturnFlag(cadre=c, unit_id=c.unit_id, village_code=c.team.village_id, month=month, days=over[c.pk])
             for c in cadres]
        )  # fmt: skip
        audit_record_many(
            [audit_event(actor=None, action="unit_return.flag", obj=f, before=None, after=snapshot(f),
                         region_code=f.village_code) for f in new]
        )  # fmt: skip
        created.extend(new)
    if created:
        _tell_unit_return(created)
    return len(created)


def _tell_unit_return(flags: list[UnitReturnFlag]) -> None:
    units: dict[int, list[int]] = {}
    for user_id, unit_id in User.objects.filter(
        is_active=True, role=Role.UNIT, unit_id__in={f.unit_id for f in flags}
    ).values_list("pk", "unit_id"):
        units.setdefault(unit_id, []).append(user_id)
    counties: dict[str, list[int]] = {}
    for user_id, region_id in User.objects.filter(
        is_active=True, role=Role.COUNTY_ORG, region_id__in={Region.county_of(f.village_code) for f in flags}
    ).values_list("pk", "region_id"):
        counties.setdefault(str(region_id), []).append(user_id)
    names = dict(Cadre.objects.filter(pk__in=[f.cadre_id for f in flags]).values_list("pk", "name"))
    notify_many(
        Message(
            recipient_ids=[*units.get(f.unit_id, []), *counties.get(Region.county_of(f.village_code), [])],
            title=f"驻村干部{names.get(f.cadre_id, '')} {f.month:%Y年%m月} 回单位 {f.days} 天（第十一条）"[:120],
            body="派出单位不得抽调驻村干部返回单位工作。",
            url=reverse("supervision-burden") + f"?month={f.month:%Y-%m}",
        )
        for f in flags
    )
