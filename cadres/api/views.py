from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import filters, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import signed_in
from zhucun import scoping
from zhucun.api.imports import IMPORT_ERRORS, errors_response, no_file_response
from zhucun.api.viewsets import ScopedReadOnlyViewSet
from zhucun.exports.xlsx import XLSX_CONTENT_TYPE as XLSX
from zhucun.exports.xlsx import xlsx_response

from ..filtersets import CadreFilterSet, RegionFilterSet, TeamFilterSet
from ..models import Cadre, Region, Team
from ..roster import RosterError, roster_template
from ..services import cadre_id_number_reveal, roster_import
from .serializers import CadreSerializer, RegionSerializer, TeamSerializer


class RegionViewSet(ScopedReadOnlyViewSet):
    """Regions the caller may see: their subtree and the chain above it."""

    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    filterset_class = RegionFilterSet
    lookup_field = "code"


class TeamViewSet(ScopedReadOnlyViewSet):
    queryset = Team.objects.with_list_data()
    serializer_class = TeamSerializer
    filterset_class = TeamFilterSet
    filter_backends = [*ScopedReadOnlyViewSet.filter_backends, filters.OrderingFilter]  # type: ignore[misc]
    ordering_fields = ["village_id", "unit__name", "member_count"]
    ordering = ["village_id"]


class CadreViewSet(ScopedReadOnlyViewSet):
    """Cadres in the caller's scope; 身份证号 masked for everyone (decision 0062)."""

    queryset = Cadre.objects.with_list_data()
    serializer_class = CadreSerializer
    filterset_class = CadreFilterSet
    filter_backends = [*ScopedReadOnlyViewSet.filter_backends, filters.OrderingFilter]  # type: ignore[misc]
    ordering_fields = ["name", "term_start", "term_end", "team__village_id"]
    ordering = ["team__village_id", "role", "name"]

    @extend_schema(
        request=None,
        responses={
            200: inline_serializer(
                "CadreIdNumber", {"id": serializers.IntegerField(), "id_number": serializers.CharField()}
            )
        },
        description=(
            "县委组织部查看一名干部的完整身份证号：每次查看都记入审计日志，响应不缓存（Cache-Control: no-store）。"
        ),
    )
    @action(detail=True, methods=["post"], url_path="reveal-id-number")
    def reveal_id_number(self, request: Request, pk: str | None = None) -> Response:
        """The county office reveals one cadre's full 身份证号: out of scope 404, other roles 403; audited."""
        cadre = self.get_object()
        number = cadre_id_number_reveal(actor=signed_in(request), cadre=cadre)
        response = Response({"id": cadre.pk, "id_number": number})
        add_never_cache_headers(response)
        return response


class RosterTemplateView(APIView):
    """The roster template (xlsx) — the same for everyone who may import."""

    @extend_schema(responses={(200, XLSX): OpenApiResponse(description="花名册模板")})
    def get(self, request: Request) -> HttpResponse:
        scoping.require(request.user, "roster.import")
        return xlsx_response(roster_template(), "roster-template.xlsx")


_ImportCounts = inline_serializer(
    "RosterImportCounts",
    {name: serializers.IntegerField() for name in ("teams", "cadres", "villages", "units")},
)


class RosterImportView(APIView):
    """Upload a roster: all rows or nothing; every bad row listed (API.md "Roster import")."""

    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": inline_serializer("RosterUpload", {"file": serializers.FileField()})},
        responses={201: _ImportCounts, 400: IMPORT_ERRORS},
    )
    def post(self, request: Request) -> Response:
        scoping.require(request.user, "roster.import")
        upload: Any = request.FILES.get("file")
        if upload is None:
            return no_file_response("花名册")
        try:
            result = roster_import(actor=signed_in(request), upload=upload)
        except RosterError as exc:
            return errors_response(exc)
        return Response(result.as_dict(), status=status.HTTP_201_CREATED)
