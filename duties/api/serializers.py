"""Serializers of the duties API (API.md "Duties with deadlines")."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from zhucun.api.fields import PlausibleDateField

from ..models import Evidence, Obligation


class EvidenceSerializer(serializers.ModelSerializer[Evidence]):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = ["id", "kind", "original_name", "size", "url"]

    def get_url(self, item: Evidence) -> str:
        return reverse("duties-evidence", args=[item.pk])


class ObligationSerializer(serializers.ModelSerializer[Obligation]):
    body = serializers.SerializerMethodField()
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = Obligation
        fields = [
            "id", "duty", "article", "body_type", "body", "body_name", "year", "period", "period_label",
            "period_start", "period_end", "due", "status", "fulfilled_on", "note", "evidence",
        ]  # fmt: skip

    def get_body(self, obligation: Obligation) -> Any:
        """The unit id for a unit; the region code for an organization department, county or township."""
        return obligation.api_body


class FulfilSerializer(serializers.Serializer[Any]):
    date = PlausibleDateField(label="履职日期", error_messages={"required": "请填写履职日期（YYYY-MM-DD）。"})
    note = serializers.CharField(
        max_length=4000, allow_blank=True, required=False, default="",
        error_messages={"max_length": "履职情况不能超过 4000 字。"},
    )  # fmt: skip
    evidence = serializers.ListField(child=serializers.FileField(), required=False, default=list)
