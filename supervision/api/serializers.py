"""Shapes of the supervision API (API.md "Random presence checks", "Annual task list")."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from zhucun.api.fields import ObjectIdField, choice

from ..models import PresenceCheck


class PresenceCheckSerializer(serializers.ModelSerializer[PresenceCheck]):
    cadre = serializers.IntegerField(source="cadre_id", read_only=True)
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    status = choice(PresenceCheck.Status.choices, read_only=True)
    finding = serializers.IntegerField(source="finding_id", read_only=True, allow_null=True)

    class Meta:
        model = PresenceCheck
        fields = [
            "id",
            "cadre",
            "cadre_name",
            "village_code",
            "minutes",
            "issued_at",
            "due_at",
            "status",
            "answered_at",
            "distance_m",
            "finding",
        ]


class PresenceCheckCreateSerializer(serializers.Serializer[Any]):
    cadre = ObjectIdField(
        error_messages={"invalid": "cadre 应为驻村干部编号。", "required": "请选择被抽查的驻村干部。"}
    )
    minutes = serializers.IntegerField(
        min_value=1,
        max_value=1440,
        error_messages={
            "invalid": "minutes 应为整数（分钟）。",
            "required": "请填写确认时限（分钟）。",
            "min_value": "确认时限应为正整数（分钟）。",
            "max_value": "确认时限不能超过一天。",
        },
    )


class PresenceCheckAnswerSerializer(serializers.Serializer[Any]):
    latitude = serializers.FloatField(
        min_value=-90,
        max_value=90,
        error_messages={
            "max_value": "纬度应在 -90 到 90 之间。",
            "min_value": "纬度应在 -90 到 90 之间。",
            "invalid": "纬度应为数字。",
            "required": "请允许手机读取位置后再确认（缺少纬度）。",
        },
    )
    longitude = serializers.FloatField(
        min_value=-180,
        max_value=180,
        error_messages={
            "max_value": "经度应在 -180 到 180 之间。",
            "min_value": "经度应在 -180 到 180 之间。",
            "invalid": "经度应为数字。",
            "required": "请允许手机读取位置后再确认（缺少经度）。",
        },
    )
