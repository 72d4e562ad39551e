"""API of API.md "Absence findings and recall" and "Annual assessment". Objects are fetched through the
caller's scope (out of scope → 404); the services decide who may grade, consult and decide (第十二条,
第二十条, 第二十一条: ``PermissionDenied`` → 403) and what the rules allow (400/409). The views
translate."""

from __future__ import annotations

import tempfile
from typing import TYPE_CHECKING, Any

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import signed_in
from cadres.models import Cadre
from zhucun import scoping
from zhucun.api.viewsets import ScopedQuerysetMixin
from zhucun.exports.xlsx import XLSX_CONTENT_TYPE
from zhucun.filters import ScopedObjectFilter
from zhucun.inputs import parse_year
from zhucun.replica import replica_reads

from .. import selectors, services
from ..models import RecallCase, SubjectType
from .serializers import (
    AssessmentGradeInputSerializer,
    AssessmentResultSerializer,
    CountyOpinionInputSerializer,
    CountyOpinionSerializer,
    RecallCaseCreateSerializer,
    RecallCaseSerializer,
    RecallConsultationSerializer,
    RecallDecisionSerializer,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


class RecallCaseFilterSet(django_filters.FilterSet):
    """``?cadre=`` names a cadre in the caller's scope (else 400, like one that does not exist)."""

    cadre = ScopedObjectFilter(field_name="cadre", model=Cadre, label="驻村干部")
    status = django_filters.ChoiceFilter(choices=RecallCase.Status.choices, label="状态")
    trigger = django_filters.ChoiceFilter(choices=RecallCase.Trigger.choices, label="触发情形")

    class Meta:
        model = RecallCase
        fields = ["cadre", "status", "trigger"]


#: The path of a subject's year: its kind is one of SubjectType (else 404), the year from 2015 on.
SUBJECT_PATH = [
    OpenApiParameter("year", int, OpenApiParameter.PATH, description="考核年度（2015 年至明年）"),
    OpenApiParameter(
        "subject_type", str, OpenApiParameter.PATH, enum=SubjectType.values, description="驻村干部、工作队或派出单位"
    ),
    OpenApiParameter("id", int, OpenApiParameter.PATH, description="干部、工作队或派出单位的编号"),
]


@extend_schema(parameters=SUBJECT_PATH)
class AssessmentGradeView(APIView):
    """``GET``/``PUT /api/v1/assessments/{year}/{subject_type}/{id}/`` — a subject's grade of a year."""

    def _subject(self, request: Request, subject_type: str, pk: int) -> Any:
        if subject_type not in SubjectType.values:
            raise Http404
        obj = selectors.subject_in_scope(user=request.user, subject_type=subject_type, pk=pk)
        if obj is None:
            raise Http404
        return obj

    @extend_schema(responses={200: AssessmentResultSerializer})
    def get(self, request: Request, year: int, subject_type: str, pk: int) -> Response:
        obj = self._subject(request, subject_type, pk)
        scoping.require(request.user, "assessment.view")
        result = selectors.result_for(subject_type=subject_type, obj=obj, year=year)
        return Response(AssessmentResultSerializer.payload(year=year, subject_type=subject_type, pk=pk, result=result))

    @extend_schema(request=AssessmentGradeInputSerializer, responses={200: AssessmentResultSerializer})
    def put(self, request: Request, year: int, subject_type: str, pk: int) -> Response:
        obj = self._subject(request, subject_type, pk)
        data = AssessmentGradeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.assessment_grade_set(
            actor=signed_in(request), year=year, subject_type=subject_type, obj=obj, grade=data.validated_data["grade"]
        )
        return Response(AssessmentResultSerializer.payload(year=year, subject_type=subject_type, pk=pk, result=result))


class RecallCaseViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """Recall cases (第二十条) in the caller's scope; ``?cadre=<id>``, ``?status=``, ``?trigger=``."""

    queryset = RecallCase.objects.select_related("cadre", "unit").prefetch_related("sanctions")
    serializer_class = RecallCaseSerializer
    filterset_class = RecallCaseFilterSet

    def get_queryset(self) -> QuerySet[RecallCase]:
        return super().get_queryset().order_by("-opened_at", "-id")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        scoping.require(request.user, "recall.view")
        return super().list(request, *args, **kwargs)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        case = self.get_object()
        scoping.require(request.user, "recall.view")
        return Response(self.get_serializer(case).data)

    @extend_schema(request=RecallCaseCreateSerializer, responses={201: RecallCaseSerializer})
    def create(self, request: Request) -> Response:
        """第二十条3–7: open a case by hand, with the evidence."""
        scoping.require(request.user, "recall.open")  # before the cadre lookup: its 400 would say who exists
        data = RecallCaseCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cadre = (
            scoping.restrict(Cadre.objects.select_related("team"), request.user)
            .filter(pk=data.validated_data["cadre"])
            .first()
        )
        if cadre is None:
            raise ValidationError({"cadre": ["该驻村干部不存在或不在您的管辖范围内。"]})
        case = services.recall_case_open(
            actor=signed_in(request),
            cadre=cadre,
            trigger=data.validated_data["trigger"],
            evidence=data.validated_data["evidence"],
        )
        return Response(self.get_serializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RecallConsultationSerializer, responses={200: RecallCaseSerializer})
    @action(detail=True, methods=["post"])
    def consult(self, request: Request, pk: str) -> Response:
        """第二十条 商派出单位: record the dispatching unit's opinion (the deciding department, or the unit)."""
        case = self.get_object()
        data = RecallConsultationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.recall_case_consult(actor=signed_in(request), case=case, opinion=data.validated_data["opinion"])
        return Response(self.get_serializer(case).data)

    @extend_schema(request=RecallDecisionSerializer, responses={200: RecallCaseSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str) -> Response:
        """第二十条: the organization department of the dispatching unit's level decides."""
        case = self.get_object()
        data = RecallDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.recall_case_decide(
            actor=signed_in(request),
            case=case,
            decision=data.validated_data["decision"],
            reason=data.validated_data["reason"],
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=case.pk)).data)


def workbook_response(*, user: User | AnonymousUser, year: int) -> FileResponse:
    """The caller's workbook, built into a temporary file (memory stays flat) and streamed. Its reads
    may come from the replica (decision 0103: unless the caller has just written); the audit event is
    written on the primary."""
    from zhucun.audit import audit_export

    from ..exports import write_assessment_workbook

    out = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    with replica_reads():
        rows = write_assessment_workbook(user=user, year=year, out=out)
    out.seek(0)
    filename = f"驻村考核-{year}.xlsx"
    audit_export(
        user=user, kind="assessment.assessmentresult", title=f"{year}年度考核结果", params={"year": year},
        rows=rows, filename=filename,
    )  # fmt: skip
    return FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


class AssessmentExportView(APIView):
    """``GET /api/v1/exports/assessments.xlsx?year=<year>`` — the caller's in-scope workbook."""

    @extend_schema(
        parameters=[OpenApiParameter("year", int, required=True)],
        responses={(200, XLSX_CONTENT_TYPE): OpenApiResponse(description="考核结果工作簿")},
    )
    def get(self, request: Request) -> Any:
        scoping.require(request.user, "assessment.export")
        year = parse_year(request.query_params.get("year", ""))
        if year is None or not services.year_is_valid(year):
            raise ValidationError({"year": ["请提供考核年度，例如 ?year=2025。"]})
        return workbook_response(user=request.user, year=year)


@extend_schema(parameters=SUBJECT_PATH)
class CountyOpinionView(APIView):
    """``GET``/``POST /api/v1/assessments/{year}/{subject_type}/{id}/opinions/`` — the stationing
    county's evaluation opinions on a subject (第十四条3), a basis of the annual assessment."""

    @extend_schema(responses={200: CountyOpinionSerializer(many=True)})
    def get(self, request: Request, year: int, subject_type: str, pk: int) -> Response:
        subject = AssessmentGradeView()._subject(request, subject_type, pk)
        scoping.require(request.user, "assessment.view")
        rows = selectors.county_opinions(user=request.user, year=year, subject_type=subject_type, subject=subject)
        return Response(CountyOpinionSerializer(rows, many=True).data)

    @extend_schema(request=CountyOpinionInputSerializer, responses={201: CountyOpinionSerializer})
    def post(self, request: Request, year: int, subject_type: str, pk: int) -> Response:
        subject = AssessmentGradeView()._subject(request, subject_type, pk)  # out of scope: 404
        scoping.require(request.user, "assessment.opinion")  # the stationing county only: 403
        form = CountyOpinionInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        record = services.county_opinion_record(
            actor=signed_in(request),
            year=year,
            subject_type=subject_type,
            obj=subject,
            opinion=form.validated_data["opinion"],
            suggested_grade=form.validated_data.get("suggested_grade", ""),
        )
        return Response(CountyOpinionSerializer(record).data, status=status.HTTP_201_CREATED)
