"""Training pages (issue 14; 第十三条4, 第十五条3): the events in scope with the organizer's form, an
event with its attendees and the organizer's enrolment, and the department's cadres not yet trained
this year (xlsx). Objects through zhucun.scoping (out of scope → 404), then the role (403)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from accounts.authentication import signed_in
from cadres.models import Cadre
from zhucun import scoping
from zhucun.audit import audit_export
from zhucun.exports.xlsx import RowCounter, write_table, xlsx_response
from zhucun.inputs import InvalidInput, PlausibleDateFormField, parse_id, parse_year
from zhucun.views import paginate

from . import rules, selectors, services
from .models import TrainingEvent


class EventForm(forms.Form):
    title = forms.CharField(label="培训名称", max_length=100)
    kind = forms.ChoiceField(label="类别", choices=TrainingEvent.Kind.choices)
    start = PlausibleDateFormField(label="开始日期", widget=forms.DateInput(attrs={"type": "date"}))
    end = PlausibleDateFormField(label="结束日期", widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label="地点", max_length=100)


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "").strip()
    if not raw:
        return timezone.localdate().year
    year = parse_year(raw)
    if year is None or not 2015 <= year <= 2100:
        raise InvalidInput({"year": ["年度应为 2015 至 2100 之间的四位年份。"]})
    return year


def _apply_errors(form: forms.Form, error: ValidationError) -> None:
    for field, problems in error.message_dict.items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    """培训: the events the user sees (their organizer's subtree, and those their cadres attended);
    ``?cadre=`` one cadre's trainings (from the key-training ledger, 第二十三条)."""
    scoping.require(request.user, "training.view")
    can_organize = scoping.can(request.user, "training.organize") and rules.organizer_of(request.user) is not None
    form = EventForm(request.POST or None)
    status_code = 200
    if request.method == "POST":
        if not can_organize:
            raise PermissionDenied("培训由各级党委组织部门或乡镇党委举办，您的角色无权登记。")
        if form.is_valid():
            try:
                event = services.event_create(actor=signed_in(request), **form.cleaned_data)
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, f"已登记培训「{event.title}」，请登记参训人员。")
                return redirect("training-event", pk=event.pk)
        status_code = 400
    rows = selectors.events(user=request.user).order_by("-start", "-id")
    cadre = None
    raw_cadre = request.GET.get("cadre", "").strip()
    if raw_cadre:
        cadre = scoping.restrict(Cadre.objects.all(), request.user).filter(pk=parse_id(raw_cadre) or 0).first()
        if cadre is None:
            raise InvalidInput({"cadre": ["选择的干部不存在或不在您的管辖范围内。"]})
        rows = rows.filter(attendances__cadre=cadre)
    context: dict[str, Any] = {
        "form": form,
        "can_organize": can_organize,
        "cadre": cadre,
        "can_untrained": scoping.can(request.user, "training.untrained"),
    }
    context.update(paginate(request, rows))
    return render(request, "training/event_list.html", context, status=status_code)


@login_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An event, its attendees, and for its organizer the cadres it may still enrol."""
    event = get_object_or_404(selectors.events(user=request.user), pk=pk)
    scoping.require(request.user, "training.view")
    organizer = rules.organizer_of(request.user) if rules.is_organizer_of(request.user, event) else None
    if request.method == "POST":
        scoping.require(request.user, "training.organize")
        ids = [parse_id(raw) or 0 for raw in request.POST.getlist("cadres")]
        cadres = list(scoping.restrict(Cadre.objects.filter(pk__in=ids), request.user))
        try:
            if len(cadres) != len(set(ids)):
                raise ValidationError({"cadres": ["选择的干部不存在或不在您的管辖范围内。"]})
            result = services.event_enrol(actor=signed_in(request), event=event, cadres=cadres)
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        else:
            messages.success(request, f"已登记 {result.enrolled} 人参训，培训期间按公务计入驻村时间。")
        return redirect("training-event", pk=event.pk)
    attendees = selectors.attendances(user=request.user).filter(event=event).order_by("village_code", "cadre__name")
    candidates: list[Cadre] = []
    if organizer is not None:
        candidates = list(
            scoping.restrict(Cadre.objects.filter(rules.enrollable_q(organizer)), request.user)
            .exclude(trainings__event=event)
            .select_related("team__village")
            .order_by("team__village_id", "name")[:1000]
        )
    return render(
        request,
        "training/event_detail.html",
        {"event": event, "attendees": attendees, "candidates": candidates, "is_organizer": organizer is not None},
    )


@login_required
def untrained(request: HttpRequest) -> HttpResponse:
    """第十三条4 每年至少对驻村干部轮训1次: the department's cadres in post not yet in a rotation training
    this year (a county: every cadre serving in the county, 统筹轮训); xlsx export."""
    scoping.require(request.user, "training.untrained")
    year = _year(request)
    rows = selectors.untrained(user=request.user, year=year)
    if request.GET.get("export") == "xlsx":
        title = f"{year}年尚未参加轮训的驻村干部"
        lines = RowCounter(
            [c.team.village.name, c.team.village_id, c.name, c.get_role_display(), c.unit.name]
            for c in rows.iterator(chunk_size=2000)
        )
        content = write_table(
            title=title,
            headers=("驻在村", "村代码", "姓名", "职务", "派出单位"),
            rows=lines,
            widths=(14, 14, 10, 14, 24),
        )
        audit_export(
            user=request.user, kind="cadres.cadre", title=title, params=request.GET, rows=lines.count,
            filename=f"{title}.xlsx",
        )  # fmt: skip
        return xlsx_response(content, f"{title}.xlsx")
    context: dict[str, Any] = {"year": year, "years": list(range(timezone.localdate().year, 2017, -1))}
    context.update(paginate(request, rows, per_page=50))
    return render(request, "training/untrained.html", context)
