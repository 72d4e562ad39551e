"""Writes of leave (第十九条2, 第二十九条). Each service is atomic: it validates, writes, records the audit
event in the same transaction, and notifies (notification rows commit with the change).

Decisions lock the request row (``select_for_update``) and re-check, under the lock, that it is still
pending at the step the caller answers for: of two racing approvers exactly one wins, the other gets
``Conflict`` (409) and nothing changes (API.md "Leave").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from cadres.models import Cadre
from zhucun import scoping, workcalendar
from zhucun.api.errors import Conflict
from zhucun.audit import audit_event, audit_record, audit_record_many, snapshot, update_audited
from zhucun.notifications import notify
from zhucun.policy import PolicyProfile, profile_on

from . import policies
from .models import Half, LeaveRequest, LeaveStep, OfficialBusiness
from .selectors import applicant_user_ids, approver_user_ids, recipients

_STEP_FIELDS = ("status", "decided_by", "decided_at", "comment")


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _detail_url(request: LeaveRequest) -> str:
    return reverse("leave-detail", args=[request.pk])


def _step_deadline(received_at: dt.datetime, profile: PolicyProfile) -> dt.datetime:
    return workcalendar.due_at(received_at, profile.office_hours, profile.approval_deadline_office_hours)


def _available_team_leader(cadre: Cadre, today: dt.date) -> Cadre | None:
    """The 队长 who can answer a member's short leave: an active leader of the applicant's team, not
    the applicant, with an active account, and not on approved leave today. None sends the request to
    the township (docs/decisions/0007-leave-routing-edge-cases.md). One query."""
    on_leave = LeaveRequest.objects.filter(
        cadre_id=OuterRef("pk"), status__in=LeaveRequest.GRANTED, start__lte=today, end__gte=today
    )
    return (
        Cadre.objects.filter(
            team_id=cadre.team_id,
            role__in=policies.TEAM_LEADER_ROLES,
            status=Cadre.Status.ACTIVE,
            account__isnull=False,
            account__is_active=True,
        )
        .exclude(pk=cadre.pk)
        .exclude(Exists(on_leave))
        .order_by("role", "pk")  # first_secretary_leader before leader, then the oldest record
        .first()
    )


def _route(*, cadre: Cadre, kind: str, days: Decimal, today: dt.date) -> tuple[tuple[str, ...], Cadre | None]:
    """The approving bodies of the cadre's leave (``policies.approval_chain``) and the 队长 who answers
    a member's short leave, if one can."""
    leader = None
    if kind not in (LeaveRequest.Kind.ANNUAL, LeaveRequest.Kind.BUSINESS) and cadre.role not in policies.LEADING_ROLES:
        leader = _available_team_leader(cadre, today)
    chain = policies.approval_chain(
        applicant_role=cadre.role,
        kind=kind,
        days=days,
        profile=profile_on(today),
        team_leader_available=leader is not None,
    )
    return chain, leader


#: How far ahead a leave may be requested: a start in 2200 or 9999 is a typo, not a plan (issue 10
#: item 8). A leave is asked for when it is known; a year covers any planned rotation or training.
LEAVE_REQUEST_HORIZON = dt.timedelta(days=366)


def _validate_dates(
    *, kind: str, start: dt.date, start_half: str, end: dt.date, end_half: str, reason: str, today: dt.date
) -> None:
    errors: dict[str, list[str]] = {}
    if kind not in LeaveRequest.Kind.values:
        errors["kind"] = ["请选择假别：事假、病假、带薪年休假、轮休、其他或公务外出。"]
    if start_half not in Half.values:
        errors["start_half"] = ["开始时间请选择上午或下午。"]
    if end_half not in Half.values:
        errors["end_half"] = ["结束时间请选择上午或下午。"]
    if start < today:
        errors["start"] = ["开始日期不能早于今天。已经发生的离岗请向乡镇党委说明情况。"]
    elif start > today + LEAVE_REQUEST_HORIZON:
        errors["start"] = ["开始日期不能晚于一年以后，请核对年份。"]
    if end < start or (end == start and start_half == Half.PM and end_half == Half.AM):
        errors["end"] = ["结束时间不能早于开始时间，请检查日期和上午/下午。"]
    elif end - start > dt.timedelta(days=365):
        errors["end"] = ["一次请假不能超过一年，请核对结束日期。"]
    if not reason.strip():
        errors["reason"] = ["请填写请假事由。"]
    if errors:
        raise ValidationError(errors)


def _check_no_overlap(*, cadre: Cadre, start: dt.date, start_half: str, end: dt.date, end_half: str) -> None:
    first, after_last = policies.leave_slots(start, start_half, end, end_half)
    nearby = LeaveRequest.objects.filter(
        cadre=cadre, status__in=LeaveRequest.BLOCKING, start__lte=end, end__gte=start
    ).only("start", "start_half", "end", "end_half", "status")
    for other in nearby:
        other_first, other_after = policies.leave_slots(other.start, other.start_half, other.end, other.end_half)
        if other_first < after_last and first < other_after:
            raise ValidationError(
                {
                    "start": [
                        f"与您{other.get_status_display()}的请假（{other.period_text}）时间重叠，"
                        "请调整日期，或先撤回原申请。"
                    ]
                }
            )


def _check_leader_files_trip(*, actor: User, cadre: Cadre, kind: str) -> None:
    leader = actor.cadre
    if kind != LeaveRequest.Kind.BUSINESS:
        raise PermissionDenied("请假须由本人申请；队长只能为队员申请公务外出。")
    if leader is None or not leader.is_leader or leader.team_id != cadre.team_id:
        raise PermissionDenied("只有本队队长可以为队员申请公务外出。")


@transaction.atomic
def leave_request_create(
    *,
    actor: User,
    kind: str,
    start: dt.date,
    start_half: str,
    end: dt.date,
    end_half: str,
    reason: str,
    cadre_id: int | None = None,
    now: dt.datetime | None = None,
) -> LeaveRequest:
    """A cadre asks for leave (第十九条2: 请假销假通过数据平台操作). The approval chain is decided by
    ``leave.policies.approval_chain`` and the first approver's half-day clock starts now.

    A team leader may ask for a member's official trip (公务外出, ``cadre_id``): the leader organizes
    the team's work; leave stays the member's own to ask for (docs/decisions/0077)."""
    scoping.require(actor, "leave.request")
    now = _now(now)
    today = timezone.localdate(now)
    reason = (reason or "").strip()
    _validate_dates(
        kind=kind, start=start, start_half=start_half, end=end, end_half=end_half, reason=reason, today=today
    )
    for_member = cadre_id is not None and cadre_id != actor.cadre_id
    if for_member:
        # A cadre sees their own team only: anyone else is "not found", like any out-of-scope reference.
        member = scoping.restrict(Cadre.objects.all(), actor).filter(pk=cadre_id).first()
        if member is None:
            raise ValidationError({"cadre_id": ["驻村干部不存在或不是本队队员。"]})
        _check_leader_files_trip(actor=actor, cadre=member, kind=kind)
    # Lock the applicant so two simultaneous requests cannot both pass the overlap check.
    cadre = Cadre.objects.select_for_update().select_related("team").get(pk=cadre_id if for_member else actor.cadre_id)
    if cadre.status != Cadre.Status.ACTIVE:
        raise ValidationError({"detail": ["您当前不在驻村岗位上，无需请假。如有疑问请联系县驻村工作办公室。"]})
    _check_no_overlap(cadre=cadre, start=start, start_half=start_half, end=end, end_half=end_half)

    profile = profile_on(today)
    days = policies.leave_days(start, start_half, end, end_half)
    chain, leader = _route(cadre=cadre, kind=kind, days=days, today=today)
    if for_member:
        leader = actor.cadre  # no step of theirs: the key by which the filing leader follows the request
    request = LeaveRequest.objects.create(
        cadre=cadre,
        village_code=cadre.team.village_id,
        unit_id=cadre.unit_id,
        team_leader=leader if policies.TEAM_LEADER in chain or for_member else None,
        kind=kind,
        start=start,
        start_half=start_half,
        end=end,
        end_half=end_half,
        days=days,
        reason=reason,
    )
    LeaveStep.objects.bulk_create(
        [
            LeaveStep(
                request=request,
                position=position,
                approver=approver,
                status=LeaveStep.Status.PENDING if position == 0 else LeaveStep.Status.WAITING,
                received_at=now if position == 0 else None,
                due_at=_step_deadline(now, profile) if position == 0 else None,
            )
            for position, approver in enumerate(chain)
        ]
    )
    audit_record(
        actor=actor,
        action="leave.request_create",
        obj=request,
        after={**snapshot(request), "chain": list(chain)},
        region_code=request.village_code,
    )
    notify(
        recipient_ids=approver_user_ids(request=request, approver=chain[0]),
        title=f"{cadre.name}申请{request.get_kind_display()}（{request.period_label}），请在半日内答复",
        url=_detail_url(request),
        urgent=True,  # the half-day answer (第十九条2; decision 0151)
    )
    return request


@dataclasses.dataclass(frozen=True)
class LeavePreview:
    """What a leave request would be before it is made: its days and who approves it, in order."""

    days: Decimal
    #: the approving bodies (``policies.approval_chain``)
    chain: tuple[str, ...]
    #: each body as the applicant knows it: 甲一镇党委, 甲县驻村工作办公室, 驻村工作队队长 张三
    approvers: tuple[str, ...]


def _body_label(body: str, cadre: Cadre, leader: Cadre | None) -> str:
    township = cadre.team.village.parent
    county = township.parent if township else None
    if body == policies.TEAM_LEADER:
        return f"驻村工作队队长 {leader.name}" if leader else "驻村工作队队长"
    if body == policies.TOWNSHIP:
        return f"{township.name}党委" if township else "乡镇党委"
    if body == policies.COUNTY_OFFICE:
        return f"{county.name}驻村工作办公室" if county else "县驻村工作办公室"
    return f"{cadre.unit.name}组织人事部门"


def leave_request_preview(
    *,
    actor: User,
    kind: str,
    start: dt.date,
    start_half: str,
    end: dt.date,
    end_half: str,
    now: dt.datetime | None = None,
) -> LeavePreview:
    """``leave_request_create`` without the writing: the same checks of the dates (the reason is not
    asked yet) and the same routing, for the form to show the days and the approvers before the cadre
    submits (issue 15 item 9). Reads only."""
    scoping.require(actor, "leave.request")
    today = timezone.localdate(_now(now))
    _validate_dates(kind=kind, start=start, start_half=start_half, end=end, end_half=end_half, reason="-", today=today)
    cadre = Cadre.objects.select_related("team__village__parent__parent", "unit").get(pk=actor.cadre_id)
    days = policies.leave_days(start, start_half, end, end_half)
    chain, leader = _route(cadre=cadre, kind=kind, days=days, today=today)
    return LeavePreview(days=days, chain=chain, approvers=tuple(_body_label(body, cadre, leader) for body in chain))


def _locked_request(*, actor: User, request_id: int) -> LeaveRequest:
    """The request, fetched through the caller's scope (out of scope → 404) and locked for the rest of
    the transaction, so concurrent decisions on it run one after the other."""
    request = scoping.restrict(LeaveRequest.objects.all(), actor).select_for_update().filter(pk=request_id).first()
    if request is None:
        raise Http404("未找到该请假申请，或它不在您的管辖范围内。")
    return request


def _pending_step_for_decision(*, actor: User, request: LeaveRequest) -> tuple[LeaveStep, list[LeaveStep]]:
    """The pending step the actor answers for, and the steps after it.

    In scope but answering for no step of this request → 403; answering for a later step the request
    has not reached yet → 403 (第十九条2: the leader's leave needs the township's consent first); the
    actor's turn is over — decided (a racing approver won), rejected or withdrawn → 409.
    """
    steps = list(request.steps.all().order_by("position"))
    mine = [step for step in steps if policies.may_decide(actor, request, step.approver)]
    if not mine:
        raise PermissionDenied("您不是这份请假申请的审批人。")
    current = next((step for step in steps if step.status == LeaveStep.Status.PENDING), None)
    if request.status == LeaveRequest.Status.PENDING and current is not None:
        if any(step.pk == current.pk for step in mine):
            return current, [step for step in steps if step.position > current.position]
        if any(step.status == LeaveStep.Status.WAITING for step in mine):
            raise PermissionDenied(f"这份申请正在等待{current.get_approver_display()}审批，尚未轮到您。")
    raise Conflict("这份请假申请已由他人处理或已撤回，当前不需要您审批。请刷新后查看最新状态。")


def _decide_step(*, actor: User, step: LeaveStep, status: str, comment: str, now: dt.datetime) -> dict[str, Any]:
    before = snapshot(step, _STEP_FIELDS)
    step.status = status
    step.decided_by = actor
    step.decided_at = now
    step.comment = comment
    step.save(update_fields=["status", "decided_by", "decided_at", "comment"])
    return before


def _checked_comment(comment: str | None) -> str:
    """The approver's comment, stripped; longer than the column holds is a 400, not a database error."""
    comment = (comment or "").strip()
    limit = LeaveStep._meta.get_field("comment").max_length or 500
    if len(comment) > limit:
        raise ValidationError({"comment": [f"审批意见不超过 {limit} 字，请精简后再提交。"]})
    return comment


@transaction.atomic
def leave_request_approve(
    *, actor: User, request_id: int, comment: str = "", now: dt.datetime | None = None
) -> LeaveRequest:
    """The current step's approver agrees (第十九条2, 第二十九条). The next approver receives the
    request and its half-day clock starts; after the last step the leave is approved."""
    now = _now(now)
    request = _locked_request(actor=actor, request_id=request_id)
    step, later = _pending_step_for_decision(actor=actor, request=request)
    comment = _checked_comment(comment)
    before = _decide_step(actor=actor, step=step, status=LeaveStep.Status.APPROVED, comment=comment, now=now)
    audit_record(
        actor=actor,
        action="leave.step_approve",
        obj=step,
        before=before,
        after=snapshot(step, _STEP_FIELDS),
        region_code=request.village_code,
    )
    if later:
        following = later[0]
        following.status = LeaveStep.Status.PENDING
        following.received_at = now
        following.due_at = _step_deadline(now, profile_on(timezone.localdate(now)))
        following.save(update_fields=["status", "received_at", "due_at"])
        notify(
            recipient_ids=approver_user_ids(request=request, approver=following.approver),
            title=f"{request.cadre.name}的请假（{request.period_label}）待您审批，请在半日内答复",
            url=_detail_url(request),
            urgent=True,
        )
        return request
    update_audited(
        actor=actor,
        action="leave.request_approve",
        obj=request,
        changes={"status": LeaveRequest.Status.APPROVED, "decided_at": now},
        region_code=request.village_code,
    )
    if request.kind == LeaveRequest.Kind.BUSINESS:
        _official_business_create(
            actor=actor,
            cadre=request.cadre,
            kind=OfficialBusiness.Kind.TRIP,
            title=request.reason[:200],
            span=(request.start, request.start_half, request.end, request.end_half),
            source=OfficialBusiness.Source.LEAVE_REQUEST,
            request=request,
            now=now,
        )
    notify(
        recipient_ids=applicant_user_ids(request=request),
        title=f"您的请假（{request.period_text}）已批准，返岗后请及时销假",
        url=_detail_url(request),
        urgent=True,  # the cadre may leave on it: the answer the half-day rule exists for
    )
    return request


def _skip_later(later: list[LeaveStep]) -> None:
    ids = [step.pk for step in later if step.status in (LeaveStep.Status.WAITING, LeaveStep.Status.PENDING)]
    if ids:
        LeaveStep.objects.filter(pk__in=ids).update(status=LeaveStep.Status.SKIPPED)


@transaction.atomic
def leave_request_reject(*, actor: User, request_id: int, comment: str, now: dt.datetime | None = None) -> LeaveRequest:
    """The current step's approver refuses, with a reason the applicant reads; the chain ends."""
    comment = _checked_comment(comment)
    now = _now(now)
    request = _locked_request(actor=actor, request_id=request_id)
    step, later = _pending_step_for_decision(actor=actor, request=request)
    if not comment:
        raise ValidationError({"comment": ["驳回时请填写理由，申请人会看到它。"]})
    before = _decide_step(actor=actor, step=step, status=LeaveStep.Status.REJECTED, comment=comment, now=now)
    _skip_later(later)
    request.status = LeaveRequest.Status.REJECTED
    request.decided_at = now
    request.save(update_fields=["status", "decided_at"])
    audit_record(
        actor=actor,
        action="leave.step_reject",
        obj=step,
        before=before,
        after=snapshot(step, _STEP_FIELDS),
        region_code=request.village_code,
    )
    notify(
        recipient_ids=applicant_user_ids(request=request),
        title=f"您的请假（{request.period_text}）未获批准",
        body=comment,
        url=_detail_url(request),
        urgent=True,
    )
    return request


@transaction.atomic
def leave_requests_reject_many(
    *, actor: User, request_ids: list[int], comment: str, now: dt.datetime | None = None
) -> list[LeaveRequest]:
    """The inbox's 批量驳回: every ticked request refused with one reason, all or none (decision 0165).
    Each is ``leave_request_reject`` — the same checks, audit event and notice — inside one
    transaction: one out of scope (404), not the actor's to decide (403) or already decided by someone
    else (409, a racing approver) undoes the others, so the official sees the list as it now stands."""
    comment = _checked_comment(comment)
    if not comment:
        raise ValidationError({"comment": ["批量驳回时请填写理由，每位申请人都会看到它。"]})
    ids = list(dict.fromkeys(request_ids))
    if not ids:
        raise ValidationError({"ids": ["请先勾选要驳回的申请。"]})
    return [
        leave_request_reject(actor=actor, request_id=request_id, comment=comment, now=now)
        for request_id in sorted(ids)  # one lock order: two officials' batches cannot deadlock
    ]


def _locked_own_request(*, actor: User, request_id: int) -> LeaveRequest:
    """The request, if the actor is its applicant — or the team leader who asked for a member's trip."""
    request = _locked_request(actor=actor, request_id=request_id)
    mine = getattr(actor, "cadre_id", None)
    filed = request.kind == LeaveRequest.Kind.BUSINESS and mine is not None and mine == request.team_leader_id
    if mine != request.cadre_id and not filed:
        raise PermissionDenied("只有申请人本人可以撤回、取消或销假。")
    return request


@transaction.atomic
def leave_request_withdraw(*, actor: User, request_id: int, now: dt.datetime | None = None) -> LeaveRequest:
    """The applicant withdraws a request that is still pending; the approvers are told."""
    now = _now(now)
    request = _locked_own_request(actor=actor, request_id=request_id)
    if request.status != LeaveRequest.Status.PENDING:
        raise Conflict(f"这份请假申请{request.get_status_display()}，不能再撤回。")
    steps = list(request.steps.filter(status__in=[LeaveStep.Status.PENDING, LeaveStep.Status.WAITING]))
    current = next((step for step in steps if step.status == LeaveStep.Status.PENDING), None)
    _skip_later(steps)
    update_audited(
        actor=actor,
        action="leave.request_withdraw",
        obj=request,
        changes={"status": LeaveRequest.Status.WITHDRAWN, "decided_at": now},
        region_code=request.village_code,
    )
    if current is not None:
        notify(
            recipient_ids=approver_user_ids(request=request, approver=current.approver),
            title=f"{request.cadre.name}已撤回请假申请（{request.period_text}）",
            url=_detail_url(request),
        )
    return request


@transaction.atomic
def leave_request_report_back(*, actor: User, request_id: int, now: dt.datetime | None = None) -> LeaveRequest:
    """销假 (第十九条2: 驻村干部请假期满后，应及时销假): the applicant is back in the village. Allowed from
    the first day of an approved leave; reporting back early ends the leave that day."""
    now = _now(now)
    request = _locked_own_request(actor=actor, request_id=request_id)
    if request.status != LeaveRequest.Status.APPROVED:
        raise Conflict(f"这份请假申请{request.get_status_display()}，不需要销假。")
    if timezone.localdate(now) < request.start:
        raise ValidationError({"detail": ["请假尚未开始，不能销假。如不再需要请假，请联系审批人。"]})
    update_audited(
        actor=actor,
        action="leave.request_report_back",
        obj=request,
        changes={"status": LeaveRequest.Status.REPORTED_BACK, "reported_back_at": now},
        region_code=request.village_code,
    )
    business = OfficialBusiness.objects.filter(request=request, cancelled_at__isnull=True).first()
    if business is not None:  # back early from a trip: its later halves are no longer official business
        update_audited(
            actor=actor,
            action="official_business.end",
            obj=business,
            changes={"ended_at": now},
            region_code=business.village_code,
        )
    return request


@transaction.atomic
def leave_request_cancel(*, actor: User, request_id: int, now: dt.datetime | None = None) -> LeaveRequest:
    """The applicant no longer needs an approved leave and cancels it before it starts (第十九条2;
    decision 0076). It then excuses nothing and blocks nothing; the approvers who agreed are told. Once
    the leave has started, the cadre reports back (销假) instead."""
    now = _now(now)
    request = _locked_own_request(actor=actor, request_id=request_id)
    if request.status != LeaveRequest.Status.APPROVED:
        raise Conflict(f"这份请假申请{request.get_status_display()}，不能取消。")
    if now >= request.starts_at:
        raise ValidationError({"detail": ["请假已经开始，不能取消。返岗后请销假。"]})
    update_audited(
        actor=actor,
        action="leave.request_cancel",
        obj=request,
        changes={"status": LeaveRequest.Status.CANCELLED},
        region_code=request.village_code,
    )
    business = OfficialBusiness.objects.filter(request=request, cancelled_at__isnull=True).first()
    if business is not None:
        update_audited(
            actor=actor,
            action="official_business.cancel",
            obj=business,
            changes={"cancelled_at": now},
            region_code=business.village_code,
        )
    approvers = [step.approver for step in request.steps.all() if step.status == LeaveStep.Status.APPROVED]
    told = sorted({pk for ids in recipients([(request, approver) for approver in approvers]) for pk in ids})
    notify(
        recipient_ids=told,
        title=f"{request.cadre.name}已取消已批准的请假（{request.period_text}）",
        url=_detail_url(request),
    )
    return request


# --- Official business (公务, 第十三条4; docs/decisions/0071) ---------------------------------------------


def _official_business_create(
    *,
    actor: User,
    cadre: Cadre,
    kind: str,
    title: str,
    span: tuple[dt.date, str, dt.date, str],
    source: str,
    now: dt.datetime,
    request: LeaveRequest | None = None,
    source_ref: str = "",
) -> OfficialBusiness:
    start, start_half, end, end_half = span
    business = OfficialBusiness.objects.create(
        cadre=cadre,
        village_code=cadre.team.village_id,
        kind=kind,
        title=title,
        start=start,
        start_half=start_half,
        end=end,
        end_half=end_half,
        source=source,
        request=request,
        source_ref=source_ref,
        approved_by=actor,
        approved_at=now,
    )
    audit_record(
        actor=actor,
        action="official_business.record",
        obj=business,
        after=snapshot(business),
        region_code=business.village_code,
    )
    return business


@transaction.atomic
def official_business_record(
    *,
    actor: User,
    cadre: Cadre,
    kind: str,
    start: dt.date,
    end: dt.date,
    title: str,
    start_half: str = Half.AM,
    end_half: str = Half.PM,
    source: str = OfficialBusiness.Source.RECORDED,
    source_ref: str = "",
    now: dt.datetime | None = None,
) -> OfficialBusiness:
    """The body that calls a cadre away records it: training the organization department requires
    (第十三条4), a meeting it or the township calls (第十三条7, 第十五条3). Training events (issue 14) call
    this with ``source="training_event"`` and their id in ``source_ref``. The cadre must be in the
    recorder's scope (else 404); trips are asked for through a ``business`` leave request instead."""
    scoping.require(actor, "leave.record_official_business")
    if not scoping.restrict(Cadre.objects.filter(pk=cadre.pk), actor).exists():
        raise Http404("未找到该驻村干部，或其不在您的管辖范围内。")
    now = _now(now)
    title = (title or "").strip()
    errors: dict[str, list[str]] = {}
    if kind not in (OfficialBusiness.Kind.TRAINING, OfficialBusiness.Kind.MEETING):
        errors["kind"] = ["类别应为 training（培训）或 meeting（会议）；公务外出请通过请假申请（公务外出）报批。"]
    if source not in (OfficialBusiness.Source.RECORDED, OfficialBusiness.Source.TRAINING_EVENT):
        errors["source"] = ["来源应为 recorded（组织部门登记）或 training_event（培训安排）。"]
    if start_half not in Half.values or end_half not in Half.values:
        errors["start_half"] = ["时段请选择上午或下午。"]
    elif end < start or (end == start and start_half == Half.PM and end_half == Half.AM):
        errors["end"] = ["结束时间不能早于开始时间，请检查日期和上午/下午。"]
    elif end - start > dt.timedelta(days=366):
        errors["end"] = ["一次公务不能超过一年，请核对结束日期。"]
    if not title:
        errors["title"] = ["请填写事项，例如「全县驻村干部轮训」。"]
    if errors:
        raise ValidationError(errors)
    return _official_business_create(
        actor=actor,
        cadre=Cadre.objects.select_related("team").get(pk=cadre.pk),
        kind=kind,
        title=title[:200],
        span=(start, start_half, end, end_half),
        source=source,
        source_ref=source_ref[:64],
        now=now,
    )


@transaction.atomic
def official_business_record_many(
    *,
    actor: User,
    cadres: list[Cadre],
    kind: str,
    start: dt.date,
    end: dt.date,
    title: str,
    source: str,
    source_ref: str,
    now: dt.datetime | None = None,
) -> list[OfficialBusiness]:
    """Many cadres called to one training or meeting (issue 14's training events): the rows and their
    audit events in bulk, a fixed number of queries whatever the number of cadres. The caller has
    fetched the cadres through its own scope and checked who may call them; each row is a whole-day
    span like ``official_business_record``'s default."""
    now = _now(now)
    rows = OfficialBusiness.objects.bulk_create(
        [
            OfficialBusiness(
                cadre=cadre,
                village_code=cadre.team.village_id,
                kind=kind,
                title=title[:200],
                start=start,
                start_half=Half.AM,
                end=end,
                end_half=Half.PM,
                source=source,
                source_ref=source_ref[:64],
                approved_by=actor,
                approved_at=now,
            )
            for cadre in cadres
        ],
        batch_size=1000,
    )
    audit_record_many(
        [
            audit_event(
                actor=actor,
                action="official_business.record",
                obj=row,
                before=None,
                after=snapshot(row),
                region_code=row.village_code,
            )
            for row in rows
        ]
    )
    return rows


@transaction.atomic
def official_business_cancel(
    *, actor: User, business_id: int, reason: str, now: dt.datetime | None = None
) -> OfficialBusiness:
    """A recorded training or meeting that will not take place (or not for this cadre) is cancelled by
    the recording bodies; it then excuses nothing. An approved trip is cancelled by its applicant."""
    scoping.require(actor, "leave.record_official_business")
    business = (
        scoping.restrict(OfficialBusiness.objects.all(), actor).select_for_update().filter(pk=business_id).first()
    )
    if business is None:
        raise Http404("未找到该公务记录，或它不在您的管辖范围内。")
    if business.request_id is not None:
        raise ValidationError({"detail": ["公务外出申请由申请人取消或销假，不能在此取消。"]})
    if business.cancelled_at is not None:
        raise Conflict("该公务记录已取消。")
    if not (reason or "").strip():
        raise ValidationError({"reason": ["请填写取消理由。"]})
    update_audited(
        actor=actor,
        action="official_business.cancel",
        obj=business,
        changes={"cancelled_at": _now(now), "cancel_reason": reason.strip()[:300]},
        region_code=business.village_code,
    )
    return business


# --- Jobs: deadline reminders, escalations, missing 销假 (called by leave/tasks.py) -------------------

#: how long before its deadline an approver is reminded
REMIND_BEFORE = dt.timedelta(hours=1)


@transaction.atomic
def leave_steps_remind(*, now: dt.datetime | None = None) -> int:
    """Remind approvers of steps due within the hour (once: ``reminded_at``). Returns how many."""
    now = _now(now)
    steps = list(
        LeaveStep.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("request__cadre", "request__unit")
        .filter(
            status=LeaveStep.Status.PENDING,
            reminded_at__isnull=True,
            due_at__gt=now,
            due_at__lte=now + REMIND_BEFORE,
        )
    )
    to_notify = recipients([(step.request, step.approver) for step in steps])
    for step, recipient_ids in zip(steps, to_notify, strict=True):
        notify(
            recipient_ids=recipient_ids,
            title=f"{step.request.cadre.name}的请假申请将于{_local_time(step.due_at)}到期，请及时答复",
            url=_detail_url(step.request),
            urgent=True,
        )
    LeaveStep.objects.filter(pk__in=[step.pk for step in steps]).update(reminded_at=now)
    return len(steps)


def _local_time(moment: dt.datetime | None) -> str:
    return f"{timezone.localtime(moment):%m月%d日 %H:%M}" if moment else ""


@transaction.atomic
def leave_steps_escalate(*, now: dt.datetime | None = None) -> int:
    """第十九条2 (半日内作出答复): a step past its deadline is reported to the approver's superior and
    the approver is told, once (``escalated_at``). The step stays with its approver. Returns how many."""
    now = _now(now)
    steps = list(
        LeaveStep.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("request__cadre", "request__unit")
        .filter(status=LeaveStep.Status.PENDING, escalated_at__isnull=True, due_at__lte=now)
    )
    pairs = []
    for step in steps:
        pairs += [(step.request, policies.superior_of(step.approver)), (step.request, step.approver)]
    to_notify = recipients(pairs)
    events = []
    for index, step in enumerate(steps):
        request = step.request
        notify(
            recipient_ids=[*to_notify[2 * index], *to_notify[2 * index + 1]],
            title=(
                f"超时未答复：{request.cadre.name}的请假申请在{step.get_approver_display()}"
                f"已超过答复期限（{_local_time(step.due_at)}）"
            ),
            url=_detail_url(request),
            urgent=True,
        )
        events.append(
            audit_event(
                actor=None,
                action="leave.step_escalate",
                obj=step,
                before=None,
                after={"superior": policies.superior_of(step.approver), "due_at": _local_time(step.due_at)},
                region_code=request.village_code,
            )
        )
    audit_record_many(events)
    LeaveStep.objects.filter(pk__in=[step.pk for step in steps]).update(escalated_at=now)
    return len(steps)


@transaction.atomic
def leave_requests_flag_missing_report_back(*, now: dt.datetime | None = None) -> int:
    """第十九条2 (请假期满后，应及时销假): an approved leave not reported back by the working day after
    it ended is flagged to the township, once (``report_back_flagged_at``). Returns how many."""
    now = _now(now)
    today = timezone.localdate(now)
    candidates = list(
        LeaveRequest.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("cadre", "unit")
        .filter(status=LeaveRequest.Status.APPROVED, report_back_flagged_at__isnull=True, end__lt=today)
    )
    due = [request for request in candidates if workcalendar.next_workday(request.end) <= today]
    to_notify = recipients([(request, policies.TOWNSHIP) for request in due])
    applicants = dict(
        User.objects.filter(cadre_id__in=[request.cadre_id for request in due], is_active=True).values_list(
            "cadre_id", "pk"
        )
    )
    for request, township_ids in zip(due, to_notify, strict=True):
        applicant = [applicants[request.cadre_id]] if request.cadre_id in applicants else []
        notify(
            recipient_ids=[*township_ids, *applicant],
            title=f"未销假：{request.cadre.name}的请假已于{request.end:%m月%d日}期满，尚未销假",
            body=_provisional_note(request.end, today),
            url=_detail_url(request),
        )
    LeaveRequest.objects.filter(pk__in=[request.pk for request in due]).update(report_back_flagged_at=now)
    return len(due)


def _provisional_note(first: dt.date, last: dt.date) -> str:
    """Said wherever a count of working days used a year whose holiday table is not published
    (docs/decisions/0085: never a silent guess)."""
    if not workcalendar.is_provisional(first, last):
        return ""
    return "当年节假日安排尚未发布，工作日暂按周一至周五计算，节假日可能被当作工作日，请核实。"


@transaction.atomic
def leave_steps_recount_deadlines(*, dates: list[dt.date], now: dt.datetime | None = None) -> int:
    """The working calendar changed on ``dates`` (zhucun/workcalendar/signals.py): recount, from its
    own receipt and on the table as it now stands, the half-day deadline (第十九条2) of every step still
    running across one of them — a deadline counted on Monday–Friday before the year's table was
    entered must not stay wrong once it is. A moved deadline still ahead is reminded again. Audited per
    step (by the system); returns how many deadlines moved."""
    if not dates:
        return 0
    now = _now(now)
    first, last = min(dates), max(dates)
    steps = list(
        LeaveStep.objects.select_for_update(of=("self",))
        .select_related("request")
        .filter(
            status=LeaveStep.Status.PENDING,
            received_at__isnull=False,
            due_at__isnull=False,
            received_at__date__lte=last,
            due_at__date__gte=first,
        )
    )
    moved, events = [], []
    for step in steps:
        if step.received_at is None or step.due_at is None:  # excluded by the filter; narrows the types
            continue
        due = _step_deadline(step.received_at, profile_on(timezone.localdate(step.received_at)))
        if due == step.due_at:
            continue
        events.append(
            audit_event(
                actor=None,
                action="leave.step_deadline_recount",
                obj=step,
                before={"due_at": timezone.localtime(step.due_at).isoformat()},
                after={
                    "due_at": timezone.localtime(due).isoformat(),
                    "calendar_dates": [day.isoformat() for day in sorted(dates)],
                },
                region_code=step.request.village_code,
            )
        )
        step.due_at = due
        if due > now:
            step.reminded_at = None
        moved.append(step)
    LeaveStep.objects.bulk_update(moved, ["due_at", "reminded_at"])
    audit_record_many(events)
    return len(moved)
