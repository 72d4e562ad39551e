"""Shapes of the funds API (API.md "Team funds")."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from zhucun.api.fields import ObjectIdField, PlausibleDateField, choice

from ..models import Category, InsurancePolicy, LedgerEntry, Receipt, Reimbursement, SourceLevel


def money(**kwargs: Any) -> serializers.DecimalField:
    """Yuan with fen, as a decimal string (API.md: amounts as decimal strings or numbers)."""
    return serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True, **kwargs)


class ReceiptSerializer(serializers.ModelSerializer[Receipt]):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Receipt
        fields = ["id", "kind", "original_name", "size", "sha256", "url"]

    def get_url(self, receipt: Receipt) -> str:
        from django.urls import reverse

        return reverse("funds-receipt", args=[receipt.pk])


class LedgerEntrySerializer(serializers.ModelSerializer[LedgerEntry]):
    team = serializers.IntegerField(source="account.team_id", read_only=True)
    year = serializers.IntegerField(source="account.year", read_only=True)
    amount = money(read_only=True)
    kind = choice(LedgerEntry.Kind.choices, read_only=True)
    category = serializers.CharField(read_only=True)
    source_level = serializers.CharField(read_only=True)
    reverses = serializers.IntegerField(source="reverses_id", read_only=True, allow_null=True)
    receipts = ReceiptSerializer(many=True, read_only=True)
    created_by = serializers.SerializerMethodField()

    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "team",
            "year",
            "kind",
            "date",
            "amount",
            "source_level",
            "is_subsidy",
            "category",
            "description",
            "reverses",
            "receipts",
            "created_by",
            "created_at",
        ]

    def get_created_by(self, entry: LedgerEntry) -> str | None:
        user = entry.created_by
        return (user.get_full_name() or user.username) if user else None


class AllocationCreateSerializer(serializers.Serializer[Any]):
    team = ObjectIdField(error_messages={"invalid": "team 应为工作队编号。"})
    year = serializers.IntegerField(error_messages={"invalid": "year 应为四位年份。"})
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=4, required=False, error_messages={"invalid": "金额应为数字，单位为元。"}
    )
    source_level = choice(
        SourceLevel.choices,
        required=False,
        default="",
        allow_blank=True,
        error_messages={"invalid_choice": "source_level 应为 province、city 或 county。"},
    )
    is_subsidy = serializers.BooleanField(required=False, default=False)
    date = PlausibleDateField(required=False, label="日期")
    description = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class ExpenseCreateSerializer(serializers.Serializer[Any]):
    team = ObjectIdField(error_messages={"invalid": "team 应为工作队编号。"})
    date = PlausibleDateField(label="日期")
    category = choice(
        Category.choices,
        error_messages={"invalid_choice": "支出类别不在第二十七条列明的范围内，请从列表中选择。"},
    )
    # Read as text so that the service, not the parser, judges fen and range (one message for all).
    amount = serializers.CharField(max_length=40, error_messages={"blank": "请填写金额。"})
    description = serializers.CharField(max_length=200, error_messages={"blank": "请填写摘要。"})
    receipt = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class ReverseSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=180, error_messages={"blank": "请填写冲销原因。"})


class ReimbursementCreateSerializer(serializers.Serializer[Any]):
    team = ObjectIdField(error_messages={"invalid": "team 应为工作队编号。"})
    date = PlausibleDateField(label="日期")
    expenses = serializers.ListField(child=ObjectIdField(), allow_empty=False)
    note = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class ReimbursementSerializer(serializers.ModelSerializer[Reimbursement]):
    team = serializers.IntegerField(source="team_id", read_only=True)
    total = money(read_only=True)
    expenses = serializers.SerializerMethodField()

    class Meta:
        model = Reimbursement
        fields = ["id", "team", "date", "total", "note", "expenses", "created_at"]

    def get_expenses(self, batch: Reimbursement) -> list[int]:
        return [item.expense_id for item in batch.items.all()]


class TeamFundsSerializer(serializers.Serializer[Any]):
    team = serializers.IntegerField(source="team.pk")
    year = serializers.IntegerField()
    responsible_name = serializers.SerializerMethodField()
    carried_in = money()
    allocated = money()
    spent = money()
    balance = money()
    last_reimbursed_on = serializers.DateField(allow_null=True)
    reimbursement_overdue = serializers.BooleanField()
    waiting_expenses = serializers.IntegerField()
    overdue_expenses = serializers.IntegerField()

    def get_responsible_name(self, row: Any) -> str:
        return row.account.responsible_name if row.account else ""


class InsurancePolicySerializer(serializers.ModelSerializer[InsurancePolicy]):
    premium = money(read_only=True)
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)

    class Meta:
        model = InsurancePolicy
        fields = [
            "id",
            "cadre",
            "cadre_name",
            "insurer",
            "policy_number",
            "cover_start",
            "cover_end",
            "premium",
            "paying_level",
            "voided_reason",
            "created_at",
        ]
        read_only_fields = fields


class InsurancePolicyCreateSerializer(serializers.Serializer[Any]):
    cadre = ObjectIdField(error_messages={"invalid": "cadre 应为驻村干部编号。"})
    insurer = serializers.CharField(max_length=60)
    policy_number = serializers.CharField(max_length=40)
    cover_start = PlausibleDateField(label="保障起期")
    cover_end = PlausibleDateField(label="保障止期")
    premium = serializers.CharField(max_length=40)
    paying_level = choice(
        SourceLevel.choices, error_messages={"invalid_choice": "paying_level 应为 province、city 或 county。"}
    )
