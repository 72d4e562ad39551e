"""The households and visits API (API.md "Households and visits"). Reads go through the scoped
querysets (households/selectors.py); each write is one service call after its object was fetched
through the caller's scope (out of scope → 404), then the role is asked (403)."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import signed_in
from cadres.models import Region
from zhucun import scoping
from zhucun.api.imports import IMPORT_ERRORS, errors_response, no_file_response
from zhucun.api.schema import NOT_FOUND
from zhucun.exports.xlsx import XLSX_CONTENT_TYPE, xlsx_response
from zhucun.inputs import InvalidInput, parse_id, parse_month
from zhucun.spreadsheets import SheetError

from .. import rules, selectors, services
from ..imports import households_template
from ..models import Household, Visit
from .serializers import (
    HouseholdCreateSerializer,
    HouseholdSerializer,
    HouseholdUpdateSerializer,
    VisitCreateSerializer,
    VisitSerializer,
)

_VILLAGE = re.compile(r"^\d{12}$")
_REGION = re.compile(r"^\d{2,12}$")
_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no"}


def _flag(request: Request, name: str) -> bool | None:
    raw = request.query_params.get(name, "").strip().lower()
    if not raw:
        return None
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise InvalidInput({name: [f"{name} 应为 true 或 false。"]})


def filter_by_place(rows: QuerySet[Any], request: Request) -> QuerySet[Any]:
    """``?village=<12-digit code>`` and ``?region=<code prefix>``: a place the caller cannot see
    lists nothing (the rows are already restricted to the caller's scope)."""
    village = request.query_params.get("village", "").strip()
    if village:
        if not _VILLAGE.match(village):
            raise InvalidInput({"village": ["village 应为 12 位村代码，例如 130125100200。"]})
        rows = rows.filter(village_code=village)
    region = request.query_params.get("region", "").strip()
    if region:
        if not _REGION.match(region):
            raise InvalidInput({"region": ["region 应为 2 至 12 位区划代码，例如 130125。"]})
        rows = rows.filter(village_code__startswith=region)
    return rows


@extend_schema(
    parameters=[
        OpenApiParameter("village", str, description="12 位村代码"),
        OpenApiParameter("region", str, description="区划代码前缀（乡镇、县…）"),
        OpenApiParameter("due", bool, description="true：本期应走访而未走访的农户（第六条7–8）"),
        OpenApiParameter("overdue", bool, description="true：已错过一个走访周期的农户"),
        OpenApiParameter("kind", str, enum=Household.Kind.values, description="poor 或 non_poor"),
    ]
)
class HouseholdViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Household],
):
    """Households of villages (第六条7–8): registered by the township or the county; read by whoever
    sees the village (its team, its township, county, city, province, and its cadres' units)."""

    serializer_class = HouseholdSerializer
    queryset = Household.objects.none()
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Household]:
        rows = selectors.households(user=self.request.user)
        if self.action != "list":
            return rows
        rows = filter_by_place(rows, self.request)
        kind = self.request.query_params.get("kind", "").strip()
        if kind:
            if kind not in Household.Kind.values:
                raise InvalidInput({"kind": ["kind 应为 poor 或 non_poor。"]})
            rows = rows.filter(kind=kind)
        due, overdue = _flag(self.request, "due"), _flag(self.request, "overdue")
        cut = selectors.cutoffs_on()
        for flag, condition in ((due, cut.due_q()), (overdue, cut.overdue_q())):
            if flag is not None:
                rows = rows.filter(condition) if flag else rows.exclude(condition)
        return rows.order_by("village_code", "head_name", "id")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        scoping.require(request.user, "household.view")
        return super().list(request, *args, **kwargs)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        household = self.get_object()  # out of scope: 404 before the role is asked
        scoping.require(request.user, "household.view")
        return Response(self.get_serializer(household).data)

    @extend_schema(request=HouseholdCreateSerializer, responses={201: HouseholdSerializer, 404: NOT_FOUND})
    def create(self, request: Request) -> Response:
        body = HouseholdCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        village = get_object_or_404(scoping.restrict(Region.objects.all(), request.user), code=data["village"])
        scoping.require(request.user, "household.register")
        household = services.household_register(
            actor=signed_in(request),
            village=village,
            head_name=data["head_name"],
            kind=data["kind"],
            resident=data["resident"],
            phone=data["phone"],
            house_number=data["house_number"],
        )
        fresh = selectors.households(user=request.user).get(pk=household.pk)
        return Response(HouseholdSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=HouseholdUpdateSerializer, responses={200: HouseholdSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        household = self.get_object()
        scoping.require(request.user, "household.register")
        body = HouseholdUpdateSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        services.household_update(actor=signed_in(request), household=household, changes=dict(body.validated_data))
        fresh = selectors.households(user=request.user).get(pk=household.pk)
        return Response(HouseholdSerializer(fresh).data)


@extend_schema(
    parameters=[
        OpenApiParameter("household", int),
        OpenApiParameter("village", str, description="12 位村代码"),
        OpenApiParameter("region", str, description="区划代码前缀"),
        OpenApiParameter("month", str, description="YYYY-MM"),
    ]
)
class VisitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Visit]):
    """Visits to households by the team's cadres (第六条7–8). POST by a cadre in post of the village's
    team; each visit is part of that day's work log (``work_log``)."""

    serializer_class = VisitSerializer
    queryset = Visit.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Visit]:
        rows = selectors.visits(user=self.request.user)
        if self.action != "list":
            return rows
        rows = filter_by_place(rows, self.request)
        household = self.request.query_params.get("household", "").strip()
        if household:
            rows = rows.filter(household_id=parse_id(household) or 0)
        month = self.request.query_params.get("month", "").strip()
        if month:
            first = parse_month(month, default=timezone.localdate().replace(day=1))
            rows = rows.filter(date__gte=first, date__lt=rules.month_start(first, -1))
        return rows.order_by("-date", "-id")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        scoping.require(request.user, "household.view")
        return super().list(request, *args, **kwargs)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        visit = self.get_object()
        scoping.require(request.user, "household.view")
        return Response(self.get_serializer(visit).data)

    @extend_schema(request=VisitCreateSerializer, responses={201: VisitSerializer, 404: NOT_FOUND})
    def create(self, request: Request) -> Response:
        body = VisitCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        household = get_object_or_404(scoping.restrict(Household.objects.all(), request.user), pk=data["household"])
        scoping.require(request.user, "household.visit")
        visit = services.visit_create(
            actor=signed_in(request),
            household=household,
            day=data["date"],
            note=data["note"],
            monthly_income=data.get("monthly_income"),
            three_guarantees=data.get("three_guarantees"),
        )
        fresh = selectors.visits(user=request.user).get(pk=visit.pk)
        return Response(VisitSerializer(fresh).data, status=status.HTTP_201_CREATED)


class HouseholdTemplateView(APIView):
    """The household list template (xlsx) — for the township and the county, who import."""

    @extend_schema(responses={(200, XLSX_CONTENT_TYPE): OpenApiResponse(description="农户名单模板")})
    def get(self, request: Request) -> HttpResponse:
        scoping.require(request.user, "household.register")
        return xlsx_response(households_template(), "households-template.xlsx")


class HouseholdImportView(APIView):
    """Upload a village's or a township's households (multipart ``region``, ``file``): all rows or
    nothing; every bad row listed, like the roster import."""

    parser_classes = [MultiPartParser]

    @extend_schema(
        request={
            "multipart/form-data": inline_serializer(
                "HouseholdUpload",
                {
                    "region": serializers.RegexField(r"^(\d{9}|\d{12})$", help_text="9 位乡镇代码或 12 位村代码"),
                    "file": serializers.FileField(),
                },
            )
        },
        responses={
            201: inline_serializer(
                "HouseholdImportCounts",
                {name: serializers.IntegerField() for name in ("created", "updated", "unchanged")},
            ),
            400: IMPORT_ERRORS,
            404: NOT_FOUND,  # the region
        },
    )
    def post(self, request: Request) -> Response:
        data: Any = request.data
        code = str(data.get("region", "")).strip()
        if not re.fullmatch(r"\d{9}|\d{12}", code):
            raise InvalidInput({"region": ["region 应为 9 位乡镇代码或 12 位村代码。"]})
        region = get_object_or_404(scoping.restrict(Region.objects.all(), request.user), code=code)
        scoping.require(request.user, "household.register")
        upload: Any = request.FILES.get("file")
        if upload is None:
            return no_file_response("农户名单")
        try:
            result = services.household_import(actor=signed_in(request), region=region, upload=upload)
        except SheetError as exc:
            return errors_response(exc)
        return Response(result.as_dict(), status=status.HTTP_201_CREATED)
