"""The duties API (API.md "Duties with deadlines"). Reads go through the scoped queryset; fulfilling is
one service call after the obligation was fetched through the caller's scope (out of scope → 404), the
body checked (others 403) and a fulfilled obligation refused (409)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.authentication import signed_in
from zhucun import scoping
from zhucun.api.errors import Conflict
from zhucun.api.schema import CONFLICT
from zhucun.inputs import parse_year

from .. import catalogue, selectors, services
from ..catalogue import BodyType
from ..models import Obligation
from .serializers import FulfilSerializer, ObligationSerializer


@extend_schema(
    parameters=[
        OpenApiParameter("year", int),
        OpenApiParameter("body_type", str, enum=[v for v, _ in BodyType.choices]),
        OpenApiParameter("body", str, description="单位编号或区划代码"),
        OpenApiParameter("status", str, enum=[v for v, _ in Obligation.Status.choices]),
    ]
)
class ObligationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Obligation]):
    """Every body's recurring obligations, created by the system, in the caller's scope; overdue first."""

    serializer_class = ObligationSerializer
    queryset = Obligation.objects.none()
    lookup_value_regex = r"\d+"
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[Obligation]:
        rows = selectors.in_scope(user=self.request.user).prefetch_related("evidence")
        if self.action != "list":
            return rows
        params = self.request.query_params
        errors: dict[str, list[str]] = {}
        if params.get("year", ""):
            year = parse_year(params["year"])
            if year is None or not 2015 <= year <= 2100:
                errors["year"] = ["year 应为 2015 至 2100 之间的四位年份，例如 2026。"]
            else:
                rows = rows.filter(year=year)
        if params.get("body_type", ""):
            if params["body_type"] not in BodyType.values:
                errors["body_type"] = ["body_type 应为 unit、org、county 或 township。"]
            rows = rows.filter(body_type=params["body_type"])
        if params.get("status", ""):
            if params["status"] not in Obligation.Status.values:
                errors["status"] = ["status 应为 open、done 或 overdue。"]
            rows = rows.filter(status=params["status"])
        body = params.get("body", "").strip()
        if body:
            if not (body.isascii() and body.isdigit() and len(body) <= 20):
                errors["body"] = ["body 应为单位编号或区划代码（数字）。"]
            rows = rows.filter(body_key=body)
        if errors:
            raise ValidationError(errors)
        return selectors.ordered(rows)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        scoping.require(request.user, "duties.view")
        return super().list(request, *args, **kwargs)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obligation = self.get_object()  # out of scope: 404 before the role is asked
        scoping.require(request.user, "duties.view")
        return Response(self.get_serializer(obligation).data)

    @extend_schema(request=FulfilSerializer, responses={200: ObligationSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def fulfil(self, request: Request, pk: str) -> Response:
        """Only the body itself (a unit account for its unit; the department, county or township of the
        region) → 200 ``done``; others in scope 403; a fulfilled obligation 409; bad input 400."""
        obligation = self.get_object()
        scoping.require(request.user, "duties.fulfil")
        if not catalogue.is_body(request.user, obligation):
            raise PermissionDenied(f"只有责任主体（{obligation.body_name}）本身可以登记该项职责的履行情况。")
        if obligation.status == Obligation.Status.DONE:
            raise Conflict(f"该项职责已于 {obligation.fulfilled_on:%Y-%m-%d} 登记履行，不能重复登记。")
        data_in: Any = request.data
        if hasattr(data_in, "getlist"):
            data_in = {**data_in.dict(), "evidence": request.FILES.getlist("evidence")}
        body = FulfilSerializer(data=data_in)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        done = services.obligation_fulfil(
            actor=signed_in(request),
            obligation=obligation,
            day=data["date"],
            note=data["note"],
            evidence=data["evidence"],
        )
        fresh = selectors.in_scope(user=request.user).prefetch_related("evidence").get(pk=done.pk)
        return Response(ObligationSerializer(fresh).data)
