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
from django.db.models import F, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.authentication import signed_in
from accounts.roles import Role
from cadres.models import Cadre, Region
from cadres.selectors import region_chain
from zhucun import scoping
from zhucun.audit import audit_export
from zhucun.exports.xlsx import RowCounter, write_table, xlsx_response
from zhucun.inputs import InvalidInput, PlausibleDateFormField, parse_id
from zhucun.spreadsheets import SheetError
from zhucun.views import paginate

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
                        actor=signed_in(request),
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
                result = services.household_import(actor=signed_in(request), region=region, upload=upload)
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


# --- the team's, the township's and the county's view: due, overdue, coverage by month -----------------

_STATUS_LABELS = {"overdue": "已逾期", "due": "应走访", "done": "本期已走访", "none": "无需定期走访"}
_EXPORT_HEADERS = ("村", "村代码", "户主姓名", "门牌号或户编号", "类别", "常住", "联系电话", "最近走访", "状态")


def _home_code(request: HttpRequest) -> str:
    from django.conf import settings

    scope = scoping.scope_of(request.user)
    if scope.everything:
        return str(settings.ZHUCUN_PROVINCE_CODE)
    if scope.region_prefixes:
        return scope.region_prefixes[0]
    cadre = getattr(request.user, "cadre", None) if getattr(request.user, "role", "") == Role.CADRE else None
    if cadre is not None:
        return str(cadre.team.village_id)
    raise PermissionDenied("入户走访总览供驻村工作队、乡镇和县级及以上组织部门查看。")


@login_required
def overview(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """入户走访: a village's households (its team and everyone above), or a region's villages one level
    down with the households due and overdue (township, county; city and province per child region),
    with the visits' coverage by month (ECharts, from json_script)."""
    if code is None:
        if not (scoping.can(request.user, "household.overview") or scoping.can(request.user, "household.visit")):
            raise PermissionDenied("入户走访总览供驻村工作队、乡镇和县级及以上组织部门查看。")
        return redirect("households-region", code=_home_code(request))
    region = get_object_or_404(scoping.restrict(Region.objects.all(), request.user), code=code)
    today = timezone.localdate()
    cut = selectors.cutoffs_on(today)
    status = request.GET.get("status", "")
    if status not in ("", "due", "overdue"):
        raise InvalidInput({"status": ["status 应为 due（应走访）或 overdue（已逾期）。"]})
    village = region.level == Region.Level.VILLAGE
    scoping.require(request.user, "household.view" if village else "household.overview")
    rows = selectors.place_rows(user=request.user, region=region, today=today)
    local = selectors.child_length(region) == 12  # a county, a township or a village
    listed = selectors.households(user=request.user, today=today).filter(village_code__startswith=region.code)
    if status == "overdue":
        listed = listed.filter(cut.overdue_q())
    elif status == "due" or not village:
        listed = listed.filter(cut.due_q())
    listed = listed.order_by(F("is_overdue").desc(), F("is_due").desc(), "village_code", "head_name", "id")
    if request.GET.get("export") == "xlsx" and local:
        return _export(request, region, listed, cut)
    context: dict[str, Any] = {
        "region": region,
        "chain": region_chain(region),
        "rows": rows,
        "total": selectors.totals(rows),
        "village": village,
        "local": local,
        "status": status,
        "today": today,
        "can_register": village and scoping.can(request.user, "household.register"),
        "can_import": scoping.can(request.user, "household.register"),
        "can_visit": village and _visits_here(request, rows),
    }
    if local:
        page = paginate(request, listed, per_page=50 if village else 25)
        for household in page["page_obj"]:
            household.status = cut.status(
                kind=household.kind,
                resident=household.resident,
                last_visit_on=household.last_visit_on,
                registered_on=household.registered_on,
            )
            household.status_label = _STATUS_LABELS[household.status]
        context.update(page)
        context["chart"] = selectors.coverage_by_month(user=request.user, prefix=region.code, today=today).as_chart()
    return render(request, "households/overview.html", context)


def _visits_here(request: HttpRequest, rows: list[selectors.PlaceRow]) -> bool:
    """Whether the user is a cadre in post of the team of the village shown (its only row)."""
    cadre = getattr(request.user, "cadre", None) if scoping.can(request.user, "household.visit") else None
    return (
        cadre is not None
        and cadre.status == Cadre.Status.ACTIVE
        and any(row.team_id == cadre.team_id for row in rows if row.team_id)
    )


def _export(request: HttpRequest, region: Region, listed: Any, cut: rules.Cutoffs) -> HttpResponse:
    def lines() -> Any:
        for h in listed.iterator(chunk_size=2000):
            status = cut.status(
                kind=h.kind, resident=h.resident, last_visit_on=h.last_visit_on, registered_on=h.registered_on
            )
            yield [
                h.village_name or "", h.village_code, h.head_name, h.house_number, h.get_kind_display(),
                "是" if h.resident else "否", h.phone, h.last_visit_on.isoformat() if h.last_visit_on else "",
                _STATUS_LABELS[status],
            ]  # fmt: skip

    title = f"{region.name}入户走访（{cut.today:%Y年%m月%d日}）"
    rows = RowCounter(lines())
    content = write_table(title=title, headers=_EXPORT_HEADERS, rows=rows, widths=(12, 14, 10, 14, 10, 6, 14, 12, 12))
    audit_export(
        user=request.user, kind="households.household", title=title, params=request.GET, rows=rows.count,
        filename=f"{title}.xlsx",
    )  # fmt: skip
    return xlsx_response(content, f"{title}.xlsx")


class HouseholdForm(forms.Form):
    head_name = forms.CharField(label="户主姓名", max_length=40)
    house_number = forms.CharField(label="门牌号或户编号", max_length=30, required=False)
    kind = forms.ChoiceField(label="类别", choices=Household.Kind.choices)
    resident = forms.TypedChoiceField(
        label="是否常住", choices=[("yes", "常住"), ("no", "不常住")], coerce=lambda value: value == "yes"
    )
    phone = forms.CharField(label="联系电话", max_length=20, required=False)


@login_required
def household_new(request: HttpRequest, code: str) -> HttpResponse:
    """Register one household of a village (the township or the county)."""
    region = get_object_or_404(
        scoping.restrict(Region.objects.filter(level=Region.Level.VILLAGE), request.user), code=code
    )
    scoping.require(request.user, "household.register")
    form = HouseholdForm(request.POST or None, initial={"resident": "yes"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            household = services.household_register(actor=signed_in(request), village=region, **data)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            messages.success(request, f"已登记{household}。")
            return redirect("households-region", code=region.code)
    status_code = 400 if request.method == "POST" else 200
    return render(request, "households/household_new.html", {"region": region, "form": form}, status=status_code)
