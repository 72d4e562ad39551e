from __future__ import annotations

from typing import Any

from rest_framework import serializers

from zhucun.api.fields import ObjectIdField, PlausibleDateField, PlausibleDateTimeField

from ..models import AbsenceFinding, SignIn, Whereabouts, WorkLog


class SignInCreateSerializer(serializers.Serializer[SignIn]):
    client_id = serializers.UUIDField(error_messages={"invalid": "client_id 应为 UUID。"})
    latitude = serializers.FloatField(
        min_value=-90,
        max_value=90,
        error_messages={
            "max_value": "纬度应在 -90 到 90 之间。",
            "min_value": "纬度应在 -90 到 90 之间。",
            "invalid": "纬度应为数字。",
        },
    )
    longitude = serializers.FloatField(
        min_value=-180,
        max_value=180,
        error_messages={
            "max_value": "经度应在 -180 到 180 之间。",
            "min_value": "经度应在 -180 到 180 之间。",
            "invalid": "经度应为数字。",
        },
    )
    device_time = PlausibleDateTimeField(required=False, label="手机时间")
    photo = serializers.FileField(required=False)
    # Present only so that a sign-in "for" someone else is refused, never honoured.
    cadre = ObjectIdField(required=False)


class SignInSerializer(serializers.ModelSerializer[SignIn]):
    """Raw coordinates are never returned: only inside/outside and the distance (SPEC.md)."""

    class Meta:
        model = SignIn
        fields = [
            "id",
            "cadre",
            "date",
            "status",
            "inside_geofence",
            "distance_m",
            "server_time",
            "device_time",
            "offline",
        ]


_DATETIME = serializers.DateTimeField()


def signin_body(signin: SignIn) -> dict[str, Any]:
    """``SignInSerializer(signin).data`` without building a ModelSerializer: the response of the busiest
    request of the day (B1, docs/performance.md). tests/attendance check the two stay identical."""
    return {
        "id": signin.pk,
        "cadre": signin.cadre_id,
        "date": signin.date.isoformat(),
        "status": signin.status,
        "inside_geofence": signin.inside_geofence,
        "distance_m": signin.distance_m,
        "server_time": _DATETIME.to_representation(signin.server_time),
        "device_time": None if signin.device_time is None else _DATETIME.to_representation(signin.device_time),
        "offline": signin.offline,
    }


class AbsenceFindingCreateSerializer(serializers.Serializer[AbsenceFinding]):
    cadre = ObjectIdField()
    date = PlausibleDateField(label="日期")
    source = serializers.ChoiceField(choices=AbsenceFinding.Source.choices)  # type: ignore[assignment]
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)
    # 第十九条2 counts leave in half days: the half the cadre was found away, or the time (HH:MM).
    half = serializers.ChoiceField(
        choices=[("am", "上午"), ("pm", "下午")],
        required=False,
        allow_blank=True,
        error_messages={"invalid_choice": "时段应为 am（上午）或 pm（下午），不填表示全天。"},
    )
    time = serializers.TimeField(
        required=False, format="%H:%M", error_messages={"invalid": "检查时间格式应为 HH:MM，例如 10:30。"}
    )


class AbsenceFindingSerializer(serializers.ModelSerializer[AbsenceFinding]):
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    time = serializers.TimeField(source="observed_at", read_only=True, allow_null=True)

    class Meta:
        model = AbsenceFinding
        fields = [
            "id",
            "cadre",
            "cadre_name",
            "date",
            "half",
            "time",
            "source",
            "status",
            "note",
            "recorded_at",
            "decision_reason",
        ]


class FindingDecisionSerializer(serializers.Serializer[AbsenceFinding]):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300)


class WhereaboutsPostSerializer(serializers.Serializer[Whereabouts]):
    cadre = ObjectIdField(required=False)
    date = PlausibleDateField(required=False, label="日期")
    status = serializers.ChoiceField(choices=Whereabouts.Status.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=100)


class WhereaboutsSerializer(serializers.ModelSerializer[Whereabouts]):
    class Meta:
        model = Whereabouts
        fields = ["id", "cadre", "date", "status", "note", "posted_at"]


class WorkLogCreateSerializer(serializers.Serializer[WorkLog]):
    date = PlausibleDateField(label="日期")
    content = serializers.CharField(max_length=4000)
    photos = serializers.ListField(child=serializers.FileField(), required=False, max_length=9)


class WorkLogVisitSerializer(serializers.Serializer[Any]):
    """A household visit of the log's day (issue 14): part of the log, recorded once, by the visit."""

    id = serializers.IntegerField()
    household = serializers.IntegerField(source="household_id")
    household_name = serializers.CharField(source="household.head_name")
    household_kind = serializers.CharField()
    note = serializers.CharField()


class WorkLogSerializer(serializers.ModelSerializer[WorkLog]):
    author_name = serializers.CharField(source="author.name", read_only=True)
    photo_count = serializers.IntegerField(read_only=True)
    visits = WorkLogVisitSerializer(many=True, read_only=True)

    class Meta:
        model = WorkLog
        fields = ["id", "team", "author", "author_name", "date", "content", "checked_at", "photo_count", "visits"]
