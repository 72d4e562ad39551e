"""The term adjustment API (API.md "Term adjustment", 第三条). Reads through the scoped queryset; each
write is one service call, which checks who may act (cadres/policies.py)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.authentication import signed_in
from zhucun import scoping
from zhucun.api.fields import ObjectIdField, choice
from zhucun.api.schema import NOT_FOUND

from .. import services
from ..models import Cadre, TermAdjustment


class TermAdjustmentSerializer(serializers.ModelSerializer[TermAdjustment]):
    status = choice(TermAdjustment.Status.choices, read_only=True)
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    has_attachment = serializers.SerializerMethodField()

    class Meta:
        model = TermAdjustment
        fields = [
            "id",
            "status",
            "cadre",
            "cadre_name",
            "unit",
            "unit_name",
            "village_code",
            "reason",
            "has_attachment",
            "requested_at",
            "decided_at",
            "comment",
            "filed_with",
        ]

    def get_has_attachment(self, adjustment: TermAdjustment) -> bool:
        return bool(adjustment.attachment)


class TermAdjustmentCreateSerializer(serializers.Serializer[Any]):
    cadre = ObjectIdField(error_messages={"invalid": "cadre 应为驻村干部编号。"})
    reason = serializers.CharField(max_length=4000, error_messages={"blank": "请填写书面申请的内容。"})
    attachment = serializers.FileField(required=False)


class DecisionSerializer(serializers.Serializer[Any]):
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class TermAdjustmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[TermAdjustment]):
    """Term adjustments: the dispatching unit applies, the organization department of its level decides,
    the level above sees the filed adjustment (第三条)."""

    serializer_class = TermAdjustmentSerializer
    queryset = TermAdjustment.objects.none()
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[TermAdjustment]:
        rows = scoping.restrict(TermAdjustment.objects.select_related("cadre", "unit"), self.request.user)
        return rows.order_by("-requested_at", "-id")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        scoping.require(request.user, "term.view")
        return super().list(request, *args, **kwargs)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        adjustment = self.get_object()  # out of scope: 404 first
        scoping.require(request.user, "term.view")
        return Response(self.get_serializer(adjustment).data)

    @extend_schema(request=TermAdjustmentCreateSerializer, responses={201: TermAdjustmentSerializer, 404: NOT_FOUND})
    def create(self, request: Request) -> Response:
        body = TermAdjustmentCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        cadre = get_object_or_404(
            scoping.restrict(Cadre.objects.select_related("unit", "team"), request.user), pk=data["cadre"]
        )
        scoping.require(request.user, "term.request")
        adjustment = services.term_adjustment_request(
            actor=signed_in(request), cadre=cadre, reason=data["reason"], attachment=data.get("attachment")
        )
        return Response(TermAdjustmentSerializer(adjustment).data, status=status.HTTP_201_CREATED)

    def _decide(self, request: Request, *, approve: bool) -> Response:
        adjustment = self.get_object()
        scoping.require(request.user, "term.decide")
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        decided = services.term_adjustment_decide(
            actor=signed_in(request),
            adjustment_id=adjustment.pk,
            approve=approve,
            comment=body.validated_data["comment"],
        )
        return Response(TermAdjustmentSerializer(decided).data)

    @extend_schema(request=DecisionSerializer, responses={200: TermAdjustmentSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        return self._decide(request, approve=True)

    @extend_schema(request=DecisionSerializer, responses={200: TermAdjustmentSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        return self._decide(request, approve=False)
