"""The administrators' own pages (三员分立, issue 10 item 12, decision 0048): the security
administrator's region grants (交叉检查, 第十三条2) and the system administrator's view of how the
system runs (the policy profile in force and its versions, the scheduled jobs). The audit
administrator's page is the audit viewer (``audit.view``); the accounts pages serve the security
administrator as they serve organization departments."""

from __future__ import annotations

import dataclasses

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhucun import scoping

from . import services
from .authentication import signed_in
from .models import RegionGrant


class GrantForm(forms.Form):
    username = forms.CharField(label="账号", max_length=200, widget=forms.TextInput(attrs={"class": "form-control"}))
    region = forms.CharField(
        label="授权查看的区划代码",
        max_length=12,
        help_text="如 130104（县）或 130104001（乡镇）",
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    valid_until = forms.DateField(
        label="有效期至",
        required=False,
        widget=forms.DateInput(attrs={"class": "form-control", "type": "date"}),
        error_messages={"invalid": "请填写正确的日期，如 2026-12-31。"},
    )
    reason = forms.CharField(label="事由", max_length=200, widget=forms.TextInput(attrs={"class": "form-control"}))


@login_required
def grant_list(request: HttpRequest) -> HttpResponse:
    """Live and lapsed region grants in the security administrator's region, and a form to add one."""
    scoping.require(request.user, "grant.manage")
    form = GrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            grant = services.grant_create(
                actor=signed_in(request),
                username=data["username"],
                region_code=data["region"],
                valid_until=data["valid_until"],
                reason=data["reason"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error("region" if field == "region" else field if field in form.fields else None, errors)
        else:
            messages.success(
                request, f"已授权 {grant.user.username} 查看{grant.content_object.name}，至 {grant.valid_until} 止。"
            )
            return redirect("grant-list")
    grants = scoping.restrict(
        RegionGrant.objects.select_related("user", "content_object").order_by("-valid_until", "-id"), request.user
    )
    return render(
        request,
        "accounts/grant_list.html",
        {"grants": list(grants[:500]), "form": form, "today": timezone.localdate()},
    )


@login_required
@require_POST
def grant_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    grant = get_object_or_404(scoping.restrict(RegionGrant.objects.select_related("user"), request.user), pk=pk)
    services.grant_revoke(actor=signed_in(request), grant=grant)
    messages.success(request, f"已撤销 {grant.user.username} 对 {grant.content_object_id} 的授权。")
    return redirect("grant-list")


@login_required
def system_overview(request: HttpRequest) -> HttpResponse:
    """What the system runs on: the policy profile in force today with its dated versions, and the
    scheduled jobs (zhucun/jobs.py). Read-only: a version is added, never edited (decision 0005)."""
    scoping.require(request.user, "system.operate")
    from zhucun.jobs import SCHEDULED_JOBS
    from zhucun.models import PolicyProfileVersion
    from zhucun.policy import profile_on

    profile = profile_on(timezone.localdate())
    return render(
        request,
        "accounts/system_overview.html",
        {
            "profile": [(field.name, getattr(profile, field.name)) for field in dataclasses.fields(profile)],
            "versions": list(PolicyProfileVersion.objects.select_related("created_by")[:200]),
            "jobs": [(name, str(schedule)) for name, schedule in SCHEDULED_JOBS],
        },
    )
