"""``GET/PUT /api/v1/notification-preferences/``: the caller's own channels, quiet hours, digest and
addresses, with their recent deliveries (issue 15, decision 0151). Personal, like the bell: no scope."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import signed_in
from zhucun import channels
from zhucun.deliveries import preference_of
from zhucun.models import Channel, Delivery

if TYPE_CHECKING:
    from accounts.models import User


@extend_schema_field(serializers.ChoiceField(choices=Channel.choices))
class ChannelCodeField(serializers.CharField):
    """A channel's code. The enum is every channel there is; one the deployment does not enable is refused
    by the service (400, naming the codes it enables), so the error keeps the field's flat list shape."""


class PreferencesSerializer(serializers.Serializer):  # type: ignore[type-arg]
    channels = serializers.ListField(child=ChannelCodeField(max_length=16), max_length=len(Channel.values))
    digest = serializers.BooleanField()
    quiet_enabled = serializers.BooleanField()
    quiet_start = serializers.TimeField(format="%H:%M", input_formats=["%H:%M", "%H:%M:%S"], required=False)
    quiet_end = serializers.TimeField(format="%H:%M", input_formats=["%H:%M", "%H:%M:%S"], required=False)
    mobile = serializers.CharField(allow_blank=True, required=False, max_length=20)
    email = serializers.CharField(allow_blank=True, required=False, max_length=254)
    wecom_userid = serializers.CharField(allow_blank=True, required=False, max_length=100)
    dingtalk_userid = serializers.CharField(allow_blank=True, required=False, max_length=100)


class AvailableChannelSerializer(serializers.Serializer):  # type: ignore[type-arg]
    code = serializers.ChoiceField(choices=Channel.choices)
    label = serializers.CharField()  # type: ignore[assignment]
    reachable = serializers.BooleanField(help_text="已填写该渠道的接收地址")


class RecentDeliverySerializer(serializers.Serializer):  # type: ignore[type-arg]
    channel = serializers.ChoiceField(choices=Channel.choices)
    title = serializers.CharField()
    urgent = serializers.BooleanField()
    status = serializers.ChoiceField(choices=Delivery.Status.choices)
    status_label = serializers.CharField()
    due_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)
    attempts = serializers.IntegerField(min_value=0)
    last_error = serializers.CharField(allow_blank=True)


class PreferencesStateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """本人的通知设置：本系统启用的渠道、本人的选择与接收地址，以及最近 20 条推送记录。"""

    available = AvailableChannelSerializer(many=True)
    channels = serializers.ListField(child=serializers.ChoiceField(choices=Channel.choices))
    digest = serializers.BooleanField()
    quiet_enabled = serializers.BooleanField()
    quiet_start = serializers.TimeField(format="%H:%M")
    quiet_end = serializers.TimeField(format="%H:%M")
    mobile = serializers.CharField(allow_blank=True)
    email = serializers.CharField(allow_blank=True)
    wecom_userid = serializers.CharField(allow_blank=True)
    dingtalk_userid = serializers.CharField(allow_blank=True)
    recent_deliveries = RecentDeliverySerializer(many=True)


def _state(user: User) -> dict[str, Any]:
    preference = preference_of(user)
    enabled = channels.enabled_codes()
    recent = Delivery.objects.filter(recipient_id=user.pk).select_related("notification").order_by("-created_at", "-id")
    return {
        "available": [
            {
                "code": code,
                "label": Channel(code).label if code in Channel.values else code,
                "reachable": bool(channels.FACTORIES[code]().address(user)),
            }
            for code in enabled
        ],
        "channels": [code for code in enabled if code not in (preference.muted or [])],
        "digest": preference.digest,
        "quiet_enabled": preference.quiet_enabled,
        "quiet_start": preference.quiet_start.strftime("%H:%M"),
        "quiet_end": preference.quiet_end.strftime("%H:%M"),
        "mobile": user.mobile,
        "email": user.email,
        "wecom_userid": user.wecom_userid,
        "dingtalk_userid": user.dingtalk_userid,
        "recent_deliveries": [
            {
                "channel": delivery.channel,
                "title": delivery.notification.title if delivery.notification else "晨报",
                "urgent": delivery.urgent,
                "status": delivery.status,
                "status_label": delivery.get_status_display(),
                "due_at": delivery.due_at,
                "sent_at": delivery.sent_at,
                "attempts": delivery.attempts,
                "last_error": delivery.last_error,
            }
            for delivery in recent[:20]
        ],
    }


class NotificationPreferencesView(APIView):
    serializer_class = PreferencesSerializer

    @extend_schema(responses=PreferencesStateSerializer, summary="本人的通知设置与最近的推送记录")
    def get(self, request: Request) -> Response:
        return Response(_state(signed_in(request)))

    @extend_schema(request=PreferencesSerializer, responses=PreferencesStateSerializer, summary="修改本人的通知设置")
    def put(self, request: Request) -> Response:
        from zhucun.services import notification_preferences_update

        serializer = PreferencesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        user = signed_in(request)
        for field in ("mobile", "email", "wecom_userid", "dingtalk_userid"):
            data.setdefault(field, getattr(user, field, ""))
        data.setdefault("quiet_start", None)
        data.setdefault("quiet_end", None)
        notification_preferences_update(actor=user, **data)
        from accounts.models import User

        return Response(_state(User.objects.get(pk=int(user.pk or 0))))
