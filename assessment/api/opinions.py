"""第二十五条 双线考核 in the API: the team leader's yearly evaluation opinions on the county and on the
dispatching unit (``POST``: 201 new, 200 revised), the opinions the caller sees, and per body their
weighted points (``summary/``). The service decides who may give one (403) and what is valid (400/409)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.authentication import signed_in
from cadres.models import Unit
from zhucun import scoping
from zhucun.api.fields import ObjectIdField, choice
from zhucun.inputs import parse_year

from .. import selectors, services
from ..models import SupportOpinion, TeamGrade


class SupportOpinionSerializer(serializers.ModelSerializer[SupportOpinion]):
    body_type = choice(SupportOpinion.BodyType.choices, read_only=True)
    grade = choice(TeamGrade.choices, read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True, default="")

    class Meta:
        model = SupportOpinion
        fields = [
            "id", "year", "team", "village_code", "body_type", "county_code", "unit", "unit_name", "grade", "score",
            "opinion", "submitted_at", "updated_at",
        ]  # fmt: skip


class SupportOpinionInputSerializer(serializers.Serializer[Any]):
    year = serializers.IntegerField(
        min_value=2015, max_value=2100, error_messages={"invalid": "year 应为考核年度，例如 2026。"}
    )
    body_type = choice(SupportOpinion.BodyType.choices)
    unit = ObjectIdField(required=False, allow_null=True, default=None)
    grade = choice(TeamGrade.choices)
    score = serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        min_value=0,
        max_value=100,
        error_messages={
            "invalid": "评价分数应为 0 至 100 之间的数字。",
            "max_value": "评价分数不能超过 100。",
            "min_value": "评价分数不能小于 0。",
            "max_digits": "评价分数应为 0 至 100 之间、最多一位小数的数字。",
            "max_decimal_places": "评价分数最多保留一位小数。",
            "max_whole_digits": "评价分数不能超过 100。",
        },
    )
    opinion = serializers.CharField(max_length=2000, error_messages={"blank": "请填写评价意见。"})


class OpinionSummarySerializer(serializers.Serializer[Any]):
    """One body's opinions of the year: counts by grade, the mean score and its weighted points."""

    body_type = serializers.CharField()
    key = serializers.CharField(help_text="county: the county's code; unit: the unit's id")
    name = serializers.CharField()
    opinions = serializers.IntegerField()
    grades = serializers.DictField(child=serializers.IntegerField())
    mean_score = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)
    weight = serializers.DecimalField(max_digits=4, decimal_places=2)
    weighted = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)

    @staticmethod
    def payload(row: selectors.BodyOpinions) -> dict[str, Any]:
        return {
            "body_type": row.body_type, "key": row.key, "name": row.name, "opinions": row.weight.opinions,
            "grades": row.grades, "mean_score": row.weight.mean_score, "weight": row.weight.weight,
            "weighted": row.weight.weighted,
        }  # fmt: skip


class SupportOpinionFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="year", label="考核年度")
    body_type = django_filters.ChoiceFilter(choices=SupportOpinion.BodyType.choices, label="评价对象")

    class Meta:
        model = SupportOpinion
        fields = ["year", "body_type"]


class SupportOpinionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[SupportOpinion]):
    """第二十五条: 驻村工作队的评价意见 on the county's and the dispatching unit's support work, yearly."""

    serializer_class = SupportOpinionSerializer
    queryset = SupportOpinion.objects.none()
    filterset_class = SupportOpinionFilterSet
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[SupportOpinion]:
        rows = scoping.restrict(SupportOpinion.objects.select_related("unit"), self.request.user)
        return rows.order_by("-year", "village_code", "body_type", "id")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        scoping.require(request.user, "assessment.support_opinions")
        return super().list(request, *args, **kwargs)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        record = self.get_object()
        scoping.require(request.user, "assessment.support_opinions")
        return Response(self.get_serializer(record).data)

    @extend_schema(
        request=SupportOpinionInputSerializer,
        responses={201: SupportOpinionSerializer, 200: SupportOpinionSerializer},
    )
    def create(self, request: Request) -> Response:
        scoping.require(request.user, "assessment.support_opinion")
        body = SupportOpinionInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        # Any unit id: the service refuses (400, one message) a unit that sent no cadre to the team, so
        # an unknown id and another unit's answer alike and nothing is told about units outside the team.
        unit = Unit.objects.filter(pk=data["unit"]).first() if data["unit"] is not None else None
        record, created = services.support_opinion_submit(
            actor=signed_in(request),
            year=data["year"],
            body_type=data["body_type"],
            unit=unit,
            grade=data["grade"],
            score=data["score"],
            opinion=data["opinion"],
        )
        return Response(
            SupportOpinionSerializer(record).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    @extend_schema(
        parameters=[OpenApiParameter("year", int, required=True, description="考核年度")],
        responses={200: OpinionSummarySerializer(many=True)},
        filters=False,
    )
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def summary(self, request: Request) -> Response:
        """Per county and dispatching unit the caller sees: the teams' opinions of the year by grade, their
        mean score and, with the profile's weight, the points they carry (第二十五条)."""
        scoping.require(request.user, "assessment.support_opinions")
        year = parse_year(request.query_params.get("year", ""))
        if year is None or not services.year_is_valid(year):
            raise ValidationError({"year": ["请提供考核年度，例如 ?year=2026。"]})
        rows = selectors.support_opinion_summary(user=request.user, year=year)
        return Response(
            OpinionSummarySerializer([OpinionSummarySerializer.payload(row) for row in rows], many=True).data
        )
