"""Pages of the organization: the region tree, teams, cadres, and the roster import."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.authentication import signed_in
from accounts.selectors import cadre_devices
from zhucun import scoping
from zhucun.audit import audit_export
from zhucun.documents import download_response
from zhucun.views import FilteredListView, ScopedDetailView, paginate

from . import policies, services
from .filtersets import CadreFilterSet, TeamFilterSet
from .idnumbers import mask_id_number, mask_phone
from .models import Cadre, Handover, Region, Team, TermAdjustment
from .roster import RosterError, roster_template
from .selectors import region_chain, region_children, team_members, user_home_region
from .services import cadre_id_number_reveal, cadre_id_numbers_export_record, roster_import


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
