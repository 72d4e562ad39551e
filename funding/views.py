"""Team funds pages: the overview one level down (county: its teams; city and province: their
counties and cities), the team ledger with the county's actions, the leader's phone form for an
expense, and receipt downloads. Every object is fetched through zhucun.scoping (out of scope → 404);
every change is one service call (funding/services.py)."""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import User
from cadres.models import Cadre, Region, Team
from cadres.selectors import region_chain
from zhucun import scoping
from zhucun.audit import audit_export
from zhucun.documents import download_response
from zhucun.exports.xlsx import xlsx_response
from zhucun.inputs import InvalidInput, parse_date, parse_id, parse_year
from zhucun.replica import reads_from_replica
from zhucun.views import paginate

from . import exports, policies, selectors, services
from .models import Category, LedgerEntry, Receipt, SourceLevel


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # login_required ran first


def _download(request: HttpRequest, content: bytes, filename: str, *, kind: str, rows: int) -> HttpResponse:
    """An xlsx leaving the system: audited (who, which scope and filters, how many rows), then sent."""
    audit_export(user=request.user, kind=kind, title=filename, params=request.GET, rows=rows, filename=filename)
    return xlsx_response(content, filename)


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "") or request.POST.get("year", "")
    today = timezone.localdate()
    year = parse_year(raw)
    if year is not None and policies.FIRST_YEAR <= year <= today.year + 1:
        return year
    return today.year


def _team(request: HttpRequest, pk: int) -> Team:
    return get_object_or_404(
        scoping.restrict(Team.objects.select_related("village__parent__parent", "unit"), request.user), pk=pk
    )


def _home_region(request: HttpRequest) -> Region:
    """Where the overview opens: the user's own region (the province for provincial staff)."""
    from django.conf import settings

    scope = scoping.scope_of(request.user)
    code = settings.ZHUCUN_PROVINCE_CODE if scope.everything else (scope.region_prefixes or ("",))[0]
    region = Region.objects.filter(code=code).first()
    if region is None:  # a unit or a cadre: no region of their own
        raise PermissionDenied("工作经费总览供县级及以上组织部门和乡镇查看；工作队的台账请从工作队页面进入。")
    return region


@login_required
@reads_from_replica
def overview(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """工作经费总览: per team for a county or township, per child region above (drill-down)."""
    region = (
        get_object_or_404(scoping.restrict(Region.objects.all(), request.user), code=code)
        if code
        else _home_region(request)
    )
    scoping.require(request.user, "funds.overview")
    if region.level == Region.Level.VILLAGE:
        raise Http404
    year = _year(request)
    data = selectors.overview(user=request.user, region=region, year=year)
    if request.GET.get("export") == "xlsx":
        scoping.require(request.user, "funds.export")
        content = exports.overview_workbook(data, child_level=selectors.child_level(region))
        return _download(
            request, content, f"{region.name}{year}年驻村工作经费.xlsx", kind="funding.fundaccount", rows=len(data.rows)
        )
    if request.GET.get("export") == "ledger":
        scoping.require(request.user, "funds.export")
        entries = selectors.region_entries(user=request.user, region=region, year=year)
        content, count = exports.region_ledger_workbook(region_name=region.name, year=year, entries=entries)
        return _download(
            request, content, f"{region.name}{year}年驻村工作经费分户账.xlsx", kind="funding.ledgerentry", rows=count
        )
    chart = {
        "labels": [label for _, label, _ in data.by_category],
        "values": [float(value) for _, _, value in data.by_category],
    }
    return render(
        request,
        "funding/overview.html",
        {
            "region": region,
            "chain": region_chain(region),
            "year": year,
            "years": list(range(timezone.localdate().year + 1, policies.FIRST_YEAR - 1, -1)),
            "data": data,
            "chart": chart,
            "child_level": selectors.child_level(region),
        },
    )


_INPUT = {"class": "form-control"}


class AllocationForm(forms.Form):
    amount = forms.DecimalField(
        label="金额（元）",
        max_digits=14,
        decimal_places=4,
        required=False,
        widget=forms.TextInput(attrs={**_INPUT, "inputmode": "decimal"}),
    )
    source_level = forms.ChoiceField(
        label="资金来源",
        choices=[("", "按派出层级"), *SourceLevel.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    is_subsidy = forms.BooleanField(
        label="省级困难县补贴", required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )
    description = forms.CharField(label="摘要", max_length=200, required=False, widget=forms.TextInput(attrs=_INPUT))


class ExpenseForm(forms.Form):
    date = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    category = forms.ChoiceField(label="支出类别", choices=Category.choices)
    amount = forms.CharField(label="金额（元）", max_length=40, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    description = forms.CharField(label="摘要", max_length=200)


class ResponsibleForm(forms.Form):
    responsible_name = forms.CharField(label="经费负责人", max_length=40, widget=forms.TextInput(attrs=_INPUT))
    responsible_phone = forms.CharField(
        label="手机号", max_length=11, required=False, widget=forms.TextInput(attrs={**_INPUT, "inputmode": "tel"})
    )


def _apply(request: HttpRequest, form: forms.Form, call: Any, done: str) -> bool:
    """Run a service with the form's data; its Chinese errors land next to the fields."""
    try:
        call()
    except ValidationError as error:
        for field, messages_ in getattr(error, "message_dict", {"__all__": error.messages}).items():
            for message in messages_:
                form.add_error(field if field in form.fields else None, message)
        return False
    messages.success(request, done)
    return True


@login_required
def ledger(request: HttpRequest, pk: int) -> HttpResponse:
    """The team's ledger for a year, with the keeper's and the leader's actions."""
    team = _team(request, pk)
    scoping.require(request.user, "funds.view")
    year = _year(request)
    keeper = policies.is_keeper(request.user, team)
    can_book = policies.may_book_expense(request.user, team)
    year_data = selectors.team_year(team=team, year=year)
    allocation_form = AllocationForm(prefix="alloc")
    responsible_form = ResponsibleForm(
        prefix="resp",
        initial={
            "responsible_name": year_data.account.responsible_name if year_data.account else "",
            "responsible_phone": year_data.account.responsible_phone if year_data.account else "",
        },
    )
    if request.method == "POST":
        scoping.require(request.user, "funds.keep")
        action = request.POST.get("action", "")
        if action == "allocate":
            allocation_form = AllocationForm(request.POST, prefix="alloc")
            if allocation_form.is_valid() and _apply(
                request,
                allocation_form,
                lambda: services.allocation_create(
                    actor=_user(request),
                    team=team,
                    year=year,
                    amount=allocation_form.cleaned_data["amount"],
                    source_level=allocation_form.cleaned_data["source_level"],
                    is_subsidy=allocation_form.cleaned_data["is_subsidy"],
                    description=allocation_form.cleaned_data["description"],
                ),
                "拨款已入账。",
            ):
                return redirect(f"{reverse('funds-ledger', args=[team.pk])}?year={year}")
        elif action == "responsible":
            responsible_form = ResponsibleForm(request.POST, prefix="resp")
            if responsible_form.is_valid() and _apply(
                request,
                responsible_form,
                lambda: services.account_set_responsible(
                    actor=_user(request),
                    team=team,
                    year=year,
                    name=responsible_form.cleaned_data["responsible_name"],
                    phone=responsible_form.cleaned_data["responsible_phone"],
                ),
                "经费负责人已更新。",
            ):
                return redirect(f"{reverse('funds-ledger', args=[team.pk])}?year={year}")
        else:
            raise Http404
    entries = list(selectors.ledger(team=team, year=year))
    if request.GET.get("export") == "xlsx":
        scoping.require(request.user, "funds.export")
        content = exports.ledger_workbook(team=team, year=year_data, entries=entries)
        filename = f"{team.village.name}驻村工作队{year}年工作经费台账.xlsx"
        return _download(request, content, filename, kind="funding.ledgerentry", rows=len(entries))
    return render(
        request,
        "funding/ledger.html",
        {
            "team": team,
            "chain": region_chain(team.village),
            "year": year,
            "years": list(range(timezone.localdate().year + 1, policies.FIRST_YEAR - 1, -1)),
            "data": year_data,
            "entries": entries,
            "keeper": keeper,
            "can_book": can_book,
            "allocation_form": allocation_form,
            "responsible_form": responsible_form,
            "waiting": [
                e for e in entries if e.kind == "expense" and not getattr(e, "reversed_by_id", None) and not _settled(e)
            ],
        },
    )


def _settled(entry: LedgerEntry) -> bool:
    return hasattr(entry, "reimbursement_item")


@login_required
@require_POST
def entry_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(scoping.restrict(LedgerEntry.objects.select_related("account"), request.user), pk=pk)
    scoping.require(request.user, "funds.keep")
    back = f"{reverse('funds-ledger', args=[entry.account.team_id])}?year={entry.account.year}"
    try:
        services.entry_reverse(actor=_user(request), entry=entry, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, "已冲销。")
    return redirect(back)


@login_required
@require_POST
def reimburse(request: HttpRequest, pk: int) -> HttpResponse:
    team = _team(request, pk)
    scoping.require(request.user, "funds.keep")
    year = _year(request)
    chosen = [parse_id(value) for value in request.POST.getlist("expenses")]
    ids = [pk for pk in chosen if pk is not None]
    raw_date = request.POST.get("date", "").strip()
    try:
        if None in chosen:
            raise ValidationError({"expenses": ["所选的支出无效，请刷新页面后重新选择。"]})
        day = parse_date(raw_date, field="date", label="报销日期") if raw_date else timezone.localdate()
        batch = services.reimbursement_create(actor=_user(request), team=team, day=day, expense_ids=ids)
    except InvalidInput as error:
        messages.error(request, str(error))
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, f"已登记报销 {batch.total:,.2f} 元（{len(ids)} 笔）。")
    return redirect(f"{reverse('funds-ledger', args=[team.pk])}?year={year}")


@login_required
def expense_new(request: HttpRequest, pk: int) -> HttpResponse:
    """The leader's phone form: one expense with a photo of its receipt."""
    team = _team(request, pk)
    scoping.require(request.user, "funds.expense")
    if not policies.may_book_expense(request.user, team):
        raise PermissionDenied("只有本队队长或县委组织部可以登记支出。")
    form = ExpenseForm(request.POST or None, initial={"date": timezone.localdate().isoformat()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _apply(
            request,
            form,
            lambda: services.expense_create(
                actor=_user(request),
                team=team,
                day=data["date"],
                category=data["category"],
                amount=data["amount"],
                description=data["description"],
                receipts=request.FILES.getlist("receipt"),
            ),
            "支出已登记。",
        ):
            return redirect(f"{reverse('funds-ledger', args=[team.pk])}?year={data['date'].year}")
    return render(
        request, "funding/expense_new.html", {"team": team, "form": form, "chain": region_chain(team.village)}
    )


@login_required
def receipt_download(request: HttpRequest, pk: int) -> FileResponse:
    """A receipt, always as a download: never rendered inline, never sniffed, sandboxed."""
    receipt = get_object_or_404(scoping.restrict(Receipt.objects.all(), request.user), pk=pk)
    scoping.require(request.user, "funds.view")
    extension = "pdf" if receipt.kind == Receipt.Kind.PDF else "jpg"
    audit_export(
        user=request.user, kind="funding.receipt", title=str(receipt), action="download.file", object_id=str(receipt.pk)
    )
    return download_response(
        receipt.file, filename=f"凭证-{receipt.entry_id}-{receipt.pk}.{extension}", kind=receipt.kind
    )


# --- 第二十八条: accident insurance -------------------------------------------------------------


@login_required
def insurance_register(request: HttpRequest) -> HttpResponse:
    """意外保险登记: cadres in post with their policies, the uncovered ones flagged; xlsx export."""
    scoping.require(request.user, "insurance.register")
    scope = scoping.scope_of(request.user)
    region_code = request.GET.get("region", "").strip()
    if not re.fullmatch(r"\d{2,12}", region_code):
        region_code = "" if scope.everything or not scope.region_prefixes else scope.region_prefixes[0]
    only_gaps = request.GET.get("gaps") == "1"
    today = timezone.localdate()
    everyone = selectors.insurance_register(user=request.user, region_code=region_code, today=today)
    uncovered = [row for row in everyone if row.first_gap is not None]
    rows = uncovered if only_gaps else everyone
    if request.GET.get("export") == "xlsx":
        content = exports.insurance_workbook(rows, today=today)
        return _download(
            request, content, f"驻村干部意外保险登记{today:%Y%m%d}.xlsx", kind="funding.insurancepolicy", rows=len(rows)
        )
    return render(
        request,
        "funding/insurance.html",
        {
            **paginate(request, rows, per_page=50),
            "region": region_code,
            "only_gaps": only_gaps,
            "gaps": len(uncovered),
            "total": len(everyone),
            "may_manage": scoping.can(request.user, "insurance.manage"),
            "levels": SourceLevel.choices,
            "today": today,
        },
    )


@login_required
@require_POST
def insurance_policy_new(request: HttpRequest, pk: int) -> HttpResponse:
    cadre = get_object_or_404(scoping.restrict(Cadre.objects.select_related("team"), request.user), pk=pk)
    scoping.require(request.user, "insurance.manage")
    try:
        start = parse_date(request.POST.get("cover_start", ""), field="cover_start", label="保障起期")
        end = parse_date(request.POST.get("cover_end", ""), field="cover_end", label="保障止期")
    except InvalidInput as error:
        messages.error(request, f"{cadre.name}：{error}")
    else:
        try:
            services.insurance_policy_register(
                actor=_user(request),
                cadre=cadre,
                insurer=request.POST.get("insurer", ""),
                policy_number=request.POST.get("policy_number", ""),
                cover_start=start,
                cover_end=end,
                premium=request.POST.get("premium", ""),
                paying_level=request.POST.get("paying_level", ""),
            )
        except ValidationError as error:
            messages.error(request, f"{cadre.name}：" + "；".join(error.messages))
        else:
            messages.success(request, f"已登记{cadre.name}的意外保险。")
    return redirect(request.POST.get("next") or reverse("funds-insurance"))
