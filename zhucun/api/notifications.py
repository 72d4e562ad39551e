"""``GET/PUT /api/v1/notification-preferences/``: the caller's own channels, quiet hours, digest and
addresses, with their recent deliveries (issue 15, decision 0151). Personal, like the bell: no scope."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
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


class PreferencesSerializer(serializers.Serializer):  # type: ignore[type-arg]
    channels = serializers.ListField(child=serializers.CharField(max_length=16), max_length=8)
    digest = serializers.BooleanField()
    quiet_enabled = serializers.BooleanField()
    quiet_start = serializers.TimeField(format="%H:%M", input_formats=["%H:%M", "%H:%M:%S"], required=False)
    quiet_end = serializers.TimeField(format="%H:%M", input_formats=["%H:%M", "%H:%M:%S"], required=False)
    mobile = serializers.CharField(allow_blank=True, required=False, max_length=20)
    email = serializers.CharField(allow_blank=True, required=False, max_length=254)
    wecom_userid = serializers.CharField(allow_blank=True, required=False, max_length=100)
    dingtalk_userid = serializers.CharField(allow_blank=True, required=False, max_length=100)


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

    @extend_schema(responses=OpenApiTypes.OBJECT, summary="本人的通知设置与最近的推送记录")
    def get(self, request: Request) -> Response:
        return Response(_state(signed_in(request)))

    @extend_schema(request=PreferencesSerializer, responses=OpenApiTypes.OBJECT, summary="修改本人的通知设置")
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
