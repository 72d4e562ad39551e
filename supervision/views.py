"""Supervision pages: the township's and county's random presence checks (issue and follow, 第十三条3)
and the cadre's phone page to answer one with a tap. Every object is fetched through zhucun.scoping
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

from accounts.models import User
from cadres.models import Cadre
from zhucun import scoping
from zhucun.api.errors import Conflict
from zhucun.inputs import parse_id
from zhucun.policy import profile_on
from zhucun.views import FilteredListView

from . import selectors, services
from .filtersets import PresenceCheckFilterSet
from .models import PresenceCheck


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
