"""Shapes of the leave API (API.md "Leave (请假销假)")."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from zhucun.api.fields import choice

from ..models import Half, LeaveRequest, LeaveStep


class LeaveStepSerializer(serializers.ModelSerializer[LeaveStep]):
    approver = choice(LeaveStep.Approver.choices, read_only=True)
    status = choice(LeaveStep.Status.choices, read_only=True)
    decided_by = serializers.SerializerMethodField()

    class Meta:
        model = LeaveStep
        fields = ["approver", "status", "received_at", "due_at", "decided_by", "decided_at", "comment"]

    def get_decided_by(self, step: LeaveStep) -> str | None:
        return step.decided_by.username if step.decided_by else None


class LeaveRequestSerializer(serializers.ModelSerializer[LeaveRequest]):
    days = serializers.DecimalField(max_digits=5, decimal_places=1, coerce_to_string=False, read_only=True)
    steps = LeaveStepSerializer(many=True, read_only=True)
    cadre = serializers.SerializerMethodField()
    status = choice(LeaveRequest.Status.choices, read_only=True)
    kind = choice(LeaveRequest.Kind.choices, read_only=True)
    start_half = choice(Half.choices, read_only=True)
    end_half = choice(Half.choices, read_only=True)

    class Meta:
        model = LeaveRequest
        fields = [
            "id",
            "status",
            "days",
            "steps",
            "cadre",
            "village_code",
            "kind",
            "start",
            "start_half",
            "end",
            "end_half",
            "reason",
            "created_at",
            "decided_at",
            "reported_back_at",
        ]

    def get_cadre(self, request: LeaveRequest) -> dict[str, Any]:
        return {"id": request.cadre_id, "name": request.cadre.name}


class LeaveRequestCreateSerializer(serializers.Serializer[Any]):
    """The body of ``POST /api/v1/leave-requests/``; the rules are checked by the service."""

    kind = choice(
        LeaveRequest.Kind.choices,
        error_messages={"invalid_choice": "假别应为 personal、sick、annual、rotation、other 之一。"},
    )
    start = serializers.DateField(error_messages={"invalid": "开始日期格式应为 YYYY-MM-DD。"})
    start_half = choice(
        Half.choices,
        default=Half.AM,
        error_messages={"invalid_choice": "开始时间应为 am（上午）或 pm（下午）。"},
    )
    end = serializers.DateField(error_messages={"invalid": "结束日期格式应为 YYYY-MM-DD。"})
    end_half = choice(
        Half.choices,
        default=Half.PM,
        error_messages={"invalid_choice": "结束时间应为 am（上午）或 pm（下午）。"},
    )
    reason = serializers.CharField(max_length=500, error_messages={"blank": "请填写请假事由。"})


class LeaveDecisionSerializer(serializers.Serializer[Any]):
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
