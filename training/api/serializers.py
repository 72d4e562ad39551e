"""Shapes of the training API."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from zhucun.api.fields import ObjectIdField, PlausibleDateField, choice

from ..models import TrainingAttendance, TrainingEvent


class AttendanceSerializer(serializers.ModelSerializer[TrainingAttendance]):
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    village = serializers.CharField(source="village_code", read_only=True)

    class Meta:
        model = TrainingAttendance
        fields = ["id", "cadre", "cadre_name", "village", "business", "enrolled_at"]
        read_only_fields = fields


class TrainingEventSerializer(serializers.ModelSerializer[TrainingEvent]):
    kind = choice(TrainingEvent.Kind.choices, read_only=True)
    organizer_level = choice(TrainingEvent.Level.choices, read_only=True)
    attendee_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = TrainingEvent
        fields = [
            "id",
            "title",
            "kind",
            "organizer_level",
            "organizer_name",
            "region_code",
            "start",
            "end",
            "place",
            "attendee_count",
            "created_at",
        ]
        read_only_fields = fields


class TrainingEventCreateSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=100, error_messages={"blank": "请填写培训名称。"})
    kind = choice(
        TrainingEvent.Kind.choices,
        error_messages={
            "invalid_choice": "kind 应为 rotation（轮训）、observation（现场观摩）或 township（乡镇培训）。"
        },
    )
    start = PlausibleDateField(label="开始日期")
    end = PlausibleDateField(label="结束日期")
    place = serializers.CharField(max_length=100, error_messages={"blank": "请填写培训地点。"})


class EnrolSerializer(serializers.Serializer[Any]):
    cadres = serializers.ListField(child=ObjectIdField(), allow_empty=False, max_length=5000)
