"""通知设置 and 消息推送状态 (issue 15, decisions 0151, 0152): a person's own channels, quiet hours,
digest and addresses with their recent deliveries; the system administrator's view of the channels'
health, without the messages' titles (三员: the administrators see no cadres' data)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.authentication import signed_in
from zhucun import channels, scoping
from zhucun.deliveries import preference_of
from zhucun.models import Channel, Delivery

#: What the settings page says about each channel's address field.
ADDRESS_OF_CHANNEL = {"sms": "mobile", "email": "email", "wecom": "wecom_userid", "dingtalk": "dingtalk_userid"}


class PreferencesForm(forms.Form):
    channels = forms.MultipleChoiceField(
        label="接收渠道", required=False, widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})
    )
    digest = forms.TypedChoiceField(
        label="非紧急通知",
        choices=[("1", "每天早上汇总为一条晨报（推荐）"), ("0", "每条立即发送")],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    quiet_enabled = forms.BooleanField(
        label="夜间免打扰",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input", "role": "switch"}),
    )
    quiet_start = forms.TimeField(label="开始", required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    quiet_end = forms.TimeField(label="结束", required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    mobile = forms.CharField(label="手机号（短信）", required=False, max_length=11)
    email = forms.CharField(label="电子邮件", required=False, max_length=254)
    wecom_userid = forms.CharField(label="企业微信账号（UserID）", required=False, max_length=64)
    dingtalk_userid = forms.CharField(label="钉钉账号（userid）", required=False, max_length=64)

    def __init__(self, *args: Any, enabled: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channels"].choices = enabled  # type: ignore[attr-defined]
        codes = {code for code, _ in enabled}
        for code, address_field in ADDRESS_OF_CHANNEL.items():
            if code not in codes:
                del self.fields[address_field]  # only the addresses of the channels this deployment uses
        for name, field in self.fields.items():
            if name not in ("channels", "digest", "quiet_enabled"):
                field.widget.attrs.setdefault("class", "form-control")
        if "mobile" in self.fields:
            self.fields["mobile"].widget.attrs.update(inputmode="numeric", autocomplete="tel")


def _enabled_choices() -> list[tuple[str, str]]:
    return [(code, Channel(code).label if code in Channel.values else code) for code in channels.enabled_codes()]


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    """The person's own settings (everyone has one: no scope, no role action)."""
    from zhucun.services import notification_preferences_update

    user = signed_in(request)
    enabled = _enabled_choices()
    preference = preference_of(user)
    initial = {
        "channels": [code for code, _ in enabled if code not in (preference.muted or [])],
        "digest": "1" if preference.digest else "0",
        "quiet_enabled": preference.quiet_enabled,
        "quiet_start": preference.quiet_start,
        "quiet_end": preference.quiet_end,
        **{field: getattr(user, field, "") for field in ADDRESS_OF_CHANNEL.values()},
    }
    form = PreferencesForm(request.POST or None, initial=initial, enabled=enabled)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                notification_preferences_update(
                    actor=user,
                    channels=data["channels"],
                    digest=data["digest"],
                    quiet_enabled=data["quiet_enabled"],
                    quiet_start=data["quiet_start"],
                    quiet_end=data["quiet_end"],
                    **{field: data.get(field, getattr(user, field, "")) for field in ADDRESS_OF_CHANNEL.values()},
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, "通知设置已保存。")
                return redirect("notification-settings")
        status = 400
    recent = list(
        Delivery.objects.filter(recipient_id=user.pk)
        .select_related("notification")
        .annotate(item_count=Count("items"))
        .order_by("-created_at", "-id")[:20]
    )
    reach = [
        {
            "code": code,
            "label": label,
            "address": channels.FACTORIES[code]().address(user) if code in channels.FACTORIES else "",
        }
        for code, label in enabled
    ]
    return render(
        request,
        "zhucun/notification_settings.html",
        {"form": form, "reach": reach, "recent": recent, "enabled": enabled},
        status=status,
    )


@login_required
def delivery_status(request: HttpRequest) -> HttpResponse:
    """消息推送状态: the system administrator's view of the channels in their region over 7 days."""
    scoping.require(request.user, "delivery.view_status")
    since = timezone.now() - dt.timedelta(days=7)
    rows = scoping.restrict(Delivery.objects.all(), request.user).filter(created_at__gte=since)
    counts = rows.values_list("channel", "status").annotate(n=Count("pk")).order_by("channel", "status")
    table: dict[str, dict[str, int]] = {}
    for channel, status, n in counts:
        table.setdefault(channel, {})[status] = n
    statuses = Delivery.Status.choices
    summary = [
        {
            "channel": Channel(code).label if code in Channel.values else code,
            "counts": [table[code].get(value, 0) for value, _ in statuses],
        }
        for code in sorted(table)
    ]
    failures = list(
        rows.filter(status=Delivery.Status.FAILED)
        .select_related("recipient")
        .only("channel", "attempts", "last_error", "updated_at", "key", "recipient__username")
        .order_by("-updated_at", "-id")[:50]
    )
    return render(
        request,
        "zhucun/delivery_status.html",
        {
            "summary": summary,
            "statuses": [label for _, label in statuses],
            "failures": failures,
            "enabled": _enabled_choices(),
            "since": since,
        },
    )
