"""Pages of the working calendar (节假日与调休): the years and whether each is published, a year's
holidays and 调休 working days with forms to add, correct, delete and publish. Provincial staff only
(``calendar.manage``); every write is one service call."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from zhucun import scoping, workcalendar
from zhucun.models import WorkCalendarDay

from . import selectors, services

ACTION = services.MANAGE_ACTION


def _actor(request: HttpRequest) -> User:
    scoping.require(request.user, ACTION)
    return cast(User, request.user)  # login_required and the role check passed


def _year_or_404(year: int) -> int:
    if not services.FIRST_YEAR <= year <= services.last_enterable_year():
        raise Http404(f"只能查看{services.FIRST_YEAR}年至{services.last_enterable_year()}年的节假日安排。")
    return year


def _parse_date(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationError({"date": ["请填写日期，格式如 2027-01-01。"]}) from None


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """Every year and whether its table is published; the years staff must enter now come first."""
    _actor(request)
    today = timezone.localdate()
    return render(
        request,
        "workcalendar/overview.html",
        {
            "rows": selectors.year_rows(last_year=services.last_enterable_year(today)),
            "missing": workcalendar.years_missing(today),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def year_page(request: HttpRequest, year: int) -> HttpResponse:
    """One year's holidays and 调休 working days; POST adds a day."""
    actor = _actor(request)
    _year_or_404(year)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        post = request.POST
        try:
            day = services.work_calendar_day_add(
                actor=actor,
                date=_parse_date(post.get("date", "")),
                kind=post.get("kind", ""),
                name=post.get("name", ""),
            )
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, f"已录入 {day.date:%Y-%m-%d} {day.name}（{day.get_kind_display()}）。")
            return redirect("work-calendar-year", year=year)
    return _render_year(request, year, errors=errors)


def _render_year(request: HttpRequest, year: int, *, errors: dict[str, list[str]]) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "workcalendar/year.html",
        {
            "year": year,
            "marker": selectors.year_marker(year=year),
            "days": selectors.year_days(year=year),
            "kinds": WorkCalendarDay.Kind.choices,
            "errors": errors,
            "data": request.POST,
            "previous_year": year - 1 if year > services.FIRST_YEAR else None,
            "next_year": year + 1 if year < services.last_enterable_year(today) else None,
            "missing": [year] if year in workcalendar.years_missing(today) else [],
        },
        status=400 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def day_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct one day (its date, kind or name)."""
    actor = _actor(request)
    day = WorkCalendarDay.objects.filter(pk=pk).first()
    if day is None:
        raise Http404("未找到该日期的安排，可能已被删除。")
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        post = request.POST
        try:
            changed = services.work_calendar_day_change(
                actor=actor,
                day_id=day.pk,
                date=_parse_date(post.get("date", "")),
                kind=post.get("kind", ""),
                name=post.get("name", ""),
            )
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(
                request, f"已修改为 {changed.date:%Y-%m-%d} {changed.name}（{changed.get_kind_display()}）。"
            )
            return redirect("work-calendar-year", year=changed.date.year)
    data: Any = (
        request.POST
        if request.method == "POST"
        else {"date": f"{day.date:%Y-%m-%d}", "kind": day.kind, "name": day.name}
    )
    return render(
        request,
        "workcalendar/day_edit.html",
        {"day": day, "kinds": WorkCalendarDay.Kind.choices, "errors": errors, "data": data},
        status=400 if errors else 200,
    )


@login_required
@require_POST
def day_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    day = WorkCalendarDay.objects.filter(pk=pk).first()
    if day is None:
        raise Http404("未找到该日期的安排，可能已被删除。")
    services.work_calendar_day_delete(actor=actor, day_id=day.pk)
    messages.success(request, f"已删除 {day.date:%Y-%m-%d} {day.name}（{day.get_kind_display()}）。")
    return redirect("work-calendar-year", year=day.date.year)


@login_required
@require_POST
def year_publish(request: HttpRequest, year: int) -> HttpResponse:
    """Publish the year's table (``action=publish``) or withdraw a publication made in error (``unpublish``)."""
    actor = _actor(request)
    _year_or_404(year)
    post = request.POST
    action = post.get("action", "publish")
    try:
        if action == "unpublish":
            services.work_calendar_year_unpublish(actor=actor, year=year, note=post.get("note", ""))
            messages.success(request, f"已撤销{year}年节假日安排的发布；在重新发布之前，该年的期限标为暂定。")
        elif action == "publish":
            services.work_calendar_year_publish(
                actor=actor, year=year, source=post.get("source", ""), note=post.get("note", "")
            )
            messages.success(request, f"已发布{year}年节假日安排；该年的请假期限按此计算。")
        else:
            raise ValidationError({"action": ["操作应为发布（publish）或撤销发布（unpublish）。"]})
    except ValidationError as exc:
        return _render_year(request, year, errors=exc.message_dict)
    return redirect("work-calendar-year", year=year)
