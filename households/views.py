"""Pages of households and visits (第六条7–8): the cadre's one-step visit form on the phone, the
households of a village with their due and overdue visits, the overview of a township or county
(due, overdue, coverage by month as a chart), registration and the xlsx import. Every object is
fetched through zhucun.scoping (out of scope → 404), then the role is asked (403); every change is
one service call (households/services.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from cadres.models import Cadre, Region
from zhucun import scoping
from zhucun.exports.xlsx import xlsx_response
from zhucun.inputs import PlausibleDateFormField, parse_id
from zhucun.spreadsheets import SheetError

from . import rules, selectors, services
from .imports import households_template
from .models import Household

_GUARANTEE_CHOICES = [("", "—"), ("yes", "有保障"), ("no", "未保障")]


class VisitForm(forms.Form):
    household = forms.IntegerField(label="农户", min_value=1)
    date = PlausibleDateFormField(label="走访日期", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label="走访情况", max_length=1000, required=False, widget=forms.Textarea)
    monthly_income = forms.CharField(label="当月收入（元）", max_length=40, required=False)
    education = forms.ChoiceField(label="义务教育", choices=_GUARANTEE_CHOICES, required=False)
    health = forms.ChoiceField(label="基本医疗", choices=_GUARANTEE_CHOICES, required=False)
    housing = forms.ChoiceField(label="住房安全", choices=_GUARANTEE_CHOICES, required=False)


def _acting_cadre(request: HttpRequest) -> Cadre:
    scoping.require(request.user, "household.visit")
    cadre_id = getattr(request.user, "cadre_id", None)
    cadre = Cadre.objects.select_related("team__village").filter(pk=cadre_id or 0).first()
    if cadre is None:
        raise PermissionDenied("入户走访由驻村工作队的干部记录。")
    return cadre


def _guarantee(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


@login_required
def visit_new(request: HttpRequest) -> HttpResponse:
    """The cadre's phone form (390 px), one step: pick a household (those due first), the date
    (today), what was learned, and for a poor household the month's income and the 三保障 (第六条7).
    The visit joins the day's work log; nothing else is typed."""
    cadre = _acting_cadre(request)
    village = cadre.team.village_id
    today = timezone.localdate()
    cut = selectors.cutoffs_on(today)
    rows = list(
        selectors.households(user=request.user, today=today).filter(village_code=village).order_by("head_name", "id")
    )
    groups: dict[str, list[Household]] = {"overdue": [], "due": [], "done": [], "none": []}
    for row in rows:
        status = cut.status(
            kind=row.kind, resident=row.resident, last_visit_on=row.last_visit_on, registered_on=row.registered_on
        )
        groups[status].append(row)
    chosen = parse_id(request.GET.get("household", "")) if request.method == "GET" else None
    form = VisitForm(request.POST or None, initial={"date": today.isoformat(), "household": chosen})
    status_code = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            household = next((row for row in rows if row.pk == data["household"]), None)
            if household is None:
                form.add_error("household", "请从列表中选择本村的农户。")
            else:
                try:
                    services.visit_create(
                        actor=request.user,
                        household=household,
                        day=data["date"],
                        note=data["note"],
                        monthly_income=data["monthly_income"],
                        three_guarantees={key: _guarantee(data[key]) for key, _ in rules.GUARANTEES if data[key] != ""},
                    )
                except ValidationError as error:
                    for field, problems in error.message_dict.items():
                        for problem in problems:
                            form.add_error(field if field in form.fields else None, problem)
                else:
                    messages.success(request, f"已记录对{household}的走访，已列入 {data['date']:%m月%d日} 的工作日志。")
                    return redirect(reverse("households-visit-new"))
        status_code = 400
    labels = {"overdue": "已逾期", "due": "本期应走访", "done": "本期已走访", "none": "无需定期走访"}
    return render(
        request,
        "households/visit_new.html",
        {
            "cadre": cadre,
            "form": form,
            "groups": [(labels[key], key, groups[key]) for key in labels if groups[key]],
            "chosen": form["household"].value(),
            "guarantees": [(key, label, form[key]) for key, label in rules.GUARANTEES],
            "due_count": len(groups["overdue"]) + len(groups["due"]),
        },
        status=status_code,
    )


# --- registration and the xlsx import (the township and the county) ----------------------------------


def _importable_regions(request: HttpRequest) -> list[Region]:
    """The townships of the user's own region and the villages with a team in it, for the import form
    (grants lend inspection, not registration)."""
    scope = scoping.scope_of(request.user)
    prefix = scope.region_prefixes[0] if scope.region_prefixes else ""
    return list(
        Region.objects.filter(code__startswith=prefix)
        .filter(Q(level=Region.Level.TOWNSHIP) | Q(level=Region.Level.VILLAGE, team__isnull=False))
        .order_by("code")
    )


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    """Import a village's or a township's households from xlsx; errors are shown as a table, row by
    row, and nothing is written (the roster import's behaviour, zhucun/spreadsheets.py)."""
    scoping.require(request.user, "household.register")
    context: dict[str, Any] = {"regions": _importable_regions(request), "chosen": request.GET.get("region", "")}
    status_code = 200
    if request.method == "POST":
        code = request.POST.get("region", "").strip()
        context["chosen"] = code
        region = scoping.restrict(Region.objects.all(), request.user).filter(code=code).first() if code else None
        upload = request.FILES.get("file")
        if region is None:
            context["errors"] = [{"row": 0, "column": "", "message": "请选择要导入的村或乡镇。"}]
        elif upload is None:
            context["errors"] = [{"row": 0, "column": "", "message": "请选择要上传的农户名单文件。"}]
        else:
            try:
                result = services.household_import(actor=request.user, region=region, upload=upload)
            except SheetError as exc:
                context["errors"] = [error.as_dict() for error in exc.errors]
                context["filename"] = upload.name
            else:
                context["result"] = result
                context["region"] = region
                messages.success(
                    request,
                    f"导入成功：新登记 {result.created} 户，更新 {result.updated} 户，未变 {result.unchanged} 户。",
                )
        if "errors" in context:
            status_code = 400
    return render(request, "households/import.html", context, status=status_code)


@login_required
def template_download(request: HttpRequest) -> HttpResponse:
    scoping.require(request.user, "household.register")
    return xlsx_response(households_template(), "农户名单模板.xlsx")
