"""Pages of the organization: the region tree, teams, cadres, and the roster import."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.authentication import signed_in
from accounts.selectors import cadre_devices
from zhucun import scoping
from zhucun.api.errors import Conflict
from zhucun.audit import audit_export
from zhucun.documents import download_response
from zhucun.inputs import check_date
from zhucun.views import FilteredListView, ScopedDetailView, paginate

from . import policies, services
from .filtersets import CadreFilterSet, TeamFilterSet
from .idnumbers import mask_id_number, mask_phone
from .models import Cadre, Handover, PartySecretaryAppointment, PartyTransfer, Region, Team, TermAdjustment
from .roster import RosterError, roster_template
from .selectors import (
    TRANSFER_FILTERS,
    party_secretary_history,
    party_secretary_of_village,
    party_transfer_rows,
    region_chain,
    region_children,
    team_members,
    user_home_region,
)
from .services import cadre_id_number_reveal, cadre_id_numbers_export_record, roster_import

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


@login_required
def region_tree(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """Drill down the region tree with team and cadre counts per child region."""
    if code is None:
        region = user_home_region(request.user)
        if region is None:
            raise Http404
    else:
        region = scoping.restrict(Region.objects.filter(code=code), request.user).first()
        if region is None:
            raise Http404
    scoping.require(request.user, "region.browse")
    children = list(region_children(user=request.user, region=region))
    return render(
        request,
        "cadres/region_tree.html",
        {
            "region": region,
            "chain": region_chain(region),
            "children": children,
            "can_import": scoping.can(request.user, "roster.import"),
        },
    )


class TeamListView(FilteredListView):
    model = Team
    queryset = Team.objects.with_list_data()
    filterset_class = TeamFilterSet
    template_name = "cadres/team_list.html"
    sort_options = {
        "village": ("按村代码", ("village_id",)),
        "unit": ("按派出单位", ("unit__name", "village_id")),
        "-members": ("按人数（多到少）", ("-member_count", "village_id")),
    }
    default_sort = "village"
    export_title = "驻村工作队名单"
    export_headers = ("县", "乡镇", "村", "村代码", "派出单位", "派出层级", "在岗人数")
    export_widths = (12, 14, 14, 16, 28, 10, 10)

    def export_row(self, team: Team) -> list[Any]:
        village = team.village
        township = village.parent
        county = township.parent if township else None
        return [
            county.name if county else "",
            township.name if township else "",
            village.name,
            village.code,
            team.unit.name,
            team.unit.get_level_display(),
            team.member_count,  # type: ignore[attr-defined]
        ]


class TeamDetailView(ScopedDetailView):
    model = Team
    queryset = Team.objects.select_related("village__parent__parent__parent", "unit")
    template_name = "cadres/team_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        team: Team = self.object
        context["members"] = team_members(team=team)
        context["chain"] = region_chain(team.village)
        context["show_phone"] = scoping.can(self.request.user, "cadre.view_phone")
        context["may_dispatch"] = scoping.can(self.request.user, "term.dispatch")
        context["may_view_funds"] = scoping.can(self.request.user, "funds.view")
        context["may_view_archive"] = scoping.can(self.request.user, "archive.view")  # 第十五条2 (archive/)
        if scoping.can(self.request.user, "party.view"):  # 第十八条: the village's party secretary
            context["party_secretary"] = party_secretary_of_village(team.village_id)
        return context


class CadreListView(FilteredListView):
    model = Cadre
    queryset = Cadre.objects.with_list_data()
    filterset_class = CadreFilterSet
    template_name = "cadres/cadre_list.html"
    sort_options = {
        "village": ("按驻在村", ("team__village_id", "role", "name")),
        "name": ("按姓名", ("name",)),
        "term_end": ("按期满日期", ("term_end", "name")),
    }
    default_sort = "village"
    export_title = "驻村干部名单"
    export_headers = (
        "姓名",
        "性别",
        "职务",
        "状态",
        "驻在村",
        "村代码",
        "派出单位",
        "身份证号",
        "手机号",
        "驻村开始",
        "期满",
    )
    export_widths = (10, 6, 14, 8, 14, 16, 26, 22, 14, 12, 12)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["show_phone"] = scoping.can(self.request.user, "cadre.view_phone")
        context["can_export_id_numbers"] = scoping.can(self.request.user, "cadre.view_id_number")
        return context

    def export_id_number(self, cadre: Cadre) -> str:
        """身份证号 are masked in every export; the full numbers only in CadreIdNumberExportView."""
        return mask_id_number(cadre.id_number)

    def export_row(self, cadre: Cadre) -> list[Any]:
        user = self.request.user
        return [
            cadre.name,
            cadre.get_gender_display(),
            cadre.get_role_display(),
            cadre.get_status_display(),
            cadre.team.village.name,
            cadre.team.village_id,
            cadre.unit.name,
            self.export_id_number(cadre),
            cadre.phone if scoping.can(user, "cadre.view_phone") else mask_phone(cadre.phone),
            cadre.term_start,
            cadre.term_end,
        ]


@method_decorator(never_cache, name="dispatch")
class CadreIdNumberExportView(CadreListView):
    """The cadre list with full 身份证号 (decision 0062): a separate export, POST only, for the role that
    keeps the cadres' files, with the list's filters from the query string; audited with those filters
    and the number of rows, never cached."""

    required_action = "cadre.view_id_number"
    http_method_names = ["post"]
    export_title = "驻村干部名单（含完整身份证号）"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from zhucun.exports.xlsx import write_table, xlsx_response

        queryset = self.get_queryset()
        if self.filters_invalid():  # a 400 before anything is exported or audited
            errors = "；".join(" ".join(messages) for messages in self.filterset.form.errors.values())
            return HttpResponse(f"筛选条件有误，未导出：{errors}", status=400, content_type="text/plain; charset=utf-8")
        exported = 0

        def rows() -> Iterator[list[Any]]:
            nonlocal exported
            for cadre in queryset.iterator(chunk_size=2000):
                exported += 1
                yield self.export_row(cadre)

        data = write_table(title=self.export_title, headers=self.export_headers, rows=rows(), widths=self.export_widths)
        filters = {key: str(value) for key, value in request.GET.items() if key not in ("page", "export")}
        cadre_id_numbers_export_record(actor=signed_in(request), filters=filters, rows=exported)
        return xlsx_response(data, "驻村干部名单-含身份证号.xlsx")

    def export_id_number(self, cadre: Cadre) -> str:
        return cadre.id_number


class CadreDetailView(ScopedDetailView):
    model = Cadre
    queryset = Cadre.objects.with_list_data()
    template_name = "cadres/cadre_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(_cadre_context(self.request, self.object))
        return context


def _cadre_context(request: HttpRequest, cadre: Cadre, *, revealed: str = "") -> dict[str, Any]:
    """The cadre page's personal data: 身份证号 masked unless ``revealed`` (the answer of the audited
    reveal, shown once), the phone by role."""
    user = request.user
    return {
        "chain": region_chain(cadre.team.village),
        "id_number": revealed or mask_id_number(cadre.id_number),
        "revealed": bool(revealed),
        "can_reveal": scoping.can(user, "cadre.view_id_number"),
        "phone": cadre.phone if scoping.can(user, "cadre.view_phone") else mask_phone(cadre.phone),
        "devices": cadre_devices(user=user, cadre=cadre),  # the cadre's phones, for those who may sign them out
        "may_adjust": policies.may_request_adjustment(user, cadre),
        "handover_due": policies.handover_due(cadre, timezone.localdate()) and scoping.can(user, "term.view"),
        "may_view_archive": scoping.can(user, "archive.view"),  # 第十五条2 (archive/)
        **_cadre_party_context(user, cadre),
    }


def _cadre_party_context(user: User | AnonymousUser, cadre: Cadre) -> dict[str, Any]:
    """第十八条 on the cadre page: the membership transfer and, for a first secretary, whether they lead
    the village's party organization (or are asked to)."""
    if not scoping.can(user, "party.view"):
        return {}
    return {
        "may_party": True,
        "party_transfer": PartyTransfer.objects.filter(cadre=cadre).first(),
        "party_secretary": PartySecretaryAppointment.objects.filter(
            cadre=cadre, status__in=PartySecretaryAppointment.OPEN_STATUSES
        ).first(),
        "is_first_secretary": cadre.role in policies.FIRST_SECRETARY_ROLES,
    }


@login_required
@require_POST
@never_cache
def cadre_reveal_id_number(request: HttpRequest, pk: int) -> HttpResponse:
    """The county office's explicit, audited look at one cadre's full 身份证号 (decision 0062). From the
    cadre page's button (htmx) the number replaces the masked one in place; without JavaScript the page
    is rendered with it. Out of scope: 404; another role: 403."""
    cadre = scoping.restrict(Cadre.objects.with_list_data(), request.user).filter(pk=pk).first()
    if cadre is None:
        raise Http404
    number = cadre_id_number_reveal(actor=signed_in(request), cadre=cadre)
    if request.headers.get("HX-Request"):
        return render(request, "cadres/_id_number.html", {"id_number": number, "revealed": True})
    context = {"object": cadre, "cadre": cadre, **_cadre_context(request, cadre, revealed=number)}
    return render(request, "cadres/cadre_detail.html", context)


@login_required
def roster_import_page(request: HttpRequest) -> HttpResponse:
    """Upload a roster in the browser; errors are shown as a table, row by row."""
    scoping.require(request.user, "roster.import")
    context: dict[str, Any] = {}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["errors"] = [{"row": 0, "column": "", "message": "请选择要上传的花名册文件。"}]
        else:
            try:
                result = roster_import(actor=signed_in(request), upload=upload)
            except RosterError as exc:
                context["errors"] = [error.as_dict() for error in exc.errors]
                context["filename"] = upload.name
            else:
                context["result"] = result
                messages.success(
                    request,
                    f"导入成功：工作队 {result.teams} 个、干部 {result.cadres} 人、村 {result.villages} 个、"
                    f"派出单位 {result.units} 个（新建或更新）。",
                )
    return render(request, "cadres/roster_import.html", context)


@login_required
def roster_template_download(request: HttpRequest) -> HttpResponse:
    scoping.require(request.user, "roster.import")
    from zhucun.exports.xlsx import xlsx_response

    return xlsx_response(roster_template(), "花名册模板.xlsx")


# --- 第三条: term adjustments and the replacement's dispatch -----------------------------------


@login_required
def term_adjustment_list(request: HttpRequest) -> HttpResponse:
    """任期调整: the applications the user may see, pending first."""
    scoping.require(request.user, "term.view")
    rows = scoping.restrict(
        TermAdjustment.objects.select_related("cadre__team__village", "unit"), request.user
    ).order_by(Case(When(status="pending", then=Value(0)), default=Value(1)), "-requested_at", "-id")
    return render(request, "cadres/term_adjustment_list.html", paginate(request, rows))


@login_required
def term_adjustment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    adjustment = get_object_or_404(
        scoping.restrict(TermAdjustment.objects.select_related("cadre__team__village", "unit"), request.user), pk=pk
    )
    scoping.require(request.user, "term.view")
    may_decide = adjustment.status == "pending" and policies.may_decide_adjustment(request.user, adjustment.unit)
    if request.method == "POST":
        scoping.require(request.user, "term.decide")
        decision = request.POST.get("decision")
        if decision not in ("approve", "reject"):
            messages.error(request, "请选择批准或驳回。")
        else:
            try:
                services.term_adjustment_decide(
                    actor=signed_in(request),
                    adjustment_id=adjustment.pk,
                    approve=decision == "approve",
                    comment=request.POST.get("comment", ""),
                )
            except ValidationError as error:
                messages.error(request, "；".join(error.messages))
            else:
                messages.success(
                    request,
                    "已批准，干部状态已改为“已调整”，并报上级组织部门备案。" if decision == "approve" else "已驳回。",
                )
                return redirect("term-adjustment-detail", pk=adjustment.pk)
    return render(
        request,
        "cadres/term_adjustment_detail.html",
        {"adjustment": adjustment, "may_decide": may_decide, "chain": region_chain(adjustment.cadre.team.village)},
    )


@login_required
def term_adjustment_attachment(request: HttpRequest, pk: int) -> HttpResponseBase:
    adjustment = get_object_or_404(scoping.restrict(TermAdjustment.objects.all(), request.user), pk=pk)
    scoping.require(request.user, "term.view")
    if not adjustment.attachment:
        raise Http404
    kind = "pdf" if str(adjustment.attachment.name).endswith(".pdf") else "image"
    audit_export(
        user=request.user,
        kind="cadres.termadjustment",
        title=f"任期调整申请附件 {adjustment.pk}",
        action="download.file",
        object_id=str(adjustment.pk),
    )
    return download_response(
        adjustment.attachment, filename=f"任期调整申请-{adjustment.pk}.{'pdf' if kind == 'pdf' else 'jpg'}", kind=kind
    )


@login_required
def term_adjustment_new(request: HttpRequest, pk: int) -> HttpResponse:
    """The dispatching unit's written application for one of its cadres (第三条)."""
    cadre = get_object_or_404(
        scoping.restrict(Cadre.objects.select_related("unit", "team__village"), request.user), pk=pk
    )
    scoping.require(request.user, "term.request")
    if not policies.may_request_adjustment(request.user, cadre):
        raise PermissionDenied("任期调整须由干部的派出单位提出书面申请（第三条）。")
    error = ""
    if request.method == "POST":
        try:
            adjustment = services.term_adjustment_request(
                actor=signed_in(request),
                cadre=cadre,
                reason=request.POST.get("reason", ""),
                attachment=request.FILES.get("attachment"),
            )
        except ValidationError as exc:
            error = "；".join(exc.messages)
        else:
            messages.success(request, "申请已提交，等待同级党委组织部门审批。")
            return redirect("term-adjustment-detail", pk=adjustment.pk)
    return render(
        request,
        "cadres/term_adjustment_new.html",
        {
            "cadre": cadre,
            "error": error,
            "reason": request.POST.get("reason", ""),
            "chain": region_chain(cadre.team.village),
        },
    )


@login_required
def team_dispatch(request: HttpRequest, pk: int) -> HttpResponse:
    """A replacement joins the team after a recall, an adjustment or a term's end (第三条, 第二十条)."""
    team = get_object_or_404(scoping.restrict(Team.objects.select_related("village", "unit"), request.user), pk=pk)
    scoping.require(request.user, "term.dispatch")
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            cadre = services.cadre_dispatch(
                actor=signed_in(request),
                team=team,
                name=request.POST.get("name", ""),
                gender=request.POST.get("gender", ""),
                id_number=request.POST.get("id_number", ""),
                phone=request.POST.get("phone", ""),
                role=request.POST.get("role", ""),
                term_start=request.POST.get("term_start", ""),
            )
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, f"{cadre.name}已派驻到{team}，任期自 {cadre.term_start:%Y年%m月%d日} 起算。")
            return redirect("team-detail", pk=team.pk)
    return render(
        request,
        "cadres/team_dispatch.html",
        {
            "team": team,
            "errors": errors,
            "values": request.POST,
            "roles": Cadre.Role.choices,
            "genders": Cadre.Gender.choices,
            "chain": region_chain(team.village),
            "today": timezone.localdate(),
        },
    )


@login_required
def handover(request: HttpRequest, pk: int) -> HttpResponse:
    """离任交接: the checklist at the end of a cadre's service, printable for the township's file."""
    cadre = get_object_or_404(
        scoping.restrict(Cadre.objects.select_related("team__village", "unit"), request.user), pk=pk
    )
    scoping.require(request.user, "term.view")
    record = Handover.objects.filter(cadre=cadre).first()
    may_tick = policies.may_record_handover(request.user) and policies.handover_due(cadre, timezone.localdate())
    if request.method == "POST":
        if not policies.may_record_handover(request.user):
            raise PermissionDenied("离任交接由乡镇党委或县委组织部登记。")
        try:
            services.handover_tick(
                actor=signed_in(request),
                cadre=cadre,
                item=request.POST.get("item", ""),
                done=request.POST.get("done") == "1",
                note=request.POST.get("note", ""),
            )
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        return redirect("cadre-handover", pk=cadre.pk)
    done = record.done if record else {}
    items = [{"key": key, "label": label, "done": done.get(key)} for key, label in policies.HANDOVER_ITEMS]
    return render(
        request,
        "cadres/handover.html",
        {
            "cadre": cadre,
            "items": items,
            "record": record,
            "may_tick": may_tick,
            "due": policies.handover_due(cadre, timezone.localdate()),
            "chain": region_chain(cadre.team.village),
            "may_view_archive": scoping.can(request.user, "archive.view"),
        },
    )


# --- 第十八条: party membership and the first secretary as village party secretary -------------------


def _posted_day(request: HttpRequest, field: str) -> tuple[dt.date | None, str]:
    """A ``YYYY-MM-DD`` field of a posted form: (the day, "") or (None, the Chinese error)."""
    raw = request.POST.get(field, "").strip()
    if not raw:
        return None, ""
    try:
        return check_date(dt.date.fromisoformat(raw), field=field, label="日期"), ""
    except ValueError:
        return None, "日期格式应为 YYYY-MM-DD。"
    except ValidationError as exc:
        return None, "；".join(exc.messages)


def _field_errors(exc: ValidationError) -> dict[str, str]:
    if hasattr(exc, "error_dict"):
        return {field: "；".join(messages) for field, messages in exc.message_dict.items()}
    return {"detail": "；".join(exc.messages)}


@login_required
def party_transfer_list(request: HttpRequest) -> HttpResponse:
    """党组织关系转接 (第十八条): the cadres in post the user sees and their transfer, pending first by
    default — the township's list of memberships its villages have not yet received, with the
    confirmation in place."""
    scoping.require(request.user, "party.transfers")
    status = request.GET.get("status", "pending")
    status = status if status in TRANSFER_FILTERS or status == "all" else "pending"
    search = request.GET.get("q", "")
    rows = party_transfer_rows(user=request.user, status=status, search=search)
    if request.GET.get("export") == "xlsx":
        return _party_transfer_export(request, rows, status=status, search=search)
    return render(
        request,
        "cadres/party_transfer_list.html",
        {
            **paginate(request, rows),
            "status": status,
            "filters": [(key, label) for key, (label, _) in TRANSFER_FILTERS.items()],
            "search": search,
            "today": timezone.localdate(),
            "may_record": scoping.can(request.user, "party.transfer_record"),
            "may_confirm": scoping.can(request.user, "party.transfer_confirm"),
        },
    )


PARTY_TRANSFER_HEADERS = (
    "干部", "职务", "乡镇", "驻在村", "村代码", "派出单位", "转出党组织", "转入党组织", "转出日期", "状态", "转入日期",
)  # fmt: skip


def _party_transfer_row(cadre: Cadre) -> list[Any]:
    transfer: PartyTransfer | None = getattr(cadre, "party_transfer", None)
    village = cadre.team.village
    return [
        cadre.name,
        cadre.get_role_display(),
        village.parent.name if village.parent else "",
        village.name,
        village.code,
        cadre.unit.name,
        transfer.from_organization if transfer else "",
        transfer.to_organization if transfer else "",
        transfer.sent_on if transfer else None,
        transfer.get_status_display() if transfer else "未登记",
        transfer.received_on if transfer else None,
    ]


def _party_transfer_export(request: HttpRequest, rows: Any, *, status: str, search: str) -> HttpResponse:
    """The list as shown (the same filter and search, every page) as a workbook, audited (UI.md)."""
    from zhucun.exports.xlsx import RowCounter, write_table, xlsx_response

    label = TRANSFER_FILTERS[status][0] if status in TRANSFER_FILTERS else "全部在岗干部"
    title = f"驻村干部党组织关系转接（{label}）"
    counted = RowCounter(_party_transfer_row(cadre) for cadre in rows.iterator(chunk_size=2000))
    data = write_table(
        title=title, headers=PARTY_TRANSFER_HEADERS, rows=counted, widths=(10, 12, 12, 12, 14, 22, 24, 20, 12, 12, 12)
    )
    filename = "党组织关系转接.xlsx"
    audit_export(
        user=request.user, kind="cadres.partytransfer", title=title, params={"status": status, "q": search},
        rows=counted.count, filename=filename,
    )  # fmt: skip
    return xlsx_response(data, filename)


@login_required
def cadre_party_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    """One cadre's transfer (第十八条): the record form for the unit or the village's township, and the
    township's confirmation."""
    cadre = get_object_or_404(
        scoping.restrict(Cadre.objects.select_related("unit", "team__village__parent"), request.user), pk=pk
    )
    scoping.require(request.user, "party.view")
    transfer = PartyTransfer.objects.filter(cadre=cadre).select_related("recorded_by", "confirmed_by").first()
    errors: dict[str, str] = {}
    if request.method == "POST":
        actor = signed_in(request)
        try:
            if request.POST.get("action") == "confirm" and transfer is not None:
                scoping.require(request.user, "party.transfer_confirm")
                day, problem = _posted_day(request, "received_on")
                if problem:
                    raise ValidationError({"received_on": [problem]})
                services.party_transfer_confirm(actor=actor, transfer=transfer, received_on=day)
                messages.success(request, f"已确认{cadre.name}的党组织关系转入驻在村党组织。")
            else:
                scoping.require(request.user, "party.transfer_record")
                day, problem = _posted_day(request, "sent_on")
                if problem:
                    raise ValidationError({"sent_on": [problem]})
                services.party_transfer_record(
                    actor=actor,
                    cadre=cadre,
                    from_organization=request.POST.get("from_organization", ""),
                    to_organization=request.POST.get("to_organization", ""),
                    sent_on=day,
                    not_member=request.POST.get("not_member") == "1",
                )
                messages.success(request, f"已登记{cadre.name}的党组织关系转接。")
        except ValidationError as exc:
            errors = _field_errors(exc)
        except Conflict as exc:
            errors = {"detail": str(exc.detail)}
        else:
            back = request.POST.get("next", "")
            if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
                return redirect(back)  # the township's list, where it confirmed in place
            return redirect("cadre-party-transfer", pk=cadre.pk)
    user = request.user
    initial = {
        "from_organization": transfer.from_organization if transfer else "",
        "to_organization": transfer.to_organization if transfer else "",
        "sent_on": f"{transfer.sent_on:%Y-%m-%d}" if transfer and transfer.sent_on else "",
        "received_on": f"{timezone.localdate():%Y-%m-%d}",
        "not_member": "",
    }
    if request.method == "POST":
        initial.update({key: request.POST.get(key, "") for key in initial})
    return render(
        request,
        "cadres/party_transfer.html",
        {
            "cadre": cadre,
            "transfer": transfer,
            "chain": region_chain(cadre.team.village),
            "errors": errors,
            "form": initial,
            "today": timezone.localdate(),
            "may_record": not policies.party_transfer_record_refusal(user, cadre)
            and (transfer is None or transfer.status != PartyTransfer.Status.CONFIRMED),
            "may_confirm": transfer is not None
            and transfer.status == PartyTransfer.Status.PENDING
            and not policies.party_transfer_confirm_refusal(user, transfer.village_code),
        },
        status=400 if errors else 200,
    )


_SECRETARY_ACTIONS = ("propose", "consent", "appoint", "end")


@login_required
def cadre_party_secretary(request: HttpRequest, pk: int) -> HttpResponse:
    """第一书记兼任村党组织书记 (第十八条) for one first secretary: the township's proposal, the consents of
    the first secretary and of the unit's party group (who, when), the appointment and its end — each
    form shown only to whoever may act."""
    cadre = get_object_or_404(
        scoping.restrict(Cadre.objects.select_related("unit", "team__village__parent"), request.user), pk=pk
    )
    scoping.require(request.user, "party.view")
    village = cadre.team.village_id
    appointment = (
        PartySecretaryAppointment.objects.filter(cadre=cadre, status__in=PartySecretaryAppointment.OPEN_STATUSES)
        .select_related("proposed_by", "cadre_consent_by", "unit_consent_by", "decided_by")
        .first()
    )
    errors: dict[str, str] = {}
    if request.method == "POST":
        actor, action = signed_in(request), request.POST.get("action", "")
        try:
            if action not in _SECRETARY_ACTIONS or (action != "propose" and appointment is None):
                raise ValidationError({"detail": ["请从页面上的按钮办理。"]})
            if action == "propose":
                scoping.require(request.user, "party.secretary_decide")
                services.party_secretary_propose(actor=actor, cadre=cadre, reason=request.POST.get("reason", ""))
            elif action == "consent" and appointment is not None:
                scoping.require(request.user, "party.secretary_consent")
                party = "first_secretary" if getattr(request.user, "role", "") == "cadre" else "unit"
                services.party_secretary_consent(
                    actor=actor, appointment=appointment, party=party, note=request.POST.get("note", "")
                )
            elif appointment is not None:
                scoping.require(request.user, "party.secretary_decide")
                field = "decided_on" if action == "appoint" else "ended_on"
                day, problem = _posted_day(request, field)
                if problem:
                    raise ValidationError({field: [problem]})
                if action == "appoint":
                    services.party_secretary_appoint(
                        actor=actor, appointment=appointment, decided_on=day,
                        decision_no=request.POST.get("decision_no", ""),
                    )  # fmt: skip
                else:
                    services.party_secretary_end(
                        actor=actor, appointment=appointment, ended_on=day, reason=request.POST.get("reason", "")
                    )
        except ValidationError as exc:
            errors = _field_errors(exc)
        except Conflict as exc:
            errors = {"detail": str(exc.detail)}
        else:
            messages.success(request, "已办理。")
            return redirect("cadre-party-secretary", pk=cadre.pk)
    user = request.user
    township_may = not policies.party_secretary_township_refusal(user, village)
    consent_party = "first_secretary" if getattr(user, "role", "") == "cadre" else "unit"
    consent_given = appointment is not None and (
        appointment.cadre_consent_at if consent_party == "first_secretary" else appointment.unit_consent_at
    )
    return render(
        request,
        "cadres/party_secretary.html",
        {
            "cadre": cadre,
            "appointment": appointment,
            "history": party_secretary_history(cadre=cadre).exclude(status__in=PartySecretaryAppointment.OPEN_STATUSES),
            "village_open": None if appointment else party_secretary_of_village(village),
            "chain": region_chain(cadre.team.village),
            "errors": errors,
            "form": request.POST if request.method == "POST" else {},
            "today": timezone.localdate(),
            "may_propose": township_may and appointment is None and not policies.party_secretary_candidate_error(cadre),
            "may_consent": appointment is not None
            and appointment.status == PartySecretaryAppointment.Status.PROPOSED
            and not consent_given
            and not policies.party_secretary_consent_refusal(user, cadre, consent_party),
            "may_appoint": township_may
            and appointment is not None
            and appointment.status == PartySecretaryAppointment.Status.PROPOSED,
            "may_end": township_may and appointment is not None,
        },
        status=400 if errors else 200,
    )
