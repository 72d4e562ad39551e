from __future__ import annotations

from typing import Any

from rest_framework import serializers

from cadres.idnumbers import mask_id_number
from zhucun.api.fields import ObjectIdField

from ..models import AssessmentResult, CountyEvaluationOpinion, RecallCase, Sanction


class AssessmentGradeInputSerializer(serializers.Serializer[Any]):
    grade = serializers.CharField(max_length=20)


class AssessmentResultSerializer(serializers.Serializer[Any]):
    """A subject's grade in a year (null when not graded yet)."""

    year = serializers.IntegerField()
    subject_type = serializers.CharField()
    id = serializers.IntegerField()
    grade = serializers.CharField(allow_null=True)
    grade_label = serializers.CharField(allow_null=True)
    round_status = serializers.CharField(allow_null=True)
    leadership_not_excellent = serializers.BooleanField()

    @staticmethod
    def payload(*, year: int, subject_type: str, pk: int, result: AssessmentResult | None) -> dict[str, Any]:
        return {
            "year": year,
            "subject_type": subject_type,
            "id": pk,
            "grade": result.grade if result else None,
            "grade_label": result.grade_label if result else None,
            "round_status": result.round.status if result else None,
            "leadership_not_excellent": bool(result and result.leadership_not_excellent),
        }


class RecallSanctionSerializer(serializers.ModelSerializer[Sanction]):
    # plain strings: "kind" and "status" enums of other apps would collide in the OpenAPI schema
    kind = serializers.CharField(read_only=True, help_text="no_awards | no_promotion | not_grassroots_experience")

    class Meta:
        model = Sanction
        fields = ["kind", "starts_on", "ends_on"]


class RecallCaseSerializer(serializers.ModelSerializer[RecallCase]):
    cadre = serializers.SerializerMethodField()
    unit = serializers.SerializerMethodField()
    sanctions = RecallSanctionSerializer(many=True, read_only=True)
    status = serializers.CharField(read_only=True, help_text="open | recalled | dismissed")

    class Meta:
        model = RecallCase
        fields = [
            "id",
            "cadre",
            "unit",
            "village_code",
            "trigger",
            "status",
            "evidence",
            "year",
            "absence_days",
            "opened_at",
            "consulted_at",
            "consultation",
            "decided_at",
            "decision_reason",
            "sanctions",
        ]
        read_only_fields = fields

    def get_cadre(self, case: RecallCase) -> dict[str, Any]:
        return {"id": case.cadre_id, "name": case.cadre.name, "id_number": mask_id_number(case.cadre.id_number)}

    def get_unit(self, case: RecallCase) -> dict[str, Any]:
        return {"id": case.unit_id, "name": case.unit.name, "level": case.unit.level}


class RecallCaseCreateSerializer(serializers.Serializer[Any]):
    cadre = ObjectIdField()
    trigger = serializers.ChoiceField(choices=RecallCase.Trigger.choices)
    evidence = serializers.CharField(max_length=4000)


class RecallDecisionSerializer(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(choices=[RecallCase.Status.RECALLED, RecallCase.Status.DISMISSED])
    reason = serializers.CharField(max_length=2000)


class RecallConsultationSerializer(serializers.Serializer[Any]):
    opinion = serializers.CharField(max_length=2000)


class CountyOpinionInputSerializer(serializers.Serializer[CountyEvaluationOpinion]):
    opinion = serializers.CharField(max_length=2000)
    suggested_grade = serializers.CharField(required=False, allow_blank=True, max_length=20)


class CountyOpinionSerializer(serializers.ModelSerializer[CountyEvaluationOpinion]):
    class Meta:
        model = CountyEvaluationOpinion
        fields = ["id", "year", "subject_type", "county_code", "opinion", "suggested_grade", "recorded_at"]
