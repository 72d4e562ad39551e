"""Pages of the duties calendar: "我的待办" (the body's own calendar), the compliance view of an
organization department (its units and lower departments; a county its townships), an obligation with
its phone-friendly fulfil form and evidence, the drafted half-year report (.docx, printable), and the
one step from an overdue obligation to an accountability record (第十七条). Every object is fetched
through zhucun.scoping (out of scope → 404) before the role is asked (403)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.authentication import signed_in
from zhucun import scoping
from zhucun.api.errors import Conflict
from zhucun.audit import audit_export
from zhucun.documents import download_response
from zhucun.inputs import InvalidInput, parse_year
from zhucun.views import FilteredListView

from . import catalogue, reports, selectors, services
from .filtersets import ObligationFilterSet
from .models import Evidence, Obligation, Report

_FIRST_YEAR = 2015


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "")
    today = timezone.localdate()
    if not raw:
        return today.year
    year = parse_year(raw)
    if year is None or not _FIRST_YEAR <= year <= today.year + 1:
        raise InvalidInput({"year": [f"年度应为 {_FIRST_YEAR} 至 {today.year + 1} 之间的四位年份。"]})
    return year


def _obligation(request: HttpRequest, pk: int) -> Obligation:
    obligation = get_object_or_404(selectors.in_scope(user=request.user), pk=pk)
    scoping.require(request.user, "duties.view")
    return obligation


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """我的待办: the body's own obligations of the year, overdue first."""
    scoping.require(request.user, "duties.view")
    year = _year(request)
    rows = list(selectors.mine(user=request.user, year=year))
    today = timezone.localdate()
    return render(
        request,
        "duties/mine.html",
        {
            "rows": rows,
            "year": year,
            "years": list(range(today.year + 1, max(_FIRST_YEAR, today.year - 4) - 1, -1)),
            "today": today,
            "is_body": selectors.own_q(request.user) is not None,
            "overdue": sum(1 for o in rows if o.status == Obligation.Status.OVERDUE),
            "open": sum(1 for o in rows if o.status == Obligation.Status.OPEN),
        },
    )


class ComplianceView(FilteredListView):
    """履职情况: every obligation in scope — an organization department's units and lower departments, a
    county's townships — filterable, overdue first, with an audited xlsx of exactly what is shown."""

    model = Obligation
    queryset = Obligation.objects.select_related("unit").annotate(status_order=selectors.STATUS_ORDER)
    filterset_class = ObligationFilterSet
    required_action = "duties.compliance"
    template_name = "duties/compliance.html"
    paginate_by = 50
    sort_options = {
        "overdue": ("逾期在前", ("status_order", "due", "body_name", "id")),
        "due": ("按截止日期", ("due", "body_name", "id")),
        "body": ("按责任主体", ("body_name", "due", "id")),
    }
    default_sort = "overdue"
    export_title = "履职情况"
    export_headers = ("责任主体", "类别", "职责", "依据", "期间", "截止日期", "状态", "履职日期", "履职情况")
    export_widths = (28, 14, 30, 12, 16, 12, 10, 12, 40)

    def export_row(self, o: Obligation) -> list[Any]:
        return [
            o.body_name, o.get_body_type_display(), o.title, o.article, o.period_label, o.due,
            o.get_status_display(), o.fulfilled_on or "", o.note,
        ]  # fmt: skip

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["today"] = timezone.localdate()
        return context


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    obligation = _obligation(request, pk)
    return _render_detail(request, obligation)


def _render_detail(
    request: HttpRequest, obligation: Obligation, *, errors: dict[str, list[str]] | None = None, status: int = 200
) -> HttpResponse:
    today = timezone.localdate()
    first, last = catalogue.fulfil_window(
        period_start=obligation.period_start, period_end=obligation.period_end, due=obligation.due
    )
    is_body = catalogue.is_body(request.user, obligation)
    return render(
        request,
        "duties/detail.html",
        {
            "o": obligation,
            "duty": obligation.duty_def,
            "evidence": selectors.evidence_of(obligation),
            "report": Report.objects.filter(obligation=obligation).first(),
            "may_fulfil": is_body and obligation.status != Obligation.Status.DONE,
            "may_hold_accountable": obligation.status == Obligation.Status.OVERDUE
            and obligation.accountability_id is None
            and services.may_hold_accountable(request.user, obligation),
            "errors": errors or {},
            "data": request.POST,
            "first": first,
            "last": min(last, today),
            "date_value": request.POST.get("date") or f"{min(last, today) if first <= today else first:%Y-%m-%d}",
            "today": today,
        },
        status=status,
    )


@login_required
@require_POST
def fulfil(request: HttpRequest, pk: int) -> HttpResponse:
    """The body's fulfil form: date, note, evidence photos or PDFs."""
    obligation = _obligation(request, pk)
    scoping.require(request.user, "duties.fulfil")
    raw = request.POST.get("date", "").strip()
    try:
        day: dt.date | None = dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return _render_detail(request, obligation, errors={"date": ["日期格式应为 YYYY-MM-DD。"]}, status=400)
    try:
        services.obligation_fulfil(
            actor=signed_in(request),
            obligation=obligation,
            day=day,
            note=request.POST.get("note", ""),
            evidence=request.FILES.getlist("evidence"),
        )
    except ValidationError as exc:
        return _render_detail(request, obligation, errors=exc.message_dict, status=400)
    except Conflict as exc:
        messages.error(request, str(exc.detail))
        return _render_detail(request, Obligation.objects.get(pk=obligation.pk), status=409)
    messages.success(request, "已登记履职情况。")
    return redirect("duties-detail", pk=obligation.pk)


@login_required
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    """A piece of evidence, always as a download (never inline, never sniffed), audited."""
    item = get_object_or_404(scoping.restrict(Evidence.objects.all(), request.user), pk=pk)
    scoping.require(request.user, "duties.view")
    extension = "pdf" if item.kind == Evidence.Kind.PDF else "jpg"
    audit_export(
        user=request.user, kind="duties.evidence", title=str(item), action="download.file", object_id=str(item.pk),
        region_code=item.region_code,
    )  # fmt: skip
    return download_response(item.file, filename=f"佐证材料-{item.obligation_id}-{item.pk}.{extension}", kind=item.kind)


# --- Written reports (第九条4, 第十三条5) -----------------------------------------------------------


@login_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """The drafted report: for the body, a document pre-filled with the period's facts and a narrative
    to add, filed in one step; once filed, the report as filed (printable) for everyone in scope."""
    obligation = _obligation(request, pk)
    if not obligation.duty_def.drafted:
        raise Http404
    filed = Report.objects.filter(obligation=obligation).first()
    if filed is not None:
        return render(
            request,
            "duties/report.html",
            {"o": obligation, "report": filed, "facts": filed.facts, "lines": reports.summary_lines(filed.facts)},
        )
    if not catalogue.is_body(request.user, obligation):
        raise PermissionDenied("书面报告由责任主体本身起草和提交；提交后，上级可在此查看。")
    scoping.require(request.user, "duties.fulfil")
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        raw = request.POST.get("date", "").strip()
        try:
            day: dt.date | None = dt.date.fromisoformat(raw) if raw else None
        except ValueError:
            errors = {"date": ["日期格式应为 YYYY-MM-DD。"]}
        else:
            try:
                services.report_file(
                    actor=signed_in(request),
                    obligation=obligation,
                    narrative=request.POST.get("narrative", ""),
                    day=day,
                )
            except ValidationError as exc:
                errors = exc.message_dict
            except Conflict as exc:
                messages.error(request, str(exc.detail))
                return redirect("duties-detail", pk=obligation.pk)
            else:
                messages.success(request, "书面报告已提交，该项职责已登记履行。")
                return redirect("duties-report", pk=obligation.pk)
    facts = reports.facts_for(obligation)
    today = timezone.localdate()
    _, last = catalogue.fulfil_window(
        period_start=obligation.period_start, period_end=obligation.period_end, due=obligation.due
    )
    return render(
        request,
        "duties/report.html",
        {
            "o": obligation,
            "report": None,
            "facts": facts,
            "lines": reports.summary_lines(facts),
            "errors": errors,
            "data": request.POST,
            "date_value": request.POST.get("date") or f"{min(last, today):%Y-%m-%d}",
        },
        status=400 if errors else 200,
    )


@login_required
def report_docx(request: HttpRequest, pk: int) -> HttpResponse:
    """The filed report as a Word document (.docx), audited."""
    obligation = _obligation(request, pk)
    filed = get_object_or_404(scoping.restrict(Report.objects.all(), request.user), obligation=obligation)
    content = reports.docx_bytes(
        title=filed.title, facts=filed.facts, narrative=filed.narrative, filed_on=filed.filed_on
    )
    filename = f"{filed.title}.docx"
    audit_export(
        user=request.user, kind="duties.report", title=filed.title, action="download.file", object_id=str(filed.pk),
        filename=filename, region_code=filed.region_code,
    )  # fmt: skip
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "private, no-store"
    return response


# --- 第十七条 ------------------------------------------------------------------------------------


@login_required
def accountability(request: HttpRequest, pk: int) -> HttpResponse:
    """An overdue obligation becomes an accountability record in one step: the form opens pre-filled."""
    from assessment.models import AccountabilityRecord

    obligation = _obligation(request, pk)
    scoping.require(request.user, "assessment.accountability")
    if not services.may_hold_accountable(request.user, obligation):
        raise PermissionDenied("追责问责由上级党委组织部门组织实施（第十七条），责任主体本身不能对自己问责。")
    prefill = catalogue.accountability_prefill(
        obligation.duty_def, body=obligation.body_name, period_label=obligation.period_label, due=obligation.due
    )
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        post = request.POST
        raw = post.get("decided_on", "").strip()
        try:
            decided_on = dt.date.fromisoformat(raw)
        except ValueError:
            errors = {"decided_on": ["请填写决定日期（YYYY-MM-DD）。"]}
        else:
            try:
                services.accountability_from_obligation(
                    actor=signed_in(request),
                    obligation=obligation,
                    measure=post.get("measure", ""),
                    decided_on=decided_on,
                    failed_duty=post.get("failed_duty", ""),
                    facts=post.get("facts", ""),
                    person_name=post.get("person_name", ""),
                )
            except ValidationError as exc:
                errors = exc.message_dict
            except Conflict as exc:
                messages.error(request, str(exc.detail))
                return redirect("duties-detail", pk=obligation.pk)
            else:
                messages.success(request, "已生成追责问责记录（第十七条）。")
                return redirect("assessment-accountability")
    return render(
        request,
        "duties/accountability.html",
        {
            "o": obligation,
            "prefill": {**prefill, **{k: v for k, v in request.POST.items() if k in prefill}},
            "measures": AccountabilityRecord.Measure.choices,
            "measure": request.POST.get("measure", AccountabilityRecord.Measure.INQUIRY),
            "decided_on": request.POST.get("decided_on", f"{timezone.localdate():%Y-%m-%d}"),
            "errors": errors,
        },
        status=400 if errors else 200,
    )
