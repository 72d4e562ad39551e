"""Account pages for organization departments: who has access in my area, and adding an account."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from zhucun import scoping
from zhucun.views import ScopedListView

from .models import Role, User
from .services import account_create


class AccountListView(ScopedListView):
    """Accounts in the caller's scope, searchable by username or scope name."""

    model = User
    queryset = User.objects.select_related("region", "unit", "cadre").order_by("role", "username")
    template_name = "accounts/account_list.html"
    required_action = "account.view"

    def get_queryset(self) -> QuerySet[Any]:
        queryset = super().get_queryset()
        search = self.request.GET.get("search", "").strip()
        if search:
            queryset = queryset.filter(
                Q(username__icontains=search)
                | Q(region__name__icontains=search)
                | Q(unit__name__icontains=search)
                | Q(cadre__name__icontains=search)
            )
        role = self.request.GET.get("role", "")
        return queryset.filter(role=role) if role in Role.values else queryset

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["roles"] = Role.choices
        context["form"] = AccountForm()
        return context


class AccountForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150, widget=forms.TextInput(attrs={"class": "form-control"}))
    password = forms.CharField(label="初始密码", widget=forms.PasswordInput(attrs={"class": "form-control"}))
    role = forms.ChoiceField(label="角色", choices=Role.choices, widget=forms.Select(attrs={"class": "form-select"}))
    scope = forms.CharField(
        label="范围",
        max_length=20,
        help_text="区划代码（如 130125100）、派出单位编号或驻村干部编号",
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


@login_required
def account_create_page(request: HttpRequest) -> HttpResponse:
    scoping.require(request.user, "account.create")
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = account_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"已创建账号 {user.username}（{user.get_role_display()}：{user.scope_label}）。")
            return redirect("account-list")
    return render(request, "accounts/account_form.html", {"form": form})
