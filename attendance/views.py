"""Attendance pages: the cadre's day on the phone, the township's morning dashboard (aggregated one
level down for county, city and province), findings, work logs, the register and the public board."""

from __future__ import annotations

import datetime as dt
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Window
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.authentication import signed_in
from accounts.roles import Role
from cadres.idnumbers import mask_phone
from cadres.models import Cadre, Region
from cadres.selectors import region_chain
from zhucun import scoping
from zhucun.inputs import parse_date, parse_id, parse_month
from zhucun.policy import profile_on
from zhucun.replica import reads_from_replica
from zhucun.workcalendar import month_bounds

from . import extensions, rules, services
from .exports import attendance_register
from .models import AbsenceFinding, SignIn, Whereabouts, WorkLog, visits_prefetch
from .selectors import (
    attendance_month,
    cadre_day,
    cadre_findings,
    children_summary,
    pending_findings,
    region_today_totals,
    roll_call_of_rows,
    roll_call_today,
    uncovered_villages,
    whereabouts_board,
)
from .selectors import leave_impact as leave_impact_of


def _month_param(request: HttpRequest) -> dt.date:
    """``?month=YYYY-MM``, this month when absent; a malformed or implausible month is a 400 page."""
    return parse_month(request.GET.get("month"), default=timezone.localdate().replace(day=1))


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """/attendance/: cadres go to their day, officials to their dashboard."""
    if getattr(request.user, "role", "") == Role.CADRE:
        return redirect("attendance-today")
    return redirect("attendance-dashboard")


@login_required
def today(request: HttpRequest) -> HttpResponse:
    """The cadre's phone page: one tap to sign in, today's whereabouts, today's log."""
    cadre_id = getattr(request.user, "cadre_id", None)
    if not cadre_id:
        raise Http404
    cadre = Cadre.objects.select_related("team__village").get(pk=cadre_id)
    day = timezone.localdate()
    signin = SignIn.objects.filter(cadre=cadre, date=day).first()
    profile = profile_on(day)
    context = {
        "cadre": cadre,
        "day": day,
        "signin": signin,
        "profile": profile,
        "board": whereabouts_board(team=cadre.team, now=timezone.now()),
        "whereabouts_choices": Whereabouts.Status.choices,
        "is_leader": cadre.is_leader,
        # the day's household visits are part of its log (issue 14): shown with it, never retyped
        "logs": WorkLog.objects.filter(author=cadre).prefetch_related(visits_prefetch()).order_by("-date", "-id")[:5],
        "presence_pending": extensions.presence_pending(cadre_id=cadre.pk),
    }
    return render(request, "attendance/today.html", context)


@login_required
@require_POST
def whereabouts_post(request: HttpRequest) -> HttpResponse:
    raw = request.POST.get("cadre")
    cadre_id = parse_id(raw) if raw else getattr(request.user, "cadre_id", None)
    cadre = (
        scoping.restrict(Cadre.objects.select_related("team"), request.user).filter(pk=cadre_id).first()
        if cadre_id
        else None
    )
    if cadre is None:
        raise Http404
    try:
        services.whereabouts_post(
            actor=signed_in(request),
            cadre=cadre,
            day=timezone.localdate(),
            status=request.POST.get("status", ""),
            note=request.POST.get("note", ""),
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已公示 {cadre.name} 今天的去向。")
    return redirect("attendance-today")


@login_required
@require_POST
def work_log_post(request: HttpRequest) -> HttpResponse:
    try:
        services.work_log_create(
            actor=signed_in(request),
            day=timezone.localdate(),
            content=request.POST.get("content", ""),
            photos=list(request.FILES.getlist("photos")),
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "今天的工作日志已保存。")
    return redirect("attendance-today")


def _region_or_404(request: HttpRequest, code: str | None) -> Region:
    code = code or getattr(request.user, "region_id", None) or ""
    if not code:
        region = scoping.restrict(Region.objects.filter(level=Region.Level.PROVINCE), request.user).first()
    else:
        region = scoping.restrict(Region.objects.filter(code=code), request.user).first()
    if region is None:
        raise Http404
    return region


@login_required
@reads_from_replica
def dashboard(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """乡镇考勤看板: per cadre for a township; one level down, aggregated, for county and above."""
    region = _region_or_404(request, code)
    scoping.require(request.user, "attendance.view_dashboard")
    day = timezone.localdate()
    month = _month_param(request)
    profile = profile_on(day)
    context: dict[str, Any] = {
        "region": region,
        "chain": region_chain(region),
        "day": day,
        "month": month,
        "profile": profile,
        # the first 50 to decide, each row carrying the count of all (one query)
        "pending": list(pending_findings(user=request.user, region=region).annotate(total=Window(Count("pk")))[:50]),
        "can_decide": scoping.can(request.user, "attendance.decide_finding"),
    }
    if region.level == Region.Level.TOWNSHIP:
        rows = attendance_month(user=request.user, region=region, month=month, today=day)
        uncovered = list(uncovered_villages(user=request.user, region=region, day=day))
        # Today's figures count the cadres in post today (``row.today``); the month's rows also list those
        # who left in it. Another month's rows do not hold today: this month's are read for them.
        today_rows = rows if month == day.replace(day=1) else attendance_month(
            user=request.user, region=region, month=day, today=day
        )  # fmt: skip
        on_duty = [row for row in today_rows if row.today is not None]
        villages = {row.cadre.team.village_id for row in on_duty}
        signed_today = sum(1 for row in on_duty if row.today == rules.ROLL_PRESENT)
        context.update(
            rows=rows,
            uncovered=uncovered,
            roll_call=roll_call_of_rows(today_rows),
            stats={
                "villages": len(villages),
                "covered": len(villages) - len(uncovered),
                "cadres": len(on_duty),
                "signed_in": signed_today,
                "pending": context["pending"][0].total if context["pending"] else 0,
                "below": sum(1 for row in rows if not row.meets_25_days),
                "cannot_meet": sum(1 for row in rows if not row.can_still_meet),
            },
            heatmap=_heatmap(rows, month),  # printed with json_script: data, never markup
        )
        return render(request, "attendance/dashboard_township.html", context)
    children = children_summary(user=request.user, region=region, day=day, profile=profile)
    total = region_today_totals(children)
    context.update(
        children=children,
        total=total,
        # one level up from the township, the county still calls its cadres by name; above it, drill down
        roll_call=roll_call_today(user=request.user, region=region, day=day)
        if region.level == Region.Level.COUNTY
        else None,
        chart={  # printed with json_script: data, never markup
            "names": [child.region.name for child in children],
            "covered": [child.covered for child in children],
            "uncovered": [child.uncovered for child in children],
        },
    )
    return render(request, "attendance/dashboard_region.html", context)


_HEAT = {"present": 3, "leave": 2, "outside": 1, "absent": 0, "business": 4}
#: a day's state (``selectors.attendance_month``) as the calendar of the cadre's page says it
_DAY_LABELS = {
    "present": "在村", "business": "公务", "leave": "请假", "outside": "不在范围", "absent": "缺勤", "upcoming": "",
    "none": "不在任期",
}  # fmt: skip


@login_required
def cadre_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """A cadre's attendance, opened from the dashboards (issue 15 item 13): the month's calendar, the day
    a heat-map cell or a calendar day picks (sign-in, whereabouts, work log, findings), the findings and
    the leave history, and the phone to tap. Out of scope: 404; a role without dashboards: 403."""
    from leave.selectors import leave_requests

    cadre = (
        scoping.restrict(Cadre.objects.select_related("team__village__parent", "unit"), request.user)
        .filter(pk=pk)
        .first()
    )
    if cadre is None:
        raise Http404
    scoping.require(request.user, "attendance.view_dashboard")
    today = timezone.localdate()
    raw_day = request.GET.get("day", "").strip()
    picked = parse_date(raw_day, field="day", label="日期") if raw_day else None
    month = _month_param(request) if request.GET.get("month") or picked is None else picked.replace(day=1)
    first, last = month_bounds(month)
    day = picked if picked and first <= picked <= last else min(max(today, first), last)
    village = cadre.team.village
    rows = attendance_month(user=request.user, region=village, month=month, today=today, cadre=cadre)
    row = rows[0] if rows else None
    states = row.days if row else {}
    weeks: list[list[dict[str, Any] | None]] = []
    week: list[dict[str, Any] | None] = [None] * first.weekday()
    current = first
    while current <= last:
        state = states.get(current, "none")
        label = "尚未签到" if current == today and state == "upcoming" else _DAY_LABELS[state]
        week.append({"day": current, "state": state, "label": label, "picked": current == day})
        if len(week) == 7:
            weeks.append(week)
            week = []
        current += dt.timedelta(days=1)
    if week:
        weeks.append(week + [None] * (7 - len(week)))
    may_call = scoping.can(request.user, "cadre.view_phone")
    context = {
        "cadre": cadre,
        "chain": region_chain(village),
        "phone": cadre.phone if may_call else mask_phone(cadre.phone),
        "may_call": may_call,
        "month": first,
        "previous": (first - dt.timedelta(days=1)).replace(day=1),
        "next": last + dt.timedelta(days=1) if last < today else None,
        "weeks": weeks,
        "row": row,
        "profile": profile_on(today),
        "picked": cadre_day(cadre=cadre, day=day),
        "picked_state": _DAY_LABELS[states.get(day, "none")] if states.get(day) != "upcoming" else "",
        "findings": cadre_findings(cadre=cadre),
        # the history needs no approval steps: one query, with rows or without
        "leave": list(
            leave_requests(user=request.user).filter(cadre=cadre).prefetch_related(None).order_by("-start", "-id")[:20]
        ),
        "today": today,
    }
    return render(request, "attendance/cadre.html", context)


def _heatmap(rows: list[Any], month: dt.date) -> dict[str, Any]:
    """ECharts heat-map data: cadres × days, value 4 公务 / 3 在村 / 2 请假 / 1 不在范围 / 0 缺勤; future days
    and days out of post empty."""
    names = [f"{row.cadre.name}（{row.cadre.team.village.name}）" for row in rows]
    data = []
    for y, row in enumerate(rows):
        for day, state in row.days.items():
            if state in _HEAT:
                data.append([day.day - 1, y, _HEAT[state]])
    days = sorted({day.day for row in rows for day in row.days}) or list(range(1, 29))
    return {
        "cadres": names,
        "days": [str(d) for d in days],
        "data": data,
        "month": f"{month:%Y年%m月}",
        # a cell opens the cadre's day (issue 15 item 13): the cadre's page with ?day=<ym>-<dd>
        "ym": f"{month:%Y-%m}",
        "urls": [reverse("attendance-cadre", args=[row.cadre.pk]) for row in rows],
    }


@login_required
@require_POST
def finding_decide(request: HttpRequest, pk: int) -> HttpResponse:
    finding = scoping.restrict(AbsenceFinding.objects.select_related("cadre"), request.user).filter(pk=pk).first()
    if finding is None:
        raise Http404
    confirm = request.POST.get("decision") == "confirm"
    error = ""
    try:
        finding = services.absence_finding_decide(
            actor=signed_in(request), finding=finding, confirm=confirm, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        error = "；".join(exc.messages)
    if request.headers.get("HX-Request"):
        # The row in place and, out of band, the page's 待确认缺岗 counter for the dashboard's region.
        code = request.POST.get("region", "")
        region = scoping.restrict(Region.objects.filter(code=code), request.user).first() if code else None
        pending_count = pending_findings(user=request.user, region=region).count() if region else None
        context = {"finding": finding, "error": error, "can_decide": True, "region": region}
        return render(request, "attendance/_finding_row.html", {**context, "pending_count": pending_count})
    if error:
        messages.error(request, error)
    return redirect(request.POST.get("next") or reverse("attendance-dashboard"))


@login_required
def work_logs(request: HttpRequest) -> HttpResponse:
    """第十五条5: the township checks the teams' work logs."""
    scoping.require(request.user, "attendance.view_dashboard")
    logs = (
        scoping.restrict(WorkLog.objects.all(), request.user)
        .select_related("author", "team__village")
        .prefetch_related(visits_prefetch())
        .order_by("checked_at", "-date", "-id")[:100]
    )
    return render(
        request,
        "attendance/work_logs.html",
        {"logs": logs, "can_check": scoping.can(request.user, "attendance.check_work_log")},
    )


@login_required
@require_POST
def work_log_check(request: HttpRequest, pk: int) -> HttpResponse:
    log = scoping.restrict(WorkLog.objects.all(), request.user).filter(pk=pk).first()
    if log is None:
        raise Http404
    services.work_log_check(actor=signed_in(request), log=log)
    messages.success(request, "已标记为已检查。")
    return redirect("attendance-work-logs")


@login_required
def leave_impact(request: HttpRequest, pk: int) -> HttpResponse:
    """The fragment the leave panel loads (composed in the page: leave does not import attendance): what
    a pending leave would do to its applicant's month and to the village's daily coverage (第五条,
    第十九条2). Whoever may see the request may see it; out of scope is 404."""
    from leave.selectors import leave_requests

    leave = leave_requests(user=request.user).filter(pk=pk).first()
    if leave is None:
        raise Http404("未找到该请假申请，或它不在您的管辖范围内。")
    impact = leave_impact_of(request=leave, today=timezone.localdate())
    return render(request, "attendance/_leave_impact.html", {"impact": impact, "warnings": impact.warnings()})


@login_required
@reads_from_replica
def register_export(request: HttpRequest, code: str) -> HttpResponse:
    region = _region_or_404(request, code)
    scoping.require(request.user, "attendance.export")
    return attendance_register(user=request.user, region=region, month=_month_param(request))


def public_village(request: HttpRequest, code: str) -> HttpResponse:
    """第十九条3 去向公示牌 on a public page (no login): names and whereabouts only — never
    coordinates, phone numbers or ID numbers."""
    team = scoping.public_team(code)
    if team is None:
        raise Http404
    day = timezone.localdate()
    return render(
        request,
        "attendance/public_village.html",
        {
            "team": team,
            "day": day,
            "board": whereabouts_board(team=team, now=timezone.now()),
            "tasks": extensions.public_tasks(team=team, year=day.year),
        },
    )


def public_poster(request: HttpRequest, code: str) -> HttpResponse:
    """A printable A4 poster with a QR code leading back to the public page."""
    team = scoping.public_team(code)
    if team is None:
        raise Http404
    url = request.build_absolute_uri(reverse("public-village", args=[code]))
    # An <img> of a data URI, not inline SVG markup: safe by construction, whatever the URL holds. No
    # width and height but a viewBox (omitsize), so every renderer scales it to the poster's 45 mm box
    # rather than cutting a 246 px drawing to one corner (issue 15 item 1).
    qr_uri = segno.make(url, error="m").svg_data_uri(scale=6, omitsize=True)
    day = timezone.localdate()
    return render(
        request,
        "attendance/public_poster.html",
        {
            "team": team,
            "url": url,
            "qr_uri": qr_uri,
            "day": day,
            "board": whereabouts_board(team=team, now=timezone.now()),
            "tasks": extensions.public_tasks(team=team, year=day.year),
        },
    )
