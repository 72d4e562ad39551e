"""Supervision pages: the township's and county's random presence checks (issue and follow, 第十三条3)
and the cadre's phone page to answer one with a tap; the annual task list of every team and of one
team (第七条). Every object is fetched through zhucun.scoping
(out of scope → 404, then the role → 403); every change is one service call (supervision/services.py);
a refused change re-renders the form with its Chinese errors as a 400 and writes nothing."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import Role, User
from assessment.models import AccountabilityRecord
from cadres.models import Cadre, Team
from cadres.selectors import region_chain
from zhucun import scoping
from zhucun.api.errors import Conflict
from zhucun.inputs import PlausibleDateFormField, parse_id, parse_year
from zhucun.policy import profile_on
from zhucun.views import FilteredListView

from . import rules, selectors, services
from .filtersets import AnnualTaskFilterSet, PresenceCheckFilterSet
from .models import AnnualTask, Demand, InspectionInspector, InspectionPlan, InspectionResult, PresenceCheck


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # login_required ran first


def _errors(error: ValidationError) -> list[str]:
    return [
        message for messages_ in getattr(error, "message_dict", {"": error.messages}).values() for message in messages_
    ]


# --- 第十三条3 随机抽查 --------------------------------------------------------------------------


class PresenceCheckListView(FilteredListView):
    """随机抽查: the checks of the caller's region, filterable, exportable; issuing is one click away."""

    model = PresenceCheck
    queryset = PresenceCheck.objects.select_related("cadre__team__village", "issued_by")
    filterset_class = PresenceCheckFilterSet
    required_action = "presence.follow"
    template_name = "supervision/presence_list.html"
    sort_options = {
        "-issued": ("最新在前", ("-issued_at", "-id")),
        "status": ("按状态", ("status", "-issued_at", "-id")),
    }
    default_sort = "-issued"
    export_title = "随机抽查记录"
    export_headers = (
        "抽查时间",
        "驻村干部",
        "驻在村",
        "村代码",
        "确认时限（分钟）",
        "确认截止",
        "状态",
        "确认时间",
        "距村中心（米）",
        "抽查人",
    )
    export_widths = (18, 12, 14, 16, 10, 18, 12, 18, 12, 14)

    def export_row(self, check: PresenceCheck) -> list[Any]:
        def moment(value: Any) -> str:
            return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""

        return [
            moment(check.issued_at),
            check.cadre.name,
            check.cadre.team.village.name,
            check.village_code,
            check.minutes,
            moment(check.due_at),
            check.get_status_display(),
            moment(check.answered_at),
            check.distance_m if check.distance_m is not None else "",
            check.issued_by.username if check.issued_by else "",
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["may_issue"] = scoping.can(self.request.user, "presence.issue")
        context["profile"] = profile_on(timezone.localdate())
        return context


class PresenceIssueForm(forms.Form):
    minutes = forms.IntegerField(
        label="确认时限（分钟）",
        min_value=1,
        max_value=1440,
        initial=30,
        error_messages={"required": "请填写确认时限（分钟）。", "invalid": "确认时限应为整数（分钟）。"},
    )


@login_required
def presence_issue(request: HttpRequest) -> HttpResponse:
    """发起随机抽查: choose a cadre in post and the minutes they have to confirm. The cadre named in the
    POST is fetched through the caller's scope (404), then the role is asked (403)."""
    profile = profile_on(timezone.localdate())
    form = PresenceIssueForm(request.POST or None)
    status = 200
    chosen: Cadre | None = None
    if request.method == "POST":
        cadre_id = parse_id(request.POST.get("cadre", ""))
        if cadre_id is not None:
            chosen = get_object_or_404(scoping.restrict(Cadre.objects.all(), request.user), pk=cadre_id)
        scoping.require(request.user, "presence.issue")
        if chosen is None:
            form.add_error(None, "请选择被抽查的驻村干部。")
        elif form.is_valid():
            try:
                check = services.presence_check_issue(
                    actor=_user(request), cadre=chosen, minutes=form.cleaned_data["minutes"]
                )
            except ValidationError as error:
                for message in _errors(error):
                    form.add_error(None, message)
            else:
                messages.success(
                    request,
                    f"已向{chosen.name}发起随机抽查，须在 {timezone.localtime(check.due_at):%H:%M} 前确认在岗。",
                )
                return redirect("supervision-presence-list")
        status = 400
    else:
        scoping.require(request.user, "presence.issue")
    return render(
        request,
        "supervision/presence_issue.html",
        {
            "form": form,
            "cadres": selectors.issuable_cadres(user=request.user)[:2000],
            "chosen": chosen.pk if chosen else parse_id(request.GET.get("cadre", "")),
            "profile": profile,
        },
        status=status,
    )


@login_required
def presence_mine(request: HttpRequest) -> HttpResponse:
    """The cadre's phone page: the pending check with one button (the phone reads its position once,
    static/js/app.js ``data-zc-locate``), and the recent checks."""
    scoping.require(request.user, "presence.answer")
    return _render_mine(request)


def _render_mine(request: HttpRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    now = timezone.now()
    rows = list(selectors.my_presence_checks(user=request.user)[:20])
    pending = [c for c in rows if c.status == PresenceCheck.Status.PENDING and c.due_at >= now]
    history = [c for c in rows if c not in pending]
    return render(
        request,
        "supervision/presence_mine.html",
        {"pending": pending, "history": history, "error": error, "now": now},
        status=status,
    )


@login_required
@require_POST
def presence_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The one tap: the form carries the position the phone read; the answer is the service's."""
    check = get_object_or_404(selectors.presence_checks(user=request.user), pk=pk)
    scoping.require(request.user, "presence.answer")
    if check.cadre_id != getattr(request.user, "cadre_id", None):
        raise PermissionDenied("只有被抽查的驻村干部本人可以确认在岗。")
    try:
        latitude = float(request.POST.get("latitude", ""))
        longitude = float(request.POST.get("longitude", ""))
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise ValueError
    except ValueError:
        return _render_mine(request, error="没有读到手机位置：请允许浏览器使用定位后再点「确认在岗」。", status=400)
    try:
        answered = services.presence_check_answer(
            actor=_user(request), check=check, latitude=latitude, longitude=longitude
        )
    except ValidationError as error:
        return _render_mine(request, error="；".join(_errors(error)), status=400)
    except Conflict as conflict:
        return _render_mine(request, error=str(conflict.detail), status=409)
    if answered.status == PresenceCheck.Status.PRESENT:
        messages.success(request, "已确认在岗。")
    else:
        messages.warning(request, f"已收到确认，但位置不在签到范围内（距村 {answered.distance_m} 米），将由乡镇核实。")
    return redirect(reverse("supervision-presence-mine"))


# --- 第七条 年度帮扶任务清单 ---------------------------------------------------------------------------


def _task_year(request: HttpRequest) -> int:
    today = timezone.localdate()
    year = parse_year(request.GET.get("year", "") or request.POST.get("year", ""))
    return year if year is not None and rules.FIRST_TASK_YEAR <= year <= today.year + 1 else today.year


class AnnualTaskListView(FilteredListView):
    """帮扶任务清单: the tasks of every team the caller sees (a county its teams, a unit its teams),
    overdue flagged, filterable by year, kind and state, exportable."""

    model = AnnualTask
    queryset = AnnualTask.objects.select_related("team__village__parent", "team__unit")
    filterset_class = AnnualTaskFilterSet
    required_action = "tasks.overview"
    template_name = "supervision/task_list.html"
    sort_options = {
        "deadline": ("按完成时限", ("deadline", "village_code", "id")),
        "village": ("按村", ("village_code", "kind", "deadline", "id")),
        "-progress": ("按进度（高到低）", ("-progress", "deadline", "id")),
    }
    default_sort = "deadline"
    export_title = "驻村工作队年度帮扶任务清单"
    export_headers = (
        "年度",
        "乡镇",
        "村",
        "村代码",
        "派出单位",
        "类别",
        "提出方",
        "任务",
        "任务目标",
        "工作要求",
        "完成时限",
        "县直责任部门",
        "进度（%）",
        "进展情况",
        "状态",
    )
    export_widths = (8, 12, 12, 16, 22, 10, 10, 28, 36, 30, 12, 18, 8, 30, 8)

    def export_row(self, task: AnnualTask) -> list[Any]:
        return [
            task.year,
            task.team.village.parent.name if task.team.village.parent else "",
            task.team.village.name,
            task.village_code,
            task.team.unit.name,
            task.get_kind_display(),
            task.get_origin_display(),
            task.title,
            task.target,
            task.requirements,
            task.deadline.isoformat(),
            task.responsible_department,
            task.progress,
            task.progress_note,
            _state_label(task, timezone.localdate()),
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["today"] = timezone.localdate()
        return context


def _state_label(task: AnnualTask, today: Any) -> str:
    if task.done:
        return "已完成"
    return "已逾期" if rules.is_overdue(done=task.done, deadline=task.deadline, today=today) else "进行中"


_CONTROL = {"class": "form-control"}


class TaskForm(forms.Form):
    title = forms.CharField(label="任务", max_length=200, widget=forms.TextInput(attrs=_CONTROL))
    target = forms.CharField(label="任务目标", max_length=1000, widget=forms.Textarea(attrs={**_CONTROL, "rows": 2}))
    requirements = forms.CharField(
        label="工作要求", max_length=1000, required=False, widget=forms.Textarea(attrs={**_CONTROL, "rows": 2})
    )
    deadline = PlausibleDateFormField(
        label="完成时限",
        widget=forms.DateInput(attrs={**_CONTROL, "type": "date"}),
        error_messages={"invalid": "请填写正确的日期，如 2026-12-31。", "required": "请填写完成时限。"},
    )
    responsible_department = forms.CharField(
        label="县直责任部门", max_length=100, required=False, widget=forms.TextInput(attrs=_CONTROL)
    )


class ProgressForm(forms.Form):
    progress = forms.IntegerField(
        label="进度（%）",
        min_value=0,
        max_value=100,
        required=False,
        error_messages={"invalid": "进度应为 0 至 100 之间的整数。"},
    )
    note = forms.CharField(label="进展情况", max_length=300, required=False)
    done = forms.ChoiceField(label="完成", choices=[("", "不变"), ("1", "已完成"), ("0", "未完成")], required=False)


def _team(request: HttpRequest, pk: int) -> Team:
    return get_object_or_404(
        scoping.restrict(Team.objects.select_related("village__parent__parent", "unit"), request.user), pk=pk
    )


def _render_team_tasks(
    request: HttpRequest, team: Team, year: int, *, forms_: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    today = timezone.localdate()
    user = request.user
    rows = list(selectors.team_tasks(team=team, year=year))
    for task in rows:
        task.team = team  # the rules ask about the task's team: no query per row
    may_progress = {task.pk for task in rows if rules.may_report_progress(user, task)}
    forms_ = forms_ or {}
    return render(
        request,
        "supervision/team_tasks.html",
        {
            "team": team,
            "chain": region_chain(team.village),
            "year": year,
            "years": list(range(today.year + 1, rules.FIRST_TASK_YEAR - 1, -1)),
            "required": [t for t in rows if t.kind == AnnualTask.Kind.REQUIRED],
            "optional": [t for t in rows if t.kind == AnnualTask.Kind.OPTIONAL],
            "may_progress": may_progress,
            "may_set_required": rules.origin_of(user, team, AnnualTask.Kind.REQUIRED) is not None,
            "may_set_optional": rules.origin_of(user, team, AnnualTask.Kind.OPTIONAL) is not None,
            "required_form": forms_.get("required") or TaskForm(prefix="required"),
            "optional_form": forms_.get("optional") or TaskForm(prefix="optional"),
            "error_task": forms_.get("error_task"),
            "progress_errors": forms_.get("progress_errors", []),
            "today": today,
        },
        status=status,
    )


@login_required
def team_tasks(request: HttpRequest, pk: int) -> HttpResponse:
    """One team's list for a year: 规定内容 and 自选内容 with progress; the county adds 规定内容, the unit
    and the team's leader 自选内容, and whoever may reports progress."""
    team = _team(request, pk)
    scoping.require(request.user, "tasks.view")
    return _render_team_tasks(request, team, _task_year(request))


@login_required
@require_POST
def task_new(request: HttpRequest, pk: int) -> HttpResponse:
    team = _team(request, pk)
    kind = request.POST.get("kind", "")
    if kind not in AnnualTask.Kind.values:
        kind = AnnualTask.Kind.OPTIONAL
    scoping.require(request.user, "tasks.set_required" if kind == AnnualTask.Kind.REQUIRED else "tasks.set_optional")
    year = _task_year(request)
    form = TaskForm(request.POST, prefix=kind)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.task_create(
                actor=_user(request),
                team=team,
                year=year,
                kind=kind,
                title=data["title"],
                target=data["target"],
                requirements=data["requirements"],
                deadline=data["deadline"],
                responsible_department=data["responsible_department"],
            )
        except ValidationError as error:
            for field, messages_ in getattr(error, "message_dict", {"__all__": error.messages}).items():
                for message in messages_:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, f"已加入{year}年{AnnualTask.Kind(kind).label}：{data['title']}")
            return redirect(f"{reverse('supervision-team-tasks', args=[team.pk])}?year={year}")
    return _render_team_tasks(request, team, year, forms_={kind: form}, status=400)


@login_required
@require_POST
def task_progress(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(selectors.tasks(user=request.user), pk=pk)
    scoping.require(request.user, "tasks.update")
    form = ProgressForm(request.POST)
    errors: list[str] = []
    if form.is_valid():
        data = form.cleaned_data
        done = {"1": True, "0": False}.get(data["done"] or "")
        try:
            services.task_update(
                actor=_user(request), task=task, progress=data["progress"], done=done, note=data["note"] or None
            )
        except ValidationError as error:
            errors = _errors(error)
        else:
            messages.success(request, f"已更新「{task.title}」的进展。")
            return redirect(f"{reverse('supervision-team-tasks', args=[task.team_id])}?year={task.year}")
    else:
        errors = [str(message) for messages_ in form.errors.values() for message in messages_]
    return _render_team_tasks(
        request, task.team, task.year, forms_={"error_task": task.pk, "progress_errors": errors}, status=400
    )


# --- 第十三条2 明查暗访、交叉检查、集中督导 ----------------------------------------------------------------


class PlanForm(forms.Form):
    kind = forms.ChoiceField(
        label="检查方式", choices=InspectionPlan.Kind.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    title = forms.CharField(label="名称", max_length=200, widget=forms.TextInput(attrs=_CONTROL))
    scope_code = forms.CharField(
        label="检查范围（区划代码）",
        max_length=12,
        help_text="如 130102（县）或 130102001（乡镇）",
        widget=forms.TextInput(attrs=_CONTROL),
    )
    start = PlausibleDateFormField(label="开始日期", widget=forms.DateInput(attrs={**_CONTROL, "type": "date"}))
    end = PlausibleDateFormField(label="结束日期", widget=forms.DateInput(attrs={**_CONTROL, "type": "date"}))
    note = forms.CharField(
        label="检查内容", max_length=2000, required=False, widget=forms.Textarea(attrs={**_CONTROL, "rows": 2})
    )


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    for field, messages_ in getattr(error, "message_dict", {"__all__": error.messages}).items():
        for message in messages_:
            form.add_error(field if field in form.fields else None, message)


def _render_plans(request: HttpRequest, *, form: PlanForm | None = None, status: int = 200) -> HttpResponse:
    from zhucun.views import paginate

    rows = selectors.inspection_plans(user=request.user)
    return render(
        request,
        "supervision/inspection_list.html",
        {
            **paginate(request, rows),
            "form": form or PlanForm(),
            "may_plan": scoping.can(request.user, "inspection.plan") and rules.organizer_of(request.user) is not None,
            "today": timezone.localdate(),
        },
        status=status,
    )


@login_required
def inspections(request: HttpRequest) -> HttpResponse:
    """督导检查: the plans the caller sees, newest first; an organization department plans one here."""
    scoping.require(request.user, "inspection.view")
    return _render_plans(request)


@login_required
@require_POST
def inspection_new(request: HttpRequest) -> HttpResponse:
    scoping.require(request.user, "inspection.plan")
    form = PlanForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.inspection_plan_create(
                actor=_user(request),
                kind=data["kind"],
                title=data["title"],
                scope_code=data["scope_code"],
                start=data["start"],
                end=data["end"],
                note=data["note"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"已建立检查计划：{plan.title}")
            return redirect("supervision-inspection-detail", pk=plan.pk)
    return _render_plans(request, form=form, status=400)


class InspectorForm(forms.Form):
    username = forms.CharField(label="检查人员账号", max_length=200, widget=forms.TextInput(attrs=_CONTROL))


class ResultForm(forms.Form):
    team = forms.IntegerField(label="工作队", widget=forms.Select(attrs={"class": "form-select"}))
    cadre = forms.IntegerField(label="驻村干部", required=False, widget=forms.NumberInput(attrs=_CONTROL))
    date = PlausibleDateFormField(label="检查日期", widget=forms.DateInput(attrs={**_CONTROL, "type": "date"}))
    time = forms.TimeField(
        label="检查时间", required=False, widget=forms.TimeInput(attrs={**_CONTROL, "type": "time"}),
        error_messages={"invalid": "时间格式应为 HH:MM。"},
    )  # fmt: skip
    outcome = forms.ChoiceField(
        label="结果", choices=InspectionResult.Outcome.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    note = forms.CharField(label="情况说明", max_length=500, required=False, widget=forms.TextInput(attrs=_CONTROL))
    measure = forms.ChoiceField(
        label="转为追责问责（第十七条）",
        required=False,
        choices=[("", "不问责"), *AccountabilityRecord.Measure.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )


def _plan(request: HttpRequest, pk: int) -> InspectionPlan:
    return get_object_or_404(scoping.restrict(InspectionPlan.objects.all(), request.user), pk=pk)


def _render_plan(
    request: HttpRequest,
    plan: InspectionPlan,
    *,
    inspector_form: InspectorForm | None = None,
    result_form: ResultForm | None = None,
    status: int = 200,
) -> HttpResponse:
    from cadres.models import Region

    user = request.user
    may_record = scoping.can(user, "inspection.record") and services.may_record(user, plan)
    teams = list(selectors.plan_teams(plan=plan, user=user)[:2000]) if may_record else []
    return render(
        request,
        "supervision/inspection_detail.html",
        {
            "plan": plan,
            "scope_region": Region.objects.filter(code=plan.scope_code).first(),
            "inspectors": list(selectors.plan_inspectors(plan=plan)),
            "results": list(selectors.plan_results(plan=plan, user=user)[:500]),
            "is_organizer": rules.is_organizer(user, plan),
            "may_record": may_record,
            "teams": teams,
            "members": Cadre.objects.filter(team__in=teams, status=Cadre.Status.ACTIVE)
            .select_related("team__village")
            .order_by("team__village_id", "name")
            if teams
            else [],
            "inspector_form": inspector_form or InspectorForm(),
            "result_form": result_form or ResultForm(initial={"date": timezone.localdate().isoformat()}),
            "today": timezone.localdate(),
        },
        status=status,
    )


@login_required
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One plan: its region, dates and inspectors (交叉检查: each lent the region until the plan's end,
    revocable here), its results per team and cadre, and the form to record one."""
    plan = _plan(request, pk)
    scoping.require(request.user, "inspection.view")
    return _render_plan(request, plan)


@login_required
@require_POST
def inspection_grant(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    scoping.require(request.user, "inspection.grant")
    form = InspectorForm(request.POST)
    if form.is_valid():
        try:
            inspector = services.inspector_add(actor=_user(request), plan=plan, username=form.cleaned_data["username"])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            granted = f"，授权查看至 {plan.end:%Y-%m-%d}" if inspector.grant_id else ""
            messages.success(request, f"已指定 {inspector.user.username} 为检查人员{granted}。")
            return redirect("supervision-inspection-detail", pk=plan.pk)
    return _render_plan(request, plan, inspector_form=form, status=400)


@login_required
@require_POST
def inspection_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    inspector = get_object_or_404(
        scoping.restrict(InspectionInspector.objects.select_related("plan", "user", "grant"), request.user), pk=pk
    )
    scoping.require(request.user, "inspection.grant")
    plan_pk = inspector.plan_id
    name = inspector.user.username
    services.inspector_remove(actor=_user(request), inspector=inspector)
    messages.success(request, f"已撤销 {name} 的检查人员身份及其授权。")
    return redirect("supervision-inspection-detail", pk=plan_pk)


@login_required
@require_POST
def inspection_result(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    scoping.require(request.user, "inspection.record")
    form = ResultForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        team = get_object_or_404(scoping.restrict(Team.objects.select_related("unit"), request.user), pk=data["team"])
        cadre = (
            get_object_or_404(scoping.restrict(Cadre.objects.select_related("team"), request.user), pk=data["cadre"])
            if data["cadre"]
            else None
        )
        try:
            services.inspection_result_record(
                actor=_user(request), plan=plan, team=team, cadre=cadre, day=data["date"], time=data["time"],
                outcome=data["outcome"], note=data["note"], measure=data["measure"],
            )  # fmt: skip
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "检查结果已记录。")
            return redirect("supervision-inspection-detail", pk=plan.pk)
    return _render_plan(request, plan, result_form=form, status=400)


# --- 第八条 减轻驻村干部负担, 第十一条 不得抽调驻村干部返回单位工作 ------------------------------------------


@login_required
def burden(request: HttpRequest) -> HttpResponse:
    """减负监测: a month's demands on the cadres — per cadre (by village, never ranked) and per demanding
    body — and the units flagged for calling cadres back (第十一条); ``?export=xlsx`` downloads the per-cadre
    table (audited)."""
    import re

    from zhucun.audit import audit_export
    from zhucun.exports.xlsx import write_table, xlsx_response
    from zhucun.inputs import InvalidInput, parse_month

    scoping.require(request.user, "burden.view")
    month = parse_month(request.GET.get("month"), default=timezone.localdate().replace(day=1))
    region = request.GET.get("region", "").strip()
    if region and not re.fullmatch(r"\d{2,12}", region):
        raise InvalidInput({"region": ["区划代码应为 2 至 12 位数字，例如 130102。"]})
    data = selectors.burden_month(user=request.user, month=month, region=region)
    kinds = Demand.Kind.choices
    if request.GET.get("export") == "xlsx":
        title = f"{month:%Y年%m月}驻村干部工作负担（第八条）"
        rows = [
            [row["cadre__team__village__name"], row["village_code"], row["cadre__name"], row["total"],
             *[row[f"n_{kind}"] for kind, _ in kinds]]
            for row in data.by_cadre
        ]  # fmt: skip
        content = write_table(
            title=title, headers=("驻在村", "村代码", "驻村干部", "合计", *[label for _, label in kinds]), rows=rows
        )
        audit_export(
            user=request.user,
            kind="supervision.demand",
            title=title,
            params=request.GET,
            rows=len(rows),
            filename="burden.xlsx",
        )
        return xlsx_response(content, "burden.xlsx")
    return render(
        request,
        "supervision/burden.html",
        {
            "data": data,
            "kinds": kinds,
            "region": region,
            "month_value": f"{month:%Y-%m}",
            "may_record": scoping.can(request.user, "burden.record"),
        },
    )


class DemandForm(forms.Form):
    date = PlausibleDateFormField(label="日期", widget=forms.DateInput(attrs={**_CONTROL, "type": "date"}))
    kind = forms.ChoiceField(
        label="类别", choices=Demand.Kind.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    demanding_body = forms.CharField(
        label="提出单位",
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={**_CONTROL, "placeholder": "如：县扶贫办、乡镇政府"}),
    )
    description = forms.CharField(label="事项", max_length=300, required=False, widget=forms.TextInput(attrs=_CONTROL))


@login_required
def demand_new(request: HttpRequest) -> HttpResponse:
    """登记工作要求 (第八条): a body records what it asks of cadres; a cadre reports what is asked of them."""
    scoping.require(request.user, "burden.record")
    is_cadre = getattr(request.user, "role", "") == Role.CADRE
    form = DemandForm(request.POST or None, initial={"date": timezone.localdate().isoformat()})
    status = 200
    if request.method == "POST":
        status = 400
        raw = request.POST.get("cadre", "") if not is_cadre else str(getattr(request.user, "cadre_id", "") or "")
        cadre_id = parse_id(raw)
        cadre = (
            get_object_or_404(scoping.restrict(Cadre.objects.select_related("team"), request.user), pk=cadre_id)
            if cadre_id is not None
            else None
        )
        if cadre is None:
            form.add_error(None, "请选择驻村干部。")
        elif form.is_valid():
            data = form.cleaned_data
            try:
                services.demand_record(
                    actor=_user(request), cadre=cadre, day=data["date"], kind=data["kind"],
                    demanding_body=data["demanding_body"], description=data["description"],
                )  # fmt: skip
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request, f"已登记：{cadre.name} {data['date']:%m月%d日} {Demand.Kind(data['kind']).label}。"
                )
                return redirect("supervision-demand-new")
    return render(
        request,
        "supervision/demand_new.html",
        {
            "form": form,
            "is_cadre": is_cadre,
            "cadres": [] if is_cadre else selectors.issuable_cadres(user=request.user)[:2000],
            "default_body": services.body_name_of(request.user),
        },
        status=status,
    )
