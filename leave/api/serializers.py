"""Shapes of the leave API (API.md "Leave (请假销假)")."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from zhucun import workcalendar
from zhucun.api.fields import ObjectIdField, PlausibleDateField, choice

from ..models import Half, LeaveRequest, LeaveStep


class LeaveStepSerializer(serializers.ModelSerializer[LeaveStep]):
    approver = choice(LeaveStep.Approver.choices, read_only=True)
    status = choice(LeaveStep.Status.choices, read_only=True)
    decided_by = serializers.SerializerMethodField()
    due_at_provisional = serializers.SerializerMethodField(
        help_text="答复期限是否按尚未发布节假日安排的年份（暂按周一至周五）计算"
    )

    class Meta:
        model = LeaveStep
        fields = [
            "approver",
            "status",
            "received_at",
            "due_at",
            "due_at_provisional",
            "decided_by",
            "decided_at",
            "comment",
        ]

    def get_due_at_provisional(self, step: LeaveStep) -> bool:
        return workcalendar.deadline_is_provisional(step.received_at, step.due_at)

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
        error_messages={"invalid_choice": "假别应为 personal、sick、annual、rotation、other、business 之一。"},
    )
    start = PlausibleDateField(label="开始日期", error_messages={"invalid": "开始日期格式应为 YYYY-MM-DD。"})
    start_half = choice(
        Half.choices,
        default=Half.AM,
        error_messages={"invalid_choice": "开始时间应为 am（上午）或 pm（下午）。"},
    )
    end = PlausibleDateField(label="结束日期", error_messages={"invalid": "结束日期格式应为 YYYY-MM-DD。"})
    end_half = choice(
        Half.choices,
        default=Half.PM,
        error_messages={"invalid_choice": "结束时间应为 am（上午）或 pm（下午）。"},
    )
    reason = serializers.CharField(max_length=500, error_messages={"blank": "请填写请假事由。"})
    # A team leader asking for a member's official trip (kind ``business``) names the member.
    cadre_id = ObjectIdField(required=False, error_messages={"invalid": "cadre_id 应为驻村干部编号（整数）。"})


class MonthImpactSerializer(serializers.Serializer[Any]):
    """第五条 (or a profile's yearly rule): the applicant's period with and without this leave."""

    period = serializers.CharField(help_text="YYYY-MM (monthly rule) or YYYY (yearly rule)")
    days_counted = serializers.IntegerField(help_text="days in the village or on official business so far")
    days_required = serializers.IntegerField(help_text="the minimum, prorated to the days in post")
    days_of_this_leave = serializers.DecimalField(max_digits=5, decimal_places=1, coerce_to_string=False)
    can_still_meet = serializers.BooleanField()
    can_still_meet_if_approved = serializers.BooleanField()


class CoverageWarningSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField(help_text="month_minimum | village_uncovered | others_pending")
    message = serializers.CharField()
    dates = serializers.ListField(child=serializers.DateField(), required=False)


class LeaveRequestDetailSerializer(LeaveRequestSerializer):
    """One request; while it is pending, what it would do to its applicant's month and to the village's
    daily coverage, for the approver to see before deciding (第五条, 第十九条2; decision 0074)."""

    month_impact = serializers.SerializerMethodField()
    coverage_warnings = serializers.SerializerMethodField()

    class Meta(LeaveRequestSerializer.Meta):
        fields = [*LeaveRequestSerializer.Meta.fields, "month_impact", "coverage_warnings"]

    def _impact(self) -> dict[str, Any]:
        return dict(self.context.get("impact") or {})

    @extend_schema_field(MonthImpactSerializer(many=True))
    def get_month_impact(self, request: LeaveRequest) -> list[dict[str, Any]]:
        return list(self._impact().get("month_impact", []))

    @extend_schema_field(CoverageWarningSerializer(many=True))
    def get_coverage_warnings(self, request: LeaveRequest) -> list[dict[str, Any]]:
        return list(self._impact().get("coverage_warnings", []))


class LeaveDecisionSerializer(serializers.Serializer[Any]):
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
