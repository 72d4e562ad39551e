"""Pages of the annual assessment (UI.md page 3 "省级考核导出"), recall, accountability and the key
training ledger. Objects are fetched through zhucun.scoping (out of scope → 404), roles checked
after (→ 403); every rule is decided by assessment/rules.py through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.authentication import signed_in
from cadres.models import Cadre, Unit
from zhucun import scoping
from zhucun.api.errors import Conflict
from zhucun.audit import audit_export
from zhucun.exports.xlsx import xlsx_response
from zhucun.inputs import InvalidInput, parse_id, parse_year
from zhucun.views import ScopedListView, paginate

from . import rules, selectors, services
from .api.views import workbook_response
from .exports import accountability_register, recall_register
from .models import (
    GRADE_LABELS,
    AccountabilityRecord,
    AssessmentResult,
    AssessmentRound,
    ExportJob,
    KeyTrainingEntry,
    RecallCase,
    Sanction,
    SubjectType,
    SupportOpinion,
    TeamGrade,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

GRID_PAGE_SIZE = 100


def _first_error(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "；".join(m for messages_ in exc.message_dict.values() for m in messages_)
    return "；".join(exc.messages)


def default_year(today: dt.date | None = None) -> int:
    """The year being assessed: the current year from October (rounds run in winter), else the last."""
    today = today or timezone.localdate()
    return today.year if today.month >= 10 else today.year - 1


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "")
    year = parse_year(raw) if raw else default_year()
    if year is None or not services.year_is_valid(year):
        raise InvalidInput({"year": ["考核年度应为 2015 年至明年之间的四位年份，例如 ?year=2025。"]})
    return year


def _department(request: HttpRequest) -> tuple[str, str]:
    return rules.require_department(request.user)


def _own_round(year: int, department: tuple[str, str]) -> AssessmentRound:
    """The department's round of the year; an unsaved one (评定中, nothing graded) until the first grade."""
    level, region_code = department
    found = AssessmentRound.objects.filter(year=year, level=level, region_code=region_code).first()
    return found or AssessmentRound(year=year, level=level, region_code=region_code)


# --- The assessment round ---------------------------------------------------------------------


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """The year's round per level: progress, the 40% gauges, links to the grids, finalize, export."""
    department = _department(request)
    year = _year(request)
    own = _own_round(year, department)
    progress = selectors.round_progress(round=own)
    quotas = rules.quotas_for_rounds([own])
    below = [r for r in selectors.visible_rounds(user=request.user, year=year) if r.pk != own.pk]
    below_quotas = rules.quotas_for_rounds(below)
    return render(
        request,
        "assessment/overview.html",
        {
            "year": year,
            "years": list(range(default_year() + 1, default_year() - 5, -1)),
            "round": own,
            "progress": progress,
            "complete": all(p.graded >= p.total for p in progress),
            "team_quota": quotas[(own.pk, SubjectType.TEAM)],
            "cadre_quota": quotas[(own.pk, SubjectType.CADRE)],
            "below": [
                (r, below_quotas[(r.pk, SubjectType.TEAM)], below_quotas[(r.pk, SubjectType.CADRE)]) for r in below
            ],
            "scope_label": _scope_label(request.user),
        },
    )


def _scope_label(user: User | AnonymousUser) -> str:
    from .exports import scope_label

    return scope_label(user)


def _grid_subjects(request: HttpRequest, year: int, subject_type: str) -> Any:
    level, region_code = _department(request)
    subjects = selectors.department_subjects(level=level, region_code=region_code, year=year, subject_type=subject_type)
    return selectors.with_grade(scoping.restrict(subjects, request.user), subject_type=subject_type, year=year)


#: a unit row's 第二十四条 grades: form field prefix → the result's field
_LEADERSHIP_FIELDS = {"leadership": "leadership_grade", "head": "head_grade"}


def _changes(request: HttpRequest, rows: list[Any], subject_type: str) -> list[tuple[Any, str, str]]:
    """The (subject, field, value) changes the form makes, ordered so that each is allowed when its
    turn comes: leadership grades leaving 优秀 first (第二十四条), then the grades with 优秀 last (lowering
    one row frees the quota for another), then the other leadership grades (the unit's grade first)."""
    changes = []
    for obj in rows:
        value = request.POST.get(f"grade-{obj.pk}", "")
        if value and value != (obj.grade or ""):
            changes.append((obj, "grade", value))
        if subject_type != SubjectType.UNIT:
            continue
        for prefix, field in _LEADERSHIP_FIELDS.items():
            posted = request.POST.get(f"{prefix}-{obj.pk}")
            if posted is not None and posted != (getattr(obj, field) or ""):
                changes.append((obj, field, posted))

    def turn(change: tuple[Any, str, str]) -> int:
        obj, field, value = change
        if field == "grade":
            return 2 if value == "excellent" else 1
        return 0 if getattr(obj, field) == "excellent" else 3

    return sorted(changes, key=turn)


def _apply(
    request: HttpRequest, year: int, subject_type: str, changes: list[tuple[Any, str, str]], *, dry_run: bool
) -> dict[int, str]:
    """Apply the changes through the services, each in a savepoint; any refusal (or a dry run) rolls
    everything back, so a level is saved whole or not at all. Returns the refusals by row."""
    errors: dict[int, str] = {}
    with transaction.atomic():
        for obj, field, value in changes:
            try:
                with transaction.atomic():
                    if field == "grade":
                        services.assessment_grade_set(
                            actor=signed_in(request), year=year, subject_type=subject_type, obj=obj, grade=value
                        )
                    else:
                        services.unit_leadership_grade_set(
                            actor=signed_in(request), year=year, unit=obj, **{field: value}
                        )
            except ValidationError as exc:
                errors.setdefault(obj.pk, _first_error(exc))
            except IntegrityError:  # another save of the same row got there first
                errors.setdefault(obj.pk, "该等次刚被他人修改，请刷新页面后重试。")
        if dry_run or errors:
            transaction.set_rollback(True)
    return errors


def _grid_page(request: HttpRequest, year: int, subject_type: str) -> tuple[Any, list[Any]]:
    paginator = Paginator(_grid_subjects(request, year, subject_type), GRID_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return page, list(page.object_list)


@login_required
def grid(request: HttpRequest, year: int, subject_type: str) -> HttpResponse:
    """Grade a whole level at once (UI.md page 3): one select per subject; refusals show inline."""
    if subject_type not in SubjectType.values or not services.year_is_valid(year):
        raise Http404
    department = _department(request)
    page, rows = _grid_page(request, year, subject_type)
    errors: dict[int, str] = {}
    status = 200
    if request.method == "POST":
        changes = _changes(request, rows, subject_type)
        errors = _apply(request, year, subject_type, changes, dry_run=False)
        if not errors:
            if changes:
                messages.success(request, f"已保存 {len(changes)} 条考核等次。")
            else:
                messages.info(request, "没有需要保存的修改。")
            return redirect(request.get_full_path())
        status = 400
    own = _own_round(year, department)
    submitted = {obj.pk: request.POST.get(f"grade-{obj.pk}", obj.grade or "") for obj in rows}
    # unit rows: the leadership team's and the head's grades as submitted (第二十四条)
    leadership = {
        obj.pk: [request.POST.get(f"{p}-{obj.pk}", getattr(obj, f, "") or "") for p, f in _LEADERSHIP_FIELDS.items()]
        for obj in rows
    }
    context = {
        "year": year,
        "subject_type": subject_type,
        "subject_label": selectors.SUBJECT_LABELS[SubjectType(subject_type)][0],
        "subject_types": [(value, selectors.SUBJECT_LABELS[SubjectType(value)][0]) for value in SubjectType.values],
        "grades": [(g, GRADE_LABELS[g]) for g in rules.GRADES_OF[subject_type]],
        "rows": [(obj, submitted[obj.pk], errors.get(obj.pk, ""), *leadership[obj.pk]) for obj in rows],
        "leadership_grades": [(g, GRADE_LABELS[g]) for g in rules.LEADERSHIP_GRADES],
        "head_grades": [(g, GRADE_LABELS[g]) for g in rules.HEAD_GRADES],
        "page_obj": page,
        "errors": errors,
        "round": own,
        "quotas": rules.quotas_for_rounds([own]) if own.pk else {},
    }
    return render(request, "assessment/grid.html", context, status=status)


@login_required
@require_POST
def grid_check(request: HttpRequest, year: int, subject_type: str) -> HttpResponse:
    """htmx: the grid's pending changes tried and rolled back — each row's refusal before saving."""
    if subject_type not in SubjectType.values or not services.year_is_valid(year):
        raise Http404
    _page, rows = _grid_page(request, year, subject_type)
    errors = _apply(request, year, subject_type, _changes(request, rows, subject_type), dry_run=True)
    items = [(obj.pk, errors.get(obj.pk, "")) for obj in rows]
    return render(request, "assessment/_grid_check.html", {"items": items, "errors": errors})


@login_required
@require_POST
def finalize(request: HttpRequest, year: int) -> HttpResponse:
    _department(request)
    try:
        services.assessment_round_finalize(actor=signed_in(request), year=year)
    except ValidationError as exc:
        messages.error(request, _first_error(exc))
    except Conflict as exc:  # already finalized
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, f"{year}年度考核已定档，等次不能再修改。")
    return redirect(reverse("assessment-overview") + f"?year={year}")


# --- Exports ---------------------------------------------------------------------------------------


@login_required
@require_POST
def export_start(request: HttpRequest, year: int) -> HttpResponseBase:
    """The export button: a small scope downloads at once; a large one becomes a job with progress."""
    scoping.require(request.user, "assessment.export")
    if not services.year_is_valid(year):
        raise Http404
    from .exports import row_total

    if row_total(user=request.user, year=year) <= services.export_sync_max_rows():
        return workbook_response(user=request.user, year=year)
    job = services.export_job_create(actor=signed_in(request), year=year)
    return redirect("assessment-export-job", pk=job.pk)


def _own_job(request: HttpRequest, pk: int) -> ExportJob:
    return get_object_or_404(ExportJob.objects.filter(user_id=request.user.pk or 0), pk=pk)


@login_required
def export_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    template = "assessment/_export_progress.html" if request.headers.get("HX-Request") else "assessment/export_job.html"
    return render(request, template, {"job": job, "waiting_to_queue": services.export_job_waiting_to_queue(job)})


@login_required
def export_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    job = _own_job(request, pk)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404
    filename = f"驻村考核-{job.year}.xlsx"
    audit_export(
        user=request.user, kind="assessment.exportjob", title=f"{job.year}年度考核结果（导出任务 {job.pk}）",
        params={"year": job.year}, rows=job.rows, filename=filename, action="export_job.download",
        object_id=str(job.pk),
    )  # fmt: skip
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=filename)


# --- Recall ---------------------------------------------------------------------------------------


class RecallCaseListView(ScopedListView):
    model = RecallCase
    template_name = "assessment/recall_list.html"
    required_action = "recall.view"

    def get_queryset(self) -> Any:
        return selectors.filtered_recall_cases(
            user=self.request.user,
            status=self.request.GET.get("status", ""),
            search=self.request.GET.get("search", ""),
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["statuses"] = RecallCase.Status.choices
        context["can_open"] = scoping.can(self.request.user, "recall.open")
        context["export_query"] = self.request.GET.urlencode()
        return context


@login_required
def recall_export(request: HttpRequest) -> HttpResponse:
    """The recall list as a print-ready xlsx, with the page's filters (UI.md: every list exports)."""
    scoping.require(request.user, "recall.view")
    cases = selectors.filtered_recall_cases(
        user=request.user, status=request.GET.get("status", ""), search=request.GET.get("search", "")
    )
    return _xlsx(request, recall_register(cases), "召回案件", kind="assessment.recallcase", rows=cases.count())


def _case(request: HttpRequest, pk: int) -> RecallCase:
    case = selectors.recall_cases(user=request.user).prefetch_related("sanctions").filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


@login_required
def recall_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    scoping.require(request.user, "recall.view")
    user = request.user
    return render(
        request,
        "assessment/recall_detail.html",
        {
            "case": case,
            "can_consult": case.status == "open" and rules.recall_consultation_refusal(user, case) is None,
            "can_decide": case.status == "open" and rules.recall_decision_refusal(user, case) is None,
        },
    )


@login_required
@require_POST
def recall_consult(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)  # out of scope: 404; the service refuses anyone but the unit and its department
    try:
        services.recall_case_consult(actor=signed_in(request), case=case, opinion=request.POST.get("opinion", ""))
    except ValidationError as exc:
        messages.error(request, _first_error(exc))
    except Conflict as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, "已记录派出单位意见。")
    return redirect("assessment-recall-detail", pk=case.pk)


@login_required
@require_POST
def recall_decide(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)  # out of scope: 404; the service refuses anyone but the assessing department
    try:
        services.recall_case_decide(
            actor=signed_in(request),
            case=case,
            decision=request.POST.get("decision", ""),
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        messages.error(request, _first_error(exc))
    except Conflict as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, "已作出召回决定。")
    return redirect("assessment-recall-detail", pk=case.pk)


@login_required
def recall_new(request: HttpRequest) -> HttpResponse:
    """第二十条3–7: open a case by hand, with evidence."""
    scoping.require(request.user, "recall.open")
    manual = [(v, label) for v, label in RecallCase.Trigger.choices if v not in RecallCase.AUTOMATIC_TRIGGERS]
    form_errors: dict[str, list[str]] = {}
    if request.method == "POST":
        cadre_id = parse_id(request.POST.get("cadre", ""))
        cadre = (
            scoping.restrict(Cadre.objects.select_related("team"), request.user).filter(pk=cadre_id).first()
            if cadre_id
            else None
        )
        if cadre is None:
            form_errors = {"cadre": ["该驻村干部不存在或不在您的管辖范围内。"]}
        else:
            try:
                case = services.recall_case_open(
                    actor=signed_in(request),
                    cadre=cadre,
                    trigger=request.POST.get("trigger", ""),
                    evidence=request.POST.get("evidence", ""),
                )
            except ValidationError as exc:
                form_errors = exc.message_dict
            else:
                messages.success(request, "已发起召回案件，请商派出单位后作出决定。")
                return redirect("assessment-recall-detail", pk=case.pk)
    return render(
        request,
        "assessment/recall_new.html",
        {
            "triggers": manual,
            "form_errors": form_errors,
            "data": request.POST,
            "initial_cadre": request.POST.get("cadre", request.GET.get("cadre", "")),
        },
        status=400 if form_errors else 200,
    )


# --- 第十七条 accountability, 第二十三条 key training, the personal file ------------------------------


@login_required
def accountability(request: HttpRequest) -> HttpResponse:
    """第十七条: the accountability records in scope, and a form to record one."""
    scoping.require(request.user, "assessment.accountability")
    units = scoping.restrict(Unit.objects.select_related("region").order_by("level", "name"), request.user)
    form_errors: dict[str, list[str]] = {}
    if request.method == "POST":
        post = request.POST
        unit_id = parse_id(post.get("unit", ""))
        unit = units.filter(pk=unit_id).first() if unit_id else None
        try:
            decided_on = dt.date.fromisoformat(post.get("decided_on", ""))
        except ValueError:
            form_errors = {"decided_on": ["请填写决定日期。"]}
        else:
            try:
                services.accountability_record(
                    actor=signed_in(request),
                    measure=post.get("measure", ""),
                    target_type=post.get("target_type", ""),
                    unit=unit,
                    person_name=post.get("person_name", ""),
                    failed_duty=post.get("failed_duty", ""),
                    facts=post.get("facts", ""),
                    decided_on=decided_on,
                )
            except ValidationError as exc:
                form_errors = exc.message_dict
            else:
                messages.success(request, "已记录追责问责。")
                return redirect("assessment-accountability")
    page = Paginator(selectors.accountability_records(user=request.user), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "assessment/accountability.html",
        {
            "page_obj": page,
            "units": units,
            "measures": AccountabilityRecord.Measure.choices,
            "form_errors": form_errors,
            "data": request.POST,
            "initial_decided_on": request.POST.get("decided_on", f"{timezone.localdate():%Y-%m-%d}"),
        },
        status=400 if form_errors else 200,
    )


@login_required
def accountability_export(request: HttpRequest) -> HttpResponse:
    """The accountability records in scope as a print-ready xlsx."""
    scoping.require(request.user, "assessment.accountability")
    records = selectors.accountability_records(user=request.user)
    return _xlsx(
        request, accountability_register(records), "追责问责记录", kind="assessment.accountabilityrecord",
        rows=records.count(),
    )  # fmt: skip


def _xlsx(request: HttpRequest, content: bytes, name: str, *, kind: str, rows: int) -> HttpResponse:
    """The download, once recorded in the audit trail (who took which list, filters, how many rows)."""
    filename = f"{name}-{timezone.localdate():%Y%m%d}.xlsx"
    audit_export(user=request.user, kind=kind, title=name, params=request.GET, rows=rows, filename=filename)
    return xlsx_response(content, filename)


@login_required
def key_training(request: HttpRequest) -> HttpResponse:
    """第二十三条: the key training ledger (重点培养对象台账) in scope."""
    scoping.require(request.user, "assessment.key_training")
    entries = scoping.restrict(
        KeyTrainingEntry.objects.select_related("cadre__unit", "cadre__team__village"), request.user
    ).order_by("-year", "village_code")
    page = Paginator(entries, 25).get_page(request.GET.get("page"))
    return render(request, "assessment/key_training.html", {"page_obj": page})


def _cadre(request: HttpRequest, pk: int) -> Cadre:
    cadre = scoping.restrict(Cadre.objects.select_related("team__village", "unit"), request.user).filter(pk=pk).first()
    if cadre is None:
        raise Http404
    return cadre


@login_required
def cadre_file(request: HttpRequest, pk: int) -> HttpResponse:
    """A cadre's assessment file: yearly results (第二十二条: equal to their unit assessment), recall
    cases and sanctions (第二十条), key training (第二十三条)."""
    cadre = _cadre(request, pk)
    scoping.require(request.user, "assessment.view")
    return render(
        request,
        "assessment/cadre_file.html",
        {
            "cadre": cadre,
            "results": AssessmentResult.objects.filter(cadre=cadre, subject_type=SubjectType.CADRE)
            .select_related("round")
            .order_by("-round__year"),
            "cases": RecallCase.objects.filter(cadre=cadre).order_by("-opened_at"),
            "sanctions": Sanction.objects.filter(cadre=cadre).order_by("kind"),
            "training": KeyTrainingEntry.objects.filter(cadre=cadre).order_by("-year"),
            "can_add_training": scoping.can(request.user, "assessment.key_training"),
            "year": default_year(),
        },
    )


@login_required
@require_POST
def key_training_add(request: HttpRequest, pk: int) -> HttpResponse:
    cadre = _cadre(request, pk)
    scoping.require(request.user, "assessment.key_training")
    raw = request.POST.get("year", "")
    try:
        services.key_training_add(
            actor=signed_in(request),
            cadre=cadre,
            year=parse_year(raw) or 0,
            reason=request.POST.get("reason", ""),
            measures=request.POST.get("measures", ""),
        )
    except ValidationError as exc:
        messages.error(request, _first_error(exc))
    else:
        messages.success(request, f"已将{cadre.name}列入重点培养对象台账。")
    return redirect("assessment-cadre-file", pk=cadre.pk)


# --- 第二十五条 双线考核: the teams' evaluation opinions ------------------------------------------------


def _opinion_forms(request: HttpRequest, year: int) -> list[dict[str, Any]]:
    """The leader's forms of ``year``: one on the county, one per dispatching unit of the team, each with
    the opinion already given (or what was just posted)."""
    cadre = getattr(request.user, "cadre", None)
    if cadre is None or rules.support_opinion_refusal(request.user, cadre.team) is not None:
        return []
    given = {(o.body_type, o.unit_id): o for o in SupportOpinion.objects.filter(year=year, team_id=cadre.team_id)}
    county = cadre.team.village.parent.parent if cadre.team.village.parent else None
    bodies: list[tuple[str, Unit | None, str]] = [
        ("county", None, f"{county.name if county else '所在县'}党委、政府扶贫脱贫工作")
    ]
    bodies += [("unit", unit, f"{unit.name}驻村帮扶工作") for unit in rules.support_opinion_units(cadre.team, year)]
    return [
        {
            "body_type": body_type,
            "unit": unit,
            "label": label,
            "key": f"{body_type}-{unit.pk if unit else ''}",
            "given": given.get((body_type, unit.pk if unit else None)),
        }
        for body_type, unit, label in bodies
    ]


@login_required
def support_opinions(request: HttpRequest) -> HttpResponse:
    """双线考核 (第二十五条): the team leader gives the team's yearly opinions on the county and on its
    dispatching units; organization departments and units read, per body, the opinions by grade, their
    mean score and the points they carry with the profile's weight, then the opinions themselves."""
    scoping.require(request.user, "assessment.support_opinions")
    year = parse_year(request.GET.get("year", "")) or timezone.localdate().year
    errors: dict[str, str] = {}
    posted_key = ""
    if request.method == "POST":
        scoping.require(request.user, "assessment.support_opinion")
        body_type, unit_id = request.POST.get("body_type", ""), parse_id(request.POST.get("unit", ""))
        posted_key = f"{body_type}-{unit_id or ''}"
        raw_score = request.POST.get("score", "").strip()
        try:
            score = Decimal(raw_score).quantize(Decimal("0.1")) if raw_score else None
        except (InvalidOperation, ValueError):
            score = None
        try:
            if raw_score and score is None:
                raise ValidationError({"score": ["评价分数应为 0 至 100 之间的数字。"]})
            services.support_opinion_submit(
                actor=signed_in(request),
                year=year,
                body_type=body_type,
                unit=Unit.objects.filter(pk=unit_id).first() if unit_id else None,
                grade=request.POST.get("grade", ""),
                score=score,
                opinion=request.POST.get("opinion", ""),
            )
        except ValidationError as exc:
            errors = {field: "；".join(m) for field, m in exc.message_dict.items()}
        except Conflict as exc:
            errors = {"detail": str(exc.detail)}
        else:
            messages.success(request, "评价意见已提交。")
            return redirect(reverse("assessment-support-opinions") + f"?year={year}")
    opinions = selectors.support_opinions(user=request.user, year=year)
    return render(
        request,
        "assessment/support_opinions.html",
        {
            "year": year,
            "years": list(range(timezone.localdate().year, 2014, -1))[:6],
            "forms": _opinion_forms(request, year),
            "grades": list(TeamGrade.choices),
            "summary": selectors.support_opinion_summary(user=request.user, year=year),
            "weight": rules.profile_for_year(year).team_opinion_weight,
            **paginate(request, opinions, per_page=50),  # the total and the page links keep the year
            "errors": errors,
            "posted_key": posted_key,
            "posted": request.POST if request.method == "POST" else {},
            "grade_labels": GRADE_LABELS,
            "perms_grade": scoping.can(request.user, "assessment.grade"),
        },
        status=400 if errors else 200,
    )
