"""Account pages for organization departments and the security administrator: who has access in my
area, adding an account, and one account's security — lock state, devices, password, on/off."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from zhucun import scoping
from zhucun.inputs import parse_id
from zhucun.views import ScopedListView

from . import services
from .authentication import signed_in
from .lockout import client_ip
from .models import ApiToken, Role, User
from .receivers import DEVICE_SEEN, REMEMBERED_DEVICE
from .selectors import creatable_roles, devices_of, lock_states, scope_choices
from .services import account_create


class SignInForm(AuthenticationForm):
    remember = forms.BooleanField(label="记住本机", required=False)


def device_label(user_agent: str) -> str:
    """A readable name for a browser from its User-Agent: 「Android 手机 · 微信」, 「Windows 电脑 · Edge」."""
    agent = user_agent or ""
    lowered = agent.lower()
    system = next(
        (
            label
            for marker, label in (
                ("iphone", "iPhone"),
                ("ipad", "iPad"),
                ("harmonyos", "鸿蒙手机"),
                ("android", "Android 手机"),
                ("windows", "Windows 电脑"),
                ("mac os", "Mac 电脑"),
                ("linux", "Linux 电脑"),
            )
            if marker in lowered
        ),
        "未知设备",
    )
    browser = next(
        (
            label
            for marker, label in (
                ("micromessenger", "微信"),
                ("dingtalk", "钉钉"),
                ("wxwork", "企业微信"),
                ("edg/", "Edge"),
                ("chrome/", "Chrome"),
                ("firefox/", "Firefox"),
                ("safari/", "Safari"),
            )
            if marker in lowered
        ),
        "浏览器",
    )
    return f"{system} · {browser}"


class SignInView(LoginView):
    """The login form. 记住本机 keeps a cadre signed in on this browser for
    ``ZHUCUN_REMEMBER_DEVICE_DAYS`` as a revocable device (decision 0172); staff keep the short
    session and the idle timeout (decision 0042)."""

    form_class = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "remember_days": settings.ZHUCUN_REMEMBER_DEVICE_DAYS}

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)  # logs in: a new session key
        user = form.get_user()
        if not form.cleaned_data.get("remember"):
            return response
        if not isinstance(user, User) or user.role != Role.CADRE:
            hours = round(settings.SESSION_COOKIE_AGE / 3600)
            messages.info(
                self.request,
                f"「记住本机」只适用于驻村干部账号；工作人员账号登录 {hours} 小时后或闲置时需重新登录。",
            )
            return response
        _remember_this_browser(self.request, user)
        return response


def _remember_this_browser(request: HttpRequest, user: User, *, label: str = "") -> ApiToken | None:
    device = services.device_remember(
        user=user,
        session_key=request.session.session_key or "",
        device=label or device_label(request.META.get("HTTP_USER_AGENT", "")),
        ip=client_ip(request),
    )
    if device is not None and device.expires_at is not None:
        request.session.set_expiry(device.expires_at)
        request.session[REMEMBERED_DEVICE] = device.pk
        request.session[DEVICE_SEEN] = device.created_at.timestamp()
    return device


class AccountListView(ScopedListView):
    """Accounts in the caller's scope, searchable by username or scope name, with their lock state."""

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
        context["form"] = AccountForm(user=self.request.user)
        locked = lock_states(list(context["object_list"]))
        for account in context["object_list"]:
            account.locked_until = locked.get(account.username)
        return context


class AccountForm(forms.Form):
    """A new account. The role list offers only the roles below the creator's; the scope is picked by
    searching names (``account-scope-search``), never typed from a page's address (issue 15 item 7)."""

    username = forms.CharField(label="用户名", max_length=200, widget=forms.TextInput(attrs={"class": "form-control"}))
    password = forms.CharField(
        label="初始密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "new-password"}),
    )
    role = forms.ChoiceField(label="角色", choices=Role.choices, widget=forms.Select(attrs={"class": "form-select"}))
    scope = forms.CharField(
        label="范围",
        max_length=20,
        error_messages={"required": "请搜索并选择账号所属的区划、派出单位或驻村干部。"},
        widget=forms.HiddenInput(attrs={"data-zc-scope-value": ""}),
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        roles = creatable_roles(user) if user is not None else list(Role)
        role_field = self.fields["role"]
        assert isinstance(role_field, forms.ChoiceField)
        role_field.choices = [(role.value, role.label) for role in roles]
        role_field.error_messages["invalid_choice"] = "只能创建下级账号，请从列表中选择角色。"


def _scope_label(user: Any, role: str, value: str) -> str:
    """The chosen scope's name again, when the form comes back with an error."""
    if not value:
        return ""
    for choice in scope_choices(user=user, role=role, value=value):
        return f"{choice['label']}（{choice['detail']}）"
    return ""


@login_required
def account_create_page(request: HttpRequest) -> HttpResponse:
    scoping.require(request.user, "account.create")
    form = AccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            user = account_create(actor=signed_in(request), **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"已创建账号 {user.username}（{user.get_role_display()}：{user.scope_label}）。")
            return redirect("account-list")
    chosen = ""
    if request.method == "POST":
        chosen = _scope_label(request.user, request.POST.get("role", ""), request.POST.get("scope", "").strip())
    return render(request, "accounts/account_form.html", {"form": form, "chosen": chosen})


@login_required
def account_scope_search(request: HttpRequest) -> HttpResponse:
    """The account form's search (htmx): cadres by name with region path and unit, units or regions of
    the chosen role, within the creator's scope."""
    scoping.require(request.user, "account.create")
    role = request.GET.get("role", "")
    search = request.GET.get("q", "")
    return render(
        request,
        "accounts/includes/scope_choices.html",
        {"choices": scope_choices(user=request.user, role=role, search=search), "search": search.strip(), "role": role},
    )


def _account_in_scope(request: HttpRequest, pk: int) -> User:
    """The account, fetched through the caller's scope: out of scope is 404 before any role check."""
    queryset = User.objects.select_related("region", "unit", "cadre__team")
    return get_object_or_404(scoping.restrict(queryset, request.user), pk=pk)


class PasswordResetForm(forms.Form):
    password = forms.CharField(
        label="临时密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )


@login_required
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account_in_scope(request, pk)
    scoping.require(request.user, "account.view")
    user = request.user
    return render(
        request,
        "accounts/account_detail.html",
        {
            "account": account,
            "locked_until": lock_states([account]).get(account.username),
            "tokens": devices_of(account),
            "idle_days": settings.ZHUCUN_TOKEN_IDLE_DAYS,
            "reset_form": PasswordResetForm(),
            "can": {
                action: scoping.can(user, f"account.{action}")
                for action in ("unlock", "revoke_tokens", "reset_password", "deactivate")
            },
        },
    )


def _back(request: HttpRequest, account: User) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("account-detail", pk=account.pk)


def _refused(request: HttpRequest, exc: ValidationError) -> None:
    for error in exc.messages:
        messages.error(request, error)


@login_required
@require_POST
def account_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account_in_scope(request, pk)
    try:
        services.account_unlock(actor=signed_in(request), account=account)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, f"已解锁账号 {account.username}，可以重新登录。")
    return _back(request, account)


@login_required
@require_POST
def account_revoke_tokens(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account_in_scope(request, pk)
    raw = request.POST.get("token", "").strip()
    token_id = parse_id(raw) if raw else None
    if raw and token_id is None:  # a device that cannot exist: never read as "all devices"
        messages.error(request, "要注销的登录设备不存在，请刷新页面后重试。")
        return _back(request, account)
    try:
        count = services.token_revoke(actor=signed_in(request), account=account, token_id=token_id)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, f"已注销账号 {account.username} 的 {count} 台登录设备，需重新登录。")
    return _back(request, account)


@login_required
@require_POST
def account_reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account_in_scope(request, pk)
    form = PasswordResetForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"password": ["请填写新密码。"]})
        services.account_reset_password(
            actor=signed_in(request), account=account, password=form.cleaned_data["password"]
        )
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(
            request, f"已为账号 {account.username} 设置临时密码；其所有设备和会话已退出，本人下次登录时须修改密码。"
        )
    return _back(request, account)


@login_required
@require_POST
def account_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account_in_scope(request, pk)
    active = request.POST.get("active") == "1"
    try:
        services.account_set_active(actor=signed_in(request), account=account, active=active)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, f"账号 {account.username} 已{'启用' if active else '停用'}。")
    return _back(request, account)


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label="原密码", strip=False, widget=forms.PasswordInput(attrs={"class": "form-control"})
    )
    new_password = forms.CharField(
        label="新密码", strip=False, widget=forms.PasswordInput(attrs={"class": "form-control"})
    )


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """Everyone's own password. The other devices and sessions end; this session stays."""
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        assert isinstance(user, User)
        remembered = ApiToken.objects.filter(pk=request.session.get(REMEMBERED_DEVICE) or 0).first()
        try:
            services.password_change(user=user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            label = remembered.device if remembered is not None else ""
            # The new password deleted every device, this browser's too; this session goes on under a
            # new key, and stays remembered when it was (decision 0172).
            update_session_auth_hash(request, user)
            if request.session.get(REMEMBERED_DEVICE) is not None:
                _remember_this_browser(request, user, label=label)
            messages.success(request, "密码已修改；其他设备和浏览器上的登录已退出。")
            return redirect("home")
    return render(
        request,
        "accounts/password_change.html",
        {"form": form, "temporary": getattr(request.user, "must_change_password", False)},
    )


@login_required
def my_devices(request: HttpRequest) -> HttpResponse:
    """Everyone's own devices: phones' tokens and remembered browsers, this one marked, each with a
    sign-out button (decision 0172)."""
    user = signed_in(request)
    return render(
        request,
        "accounts/my_devices.html",
        {
            "tokens": devices_of(user),
            "current": request.session.get(REMEMBERED_DEVICE),
            "idle_days": settings.ZHUCUN_TOKEN_IDLE_DAYS,
            "remember_days": settings.ZHUCUN_REMEMBER_DEVICE_DAYS,
        },
    )


@login_required
@require_POST
def my_device_revoke(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    token_id = parse_id(request.POST.get("token", ""))
    try:
        if token_id is None:
            raise ValidationError({"token": ["要注销的登录设备不存在，请刷新页面后重试。"]})
        token = services.device_revoke_own(user=user, token_id=token_id)
    except ValidationError as exc:
        _refused(request, exc)
        return redirect("my-devices")
    if request.session.get(REMEMBERED_DEVICE) == token_id:
        # This browser: its session is already gone with the row; say so on the login page.
        request.session.flush()
        messages.info(request, "已注销本机，需重新登录。")
        return redirect("login")
    messages.success(request, f"已注销「{token.device or '未命名设备'}」，该设备需重新登录。")
    return redirect("my-devices")


# --- 找回密码 by SMS code (issue 15 item 7, decision 0173) ------------------------------------------

#: session key: the username or phone the code was asked for, to fill the second form
RESET_IDENTIFIER = "accounts.reset_identifier"


class ResetRequestForm(forms.Form):
    identifier = forms.CharField(
        label="用户名或手机号",
        max_length=150,
        error_messages={"required": "请填写用户名或登记的手机号。"},
        widget=forms.TextInput(attrs={"class": "form-control form-control-lg", "autocomplete": "username"}),
    )


class ResetConfirmForm(forms.Form):
    identifier = forms.CharField(
        label="用户名或手机号",
        max_length=150,
        error_messages={"required": "请填写获取验证码时用的用户名或手机号。"},
        widget=forms.TextInput(attrs={"class": "form-control form-control-lg", "autocomplete": "username"}),
    )
    code = forms.CharField(
        label="短信验证码",
        max_length=6,
        error_messages={"required": "请填写短信中的 6 位验证码。"},
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-lg",
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9]*",
            }
        ),
    )
    new_password = forms.CharField(
        label="新密码",
        strip=False,
        error_messages={"required": "请填写新密码。"},
        widget=forms.PasswordInput(attrs={"class": "form-control form-control-lg", "autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label="再次输入新密码",
        strip=False,
        error_messages={"required": "请再次输入新密码。"},
        widget=forms.PasswordInput(attrs={"class": "form-control form-control-lg", "autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") and data.get("new_password2") and data["new_password"] != data["new_password2"]:
            self.add_error("new_password2", "两次输入的新密码不一致，请重新输入。")
        return data


def password_reset(request: HttpRequest) -> HttpResponse:
    """找回密码, step 1: a username or phone; the same answer whether or not it names an account."""
    available = services.password_reset_by_sms_available()
    form = ResetRequestForm(request.POST or None)
    status = 200
    if available and request.method == "POST" and form.is_valid():
        identifier = form.cleaned_data["identifier"].strip()
        try:
            services.password_reset_request(identifier=identifier, ip=client_ip(request))
        except services.ResetThrottled as exc:
            form.add_error(None, str(exc))
            status = 429
        else:
            request.session[RESET_IDENTIFIER] = identifier
            messages.info(request, services.RESET_REQUESTED)
            return redirect("password-reset-confirm")
    return render(request, "registration/password_reset.html", {"form": form, "available": available}, status=status)


def password_reset_confirm(request: HttpRequest) -> HttpResponse:
    """找回密码, step 2: the code from the SMS and a new password."""
    if not services.password_reset_by_sms_available():
        return redirect("password-reset")
    form = ResetConfirmForm(request.POST or None, initial={"identifier": request.session.get(RESET_IDENTIFIER, "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.password_reset_confirm(
                identifier=data["identifier"], code=data["code"], new_password=data["new_password"]
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            request.session.pop(RESET_IDENTIFIER, None)
            messages.success(request, "密码已重置，其他设备上的登录已退出。请用新密码登录。")
            return redirect("login")
    return render(
        request,
        "registration/password_reset_confirm.html",
        {"form": form, "minutes": services.RESET_CODE_MINUTES, "attempts": services.RESET_CODE_ATTEMPTS},
    )
