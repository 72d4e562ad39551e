"""Shapes of the households and visits API (API.md "Households and visits")."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from zhucun.api.fields import ObjectIdField, PlausibleDateField, choice

from ..models import Household, Visit


class HouseholdSerializer(serializers.ModelSerializer[Household]):
    village = serializers.CharField(source="village_code", read_only=True)
    village_name = serializers.CharField(read_only=True, default="")
    kind = choice(Household.Kind.choices, read_only=True)
    due = serializers.BooleanField(source="is_due", read_only=True, default=False)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True, default=False)

    class Meta:
        model = Household
        fields = [
            "id",
            "village",
            "village_name",
            "head_name",
            "house_number",
            "kind",
            "resident",
            "phone",
            "registered_on",
            "last_visit_on",
            "due",
            "overdue",
        ]
        read_only_fields = fields


class HouseholdCreateSerializer(serializers.Serializer[Any]):
    village = serializers.RegexField(
        r"^\d{12}$", error_messages={"invalid": "village 应为 12 位村代码。", "required": "请填写村代码（village）。"}
    )
    head_name = serializers.CharField(max_length=40, error_messages={"blank": "请填写户主姓名。"})
    kind = choice(Household.Kind.choices, error_messages={"invalid_choice": "kind 应为 poor 或 non_poor。"})
    resident = serializers.BooleanField(error_messages={"invalid": "resident 应为 true 或 false。"})
    phone = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)
    house_number = serializers.CharField(max_length=30, required=False, default="", allow_blank=True)


class HouseholdUpdateSerializer(serializers.Serializer[Any]):
    head_name = serializers.CharField(max_length=40, required=False)
    kind = choice(
        Household.Kind.choices, required=False, error_messages={"invalid_choice": "kind 应为 poor 或 non_poor。"}
    )
    resident = serializers.BooleanField(required=False, error_messages={"invalid": "resident 应为 true 或 false。"})
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    house_number = serializers.CharField(max_length=30, required=False, allow_blank=True)


class ThreeGuaranteesSerializer(serializers.Serializer[Any]):
    education = serializers.BooleanField(allow_null=True, required=False, default=None)
    health = serializers.BooleanField(allow_null=True, required=False, default=None)
    housing = serializers.BooleanField(allow_null=True, required=False, default=None)


class VisitCreateSerializer(serializers.Serializer[Any]):
    household = ObjectIdField(error_messages={"invalid": "household 应为农户编号。"})
    date = PlausibleDateField(label="走访日期")
    note = serializers.CharField(max_length=1000, required=False, default="", allow_blank=True)
    # Read as text, so that the rule (households/rules.py), not the parser, judges sign, fen and range.
    monthly_income = serializers.CharField(max_length=40, required=False, allow_null=True, allow_blank=True)
    three_guarantees = ThreeGuaranteesSerializer(required=False, allow_null=True)


class VisitSerializer(serializers.ModelSerializer[Visit]):
    household_name = serializers.CharField(source="household.head_name", read_only=True)
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    household_kind = choice(Household.Kind.choices, read_only=True)
    monthly_income = serializers.DecimalField(
        max_digits=12, decimal_places=2, coerce_to_string=True, read_only=True, allow_null=True
    )
    three_guarantees = serializers.SerializerMethodField()
    village = serializers.CharField(source="village_code", read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "household",
            "household_name",
            "household_kind",
            "village",
            "cadre",
            "cadre_name",
            "work_log",
            "date",
            "note",
            "monthly_income",
            "three_guarantees",
            "created_at",
        ]
        read_only_fields = fields

    def get_three_guarantees(self, visit: Visit) -> dict[str, bool | None]:
        return visit.three_guarantees
