"""Pages of leave: the approval inbox (县级请假审批, the headline page of UI.md; the same page serves the
township and the team leader), the request detail and its side panel, the cadre's phone form and
"my requests", and the leave register export. Every write is one service call."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.authentication import signed_in
from zhucun import scoping, workcalendar
from zhucun.api.errors import Conflict
from zhucun.inputs import InvalidInput, parse_date, parse_id
from zhucun.replica import reads_from_replica

from . import policies, selectors, services
from .forms import LeaveRequestForm
from .models import LeaveRequest, LeaveStep
from .templatetags.leave_labels import signer_label

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

#: UI.md: the countdown badge is green with more than 2 hours left, amber under 2 hours, red overdue
AMBER_BELOW = dt.timedelta(hours=2)


def countdown(due_at: dt.datetime | None, now: dt.datetime) -> dict[str, str]:
    """The deadline badge of a pending step: its colour and a Chinese text (剩 3小时05分 / 已超时 20分)."""
    if due_at is None:
        return {"tone": "secondary", "text": "—"}
    left = due_at - now
    minutes = int(abs(left).total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    span = f"{hours}小时{rest:02d}分" if hours else f"{rest}分钟"
    if left <= dt.timedelta(0):
        return {"tone": "overdue", "text": f"已超时 {span}"}
    return {"tone": "soon" if left < AMBER_BELOW else "ok", "text": f"剩 {span}"}


def _step_rows(request: LeaveRequest) -> list[LeaveStep]:
    return sorted(request.steps.all(), key=lambda step: step.position)


def _panel_context(user: User | AnonymousUser, request: LeaveRequest, now: dt.datetime) -> dict[str, Any]:
    steps = _step_rows(request)
    current = next((step for step in steps if step.status == LeaveStep.Status.PENDING), None)
    can_decide = current is not None and policies.may_decide(user, request, current.approver)
    glance = selectors.month_glances(cadre_ids=[request.cadre_id], day=timezone.localdate(now))[request.cadre_id]
    return {
        "leave": request,
        "steps": steps,
        "current": current,
        "countdown": countdown(current.due_at, now) if current else None,
        # counted on a year whose holiday table is not published: shown as 暂定 (decision 0085)
        "provisional": workcalendar.deadline_is_provisional(current.received_at, current.due_at) if current else False,
        "can_decide": can_decide,
        "is_applicant": getattr(user, "cadre_id", None) == request.cadre_id,
        "can_cancel": request.status == LeaveRequest.Status.APPROVED and now < request.starts_at,
        "today": timezone.localdate(now),
        "glance": glance,
    }


def _choice(value: str | None, choices: list[tuple[str, str]]) -> str:
    """A filter's value when it is one of the choices offered, else none (a stale or edited link)."""
    value = (value or "").strip()
    return value if value in {code for code, _ in choices} else ""


def _inbox_response(request: HttpRequest, *, status: int = 200) -> HttpResponse:
    now = timezone.now()
    approves = policies.approver_of(request.user)
    townships = selectors.region_choices(user=request.user, levels=["township"]) if approves else []
    search = (request.GET.get("q") or "").strip()[:40]
    township = _choice(request.GET.get("township"), townships)
    kind = _choice(request.GET.get("kind"), LeaveRequest.Kind.choices)
    paginator = Paginator(selectors.inbox(user=request.user, search=search, region=township, kind=kind), 50)
    page = paginator.get_page(request.GET.get("page"))
    rows = list(page.object_list)
    glances = selectors.month_glances(cadre_ids=[row.cadre_id for row in rows], day=timezone.localdate(now))
    items = [
        {
            "leave": row,
            "countdown": countdown(row.current_due_at, now),  # type: ignore[attr-defined]
            "provisional": workcalendar.deadline_is_provisional(row.current_received_at, row.current_due_at),  # type: ignore[attr-defined]
            "approver_label": LeaveStep.Approver(row.current_approver).label,  # type: ignore[attr-defined]
            "glance": glances.get(row.cadre_id),
        }
        for row in rows
    ]
    on_time = None
    if scoping.can(request.user, "leave.on_time"):
        on_time = selectors.on_time_rates(user=request.user, since=timezone.localdate(now) - dt.timedelta(days=90))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "leave/inbox.html",
        {
            "items": items,
            "page_obj": page,
            "paginator": paginator,
            "is_paginated": page.has_other_pages(),
            "query_string": query.urlencode(),
            "approves": approves,
            "on_time": on_time,
            "can_register": scoping.can(request.user, "leave.register"),
            "townships": townships if len(townships) > 1 else [],
            "kinds": LeaveRequest.Kind.choices,
            "search": search,
            "township": township,
            "kind": kind,
            "filtered": bool(search or township or kind),
        },
        status=status,
    )


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """Requests awaiting me, the oldest deadline first, with the applicant's month beside each;
    searchable by name, filtered by township and kind (issue 15 item 12)."""
    return _inbox_response(request)


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One request with its approval chain; from the inbox (htmx) only the side panel is rendered."""
    leave = selectors.leave_requests(user=request.user).filter(pk=pk).first()
    if leave is None:
        raise Http404("未找到该请假申请，或它不在您的管辖范围内。")
    context = _panel_context(request.user, leave, timezone.now())
    if request.headers.get("HX-Request"):
        # Opened from the inbox: on a narrow screen the panel covers the list, with a way back to it.
        return render(request, "leave/_panel.html", {**context, "in_inbox": True})
    return render(request, "leave/detail.html", context)


def _panel_response(request: HttpRequest, pk: int, *, error: str = "", done: str = "") -> HttpResponse:
    leave = selectors.leave_requests(user=request.user).get(pk=pk)
    context = {**_panel_context(request.user, leave, timezone.now()), "error": error, "done": done, "in_inbox": True}
    return render(request, "leave/_panel.html", context)


def _message_of(exc: ValidationError) -> str:
    return "；".join(exc.messages)


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or reject with a comment (第十九条2). From the inbox (htmx) the panel is re-rendered in
    place and the row leaves the table; otherwise back to the detail page with a message."""
    verdict = request.POST.get("decision")
    comment = request.POST.get("comment", "")
    service = {"approve": services.leave_request_approve, "reject": services.leave_request_reject}.get(verdict or "")
    if service is None:
        return HttpResponse("请选择批准或驳回。", status=400)
    htmx = bool(request.headers.get("HX-Request"))
    try:
        service(actor=signed_in(request), request_id=pk, comment=comment)
    except Conflict as exc:
        if htmx:
            return _panel_response(request, pk, error=str(exc.detail))
        messages.error(request, str(exc.detail))
    except ValidationError as exc:
        if htmx:
            return _panel_response(request, pk, error=_message_of(exc))
        messages.error(request, _message_of(exc))
    else:
        done = "已批准" if verdict == "approve" else "已驳回"
        if htmx:
            return _panel_response(request, pk, done=done)
        messages.success(request, f"{done}。")
    return redirect("leave-detail", pk=pk)


@login_required
@require_POST
def bulk_approve(request: HttpRequest) -> HttpResponse:
    """Approve the ticked requests, after the confirmation listing them. Each is its own transaction:
    one already decided by someone else is reported and the others still go through."""
    if not policies.approver_of(request.user):
        raise PermissionDenied("您的角色不审批请假。")
    ids = [pk for pk in map(parse_id, request.POST.getlist("ids")) if pk is not None]
    approved, refused = 0, []
    for pk in ids:
        try:
            services.leave_request_approve(
                actor=signed_in(request), request_id=pk, comment=request.POST.get("comment", "")
            )
        except (Conflict, Http404, PermissionDenied, ValidationError):
            refused.append(str(pk))
        else:
            approved += 1
    if approved:
        messages.success(request, f"已批准 {approved} 份请假申请。")
    if refused:
        messages.warning(request, f"编号 {'、'.join(refused)} 的申请已由他人处理或您无权审批，未作改动。")
    if not ids:
        messages.info(request, "请先勾选要批准的申请。")
    return redirect("leave-inbox")


@login_required
@require_POST
def bulk_reject(request: HttpRequest) -> HttpResponse:
    """Refuse the ticked requests with one reason, all or none (decision 0165). Someone else decided
    one meanwhile: nothing changes and the inbox comes back as it now stands, answered 409 with the
    reason; out of scope 404, not the official's to decide 403 (the service's answers)."""
    ids = [pk for pk in map(parse_id, request.POST.getlist("ids")) if pk is not None]
    try:
        rejected = services.leave_requests_reject_many(
            actor=signed_in(request), request_ids=ids, comment=request.POST.get("reason", "")
        )
    except Conflict as exc:
        messages.error(request, f"没有驳回任何申请：{exc.detail}")
        return _inbox_response(request, status=409)
    except ValidationError as exc:
        messages.error(request, _message_of(exc))
    else:
        messages.success(request, f"已驳回 {len(rejected)} 份请假申请，申请人会收到驳回理由。")
    return redirect("leave-inbox")


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """A cadre's own requests, newest first, with 撤回 and 销假 buttons (phone-friendly)."""
    scoping.require(request.user, "leave.request")
    cadre_id: int = getattr(request.user, "cadre_id", 0) or 0
    rows = selectors.leave_requests(user=request.user).filter(cadre_id=cadre_id)
    paginator = Paginator(rows.order_by("-start", "-id"), 20)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "leave/mine.html",
        {
            "page_obj": page,
            "paginator": paginator,
            "is_paginated": page.has_other_pages(),
            "query_string": "",
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    """The phone form for a leave request (第十九条2: 请假通过数据平台操作)."""
    scoping.require(request.user, "leave.request")
    today = timezone.localdate()
    form = LeaveRequestForm(request.POST or None, initial={"start": today, "end": today})
    if request.method == "POST" and form.is_valid():
        try:
            created = services.leave_request_create(actor=signed_in(request), **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            first = created.steps.order_by("position").first()
            messages.success(
                request,
                f"已提交请假申请（{created.period_label}），等待{first.get_approver_display() if first else ''}审批。",
            )
            return redirect("leave-detail", pk=created.pk)
    return render(request, "leave/new.html", {"form": form})


@login_required
@require_GET
def preview(request: HttpRequest) -> HttpResponse:
    """The form's live preview (htmx): the days and who will approve, as ``leave_request_create``
    would decide them — asked of the service, never worked out in the browser (issue 15 item 9)."""
    scoping.require(request.user, "leave.request")
    form = LeaveRequestForm(request.GET)
    form.is_valid()
    fields = ("kind", "start", "start_half", "end", "end_half")
    context: dict[str, Any] = {"preview": None, "errors": []}
    if all(form.cleaned_data.get(name) for name in fields):
        try:
            context["preview"] = services.leave_request_preview(
                actor=signed_in(request), **{name: form.cleaned_data[name] for name in fields}
            )
        except ValidationError as exc:
            context["errors"] = [message for field, errors in exc.message_dict.items() for message in errors]
    else:
        context["errors"] = [error for name in fields for error in form.errors.get(name, [])]
    return render(request, "leave/_preview.html", context)


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.leave_request_withdraw(actor=signed_in(request), request_id=pk)
    except Conflict as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, "已撤回请假申请。")
    return redirect("leave-detail", pk=pk)


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """The applicant cancels an approved leave before it starts (第十九条2)."""
    try:
        services.leave_request_cancel(actor=signed_in(request), request_id=pk)
    except Conflict as exc:
        messages.error(request, str(exc.detail))
    except ValidationError as exc:
        messages.error(request, _message_of(exc))
    else:
        messages.success(request, "已取消这次请假。")
    return redirect("leave-detail", pk=pk)


@login_required
@require_POST
def report_back(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.leave_request_report_back(actor=signed_in(request), request_id=pk)
    except Conflict as exc:
        messages.error(request, str(exc.detail))
    except ValidationError as exc:
        messages.error(request, _message_of(exc))
    else:
        messages.success(request, "已销假，欢迎返岗。")
    return redirect("leave-detail", pk=pk)


REGISTER_HEADERS = (
    "县",
    "乡镇",
    "村",
    "姓名",
    "职务",
    "派出单位",
    "假别",
    "开始",
    "结束",
    "天数",
    "事由",
    "状态",
    "审批经过",
    "销假时间",
)


def _register_row(leave: LeaveRequest) -> list[Any]:
    village = leave.cadre.team.village
    township = village.parent
    county = township.parent if township else None
    chain = "；".join(
        f"{step.get_approver_display()}{step.get_status_display()}"
        + (
            f"（{signer_label(step.decided_by)} {timezone.localtime(step.decided_at):%Y-%m-%d %H:%M}）"
            if step.decided_by and step.decided_at
            else ""
        )
        for step in _step_rows(leave)
    )
    back = timezone.localtime(leave.reported_back_at).strftime("%Y-%m-%d %H:%M") if leave.reported_back_at else ""
    return [
        county.name if county else "",
        township.name if township else "",
        village.name,
        leave.cadre.name,
        leave.cadre.get_role_display(),
        leave.unit.name,
        leave.get_kind_display(),
        leave.start_label,
        leave.end_label,
        float(leave.days),
        leave.reason,
        leave.get_status_display(),
        chain,
        back,
    ]


@login_required
@require_GET
@reads_from_replica
def register(request: HttpRequest) -> HttpResponse:
    """The leave register (请假销假登记) of a region and period, on screen and as xlsx
    (请假销假通过数据平台操作、留存)."""
    scoping.require(request.user, "leave.register")
    today = timezone.localdate()
    first, _ = workcalendar.month_bounds(today)
    # By default from the first of this month through every leave already asked for: requests start
    # at most LEAVE_REQUEST_HORIZON ahead, so next month's leave is never hidden (decision 0164).
    horizon = today + services.LEAVE_REQUEST_HORIZON
    # A malformed or implausible date (year 1, 9999) is a 400 page naming the field.
    start = parse_date(request.GET.get("start") or first.isoformat(), field="start", label="开始日期")
    end = parse_date(request.GET.get("end") or horizon.isoformat(), field="end", label="截止日期")
    regions = selectors.region_choices(user=request.user, levels=selectors.levels_below(request.user, 2))
    region = (request.GET.get("region") or "").strip()
    if region and region not in {code for code, _ in regions} | {getattr(request.user, "region_id", None)}:
        raise InvalidInput({"region": ["所选区划不在您的管辖范围内，请从列表中选择。"]})
    rows = selectors.register_rows(user=request.user, region=region, start=start, end=end)
    if request.GET.get("export") == "xlsx":
        from zhucun.audit import audit_export
        from zhucun.exports.xlsx import RowCounter, write_table, xlsx_response

        title = f"请假销假登记（{start:%Y-%m-%d} 至 {end:%Y-%m-%d}）"
        counted = RowCounter(_register_row(leave) for leave in rows.iterator(chunk_size=2000))
        data = write_table(
            title=title,
            headers=REGISTER_HEADERS,
            rows=counted,
            widths=(10, 12, 12, 10, 14, 24, 10, 16, 16, 8, 30, 10, 40, 18),
        )
        audit_export(
            user=request.user,
            kind="leave.leaverequest",
            title=title,
            params={"region": region, "start": start.isoformat(), "end": end.isoformat()},
            rows=counted.count,
            filename="leave-register.xlsx",
        )
        return xlsx_response(data, "leave-register.xlsx")
    paginator = Paginator(rows, 50)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "leave/register.html",
        {
            "page_obj": page,
            "paginator": paginator,
            "is_paginated": page.has_other_pages(),
            "query_string": query.urlencode(),
            "start": start,
            "end": end,
            "region": region,
            "regions": regions,
        },
    )
