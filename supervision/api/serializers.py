"""Shapes of the supervision API (API.md "Random presence checks", "Annual task list")."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import serializers

from zhucun.api.fields import ObjectIdField, PlausibleDateField, choice

from .. import rules
from ..models import AnnualTask, Demand, PresenceCheck


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


class AnnualTaskSerializer(serializers.ModelSerializer[AnnualTask]):
    team = serializers.IntegerField(source="team_id", read_only=True)
    kind = choice(AnnualTask.Kind.choices, read_only=True)
    origin = choice(AnnualTask.Origin.choices, read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = AnnualTask
        fields = [
            "id",
            "team",
            "village_code",
            "year",
            "kind",
            "origin",
            "title",
            "target",
            "requirements",
            "deadline",
            "responsible_department",
            "progress",
            "progress_note",
            "done",
            "done_on",
            "overdue",
        ]

    def get_overdue(self, task: AnnualTask) -> bool:
        return rules.is_overdue(done=task.done, deadline=task.deadline, today=timezone.localdate())


class AnnualTaskCreateSerializer(serializers.Serializer[Any]):
    team = ObjectIdField(error_messages={"invalid": "team 应为工作队编号。", "required": "请选择工作队。"})
    year = serializers.IntegerField(error_messages={"invalid": "year 应为四位年份。", "required": "请填写年度。"})
    kind = choice(
        AnnualTask.Kind.choices,
        error_messages={
            "invalid_choice": "类别应为 required（规定内容）或 optional（自选内容）。",
            "required": "请选择类别：required（规定内容）或 optional（自选内容）。",
        },
    )
    title = serializers.CharField(
        max_length=200, error_messages={"blank": "请填写任务名称。", "required": "请填写任务名称。"}
    )
    target = serializers.CharField(
        max_length=1000, error_messages={"blank": "请填写任务目标。", "required": "请填写任务目标。"}
    )
    requirements = serializers.CharField(max_length=1000, required=False, default="", allow_blank=True)
    deadline = PlausibleDateField(label="完成时限", error_messages={"required": "请填写完成时限。"})
    responsible_department = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)


class AnnualTaskUpdateSerializer(serializers.Serializer[Any]):
    progress = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=100,
        error_messages={
            "invalid": "进度应为 0 至 100 之间的整数（百分比）。",
            "min_value": "进度应为 0 至 100 之间的整数（百分比）。",
            "max_value": "进度应为 0 至 100 之间的整数（百分比）。",
        },
    )
    done = serializers.BooleanField(required=False, error_messages={"invalid": "done 应为 true 或 false。"})
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class DemandSerializer(serializers.ModelSerializer[Demand]):
    cadre = serializers.IntegerField(source="cadre_id", read_only=True)
    kind = choice(Demand.Kind.choices, read_only=True)
    source = choice(Demand.Source.choices, read_only=True)  # type: ignore[assignment]

    class Meta:
        model = Demand
        fields = ["id", "cadre", "village_code", "date", "kind", "demanding_body", "description", "source"]


class DemandCreateSerializer(serializers.Serializer[Any]):
    cadre = ObjectIdField(required=False, error_messages={"invalid": "cadre 应为驻村干部编号。"})
    date = PlausibleDateField(label="日期", error_messages={"required": "请填写日期。"})
    kind = choice(
        Demand.Kind.choices,
        error_messages={
            "invalid_choice": "类别应为 meeting、form、report、inspection、visitors 或 other。",
            "required": "请选择类别。",
        },
    )
    demanding_body = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    description = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
