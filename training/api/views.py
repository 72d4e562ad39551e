"""The training API (issue 14; 第十三条4, 第十五条3). Reads through the scoped querysets; a write is one
service call after its objects were fetched through the caller's scope (out of scope → 404)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.authentication import signed_in
from cadres.models import Cadre
from zhucun import scoping
from zhucun.inputs import NOT_FOUND_MESSAGE, InvalidInput, parse_id, parse_year

from .. import selectors, services
from ..models import TrainingEvent
from .serializers import AttendanceSerializer, EnrolSerializer, TrainingEventCreateSerializer, TrainingEventSerializer


@extend_schema(parameters=[OpenApiParameter("year", int), OpenApiParameter("cadre", int)])
class TrainingEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[TrainingEvent]):
    """Training events with their attendees (``GET …/{id}/`` lists them); ``?cadre=`` a cadre's trainings."""

    serializer_class = TrainingEventSerializer
    queryset = TrainingEvent.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[TrainingEvent]:
        rows = selectors.events(user=self.request.user)
        if self.action == "list":
            year = self.request.query_params.get("year", "").strip()
            if year:
                parsed = parse_year(year)
                if parsed is None:
                    raise InvalidInput({"year": ["year 应为四位年份，例如 2026。"]})
                rows = rows.filter(start__year=parsed)
            cadre = self.request.query_params.get("cadre", "").strip()
            if cadre:
                rows = rows.filter(attendances__cadre_id=parse_id(cadre) or 0)
        return rows.order_by("-start", "-id")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        scoping.require(request.user, "training.view")
        return super().list(request, *args, **kwargs)

    @extend_schema(
        responses={
            200: inline_serializer(
                "TrainingEventDetail",
                {"event": TrainingEventSerializer(), "attendees": AttendanceSerializer(many=True)},
            )
        }
    )
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        event = self.get_object()
        scoping.require(request.user, "training.view")
        attendees = selectors.attendances(user=request.user).filter(event=event).order_by("village_code", "id")
        return Response(
            {
                "event": TrainingEventSerializer(event).data,
                "attendees": AttendanceSerializer(attendees, many=True).data,
            }
        )

    @extend_schema(request=TrainingEventCreateSerializer, responses={201: TrainingEventSerializer})
    def create(self, request: Request) -> Response:
        scoping.require(request.user, "training.organize")
        body = TrainingEventCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        event = services.event_create(actor=signed_in(request), **body.validated_data)
        return Response(
            TrainingEventSerializer(selectors.events(user=request.user).get(pk=event.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=EnrolSerializer,
        responses={
            200: inline_serializer(
                "TrainingEnrolResult", {"enrolled": serializers.IntegerField(), "already": serializers.IntegerField()}
            )
        },
    )
    @action(detail=True, methods=["post"])
    def enrol(self, request: Request, pk: str) -> Response:
        event = self.get_object()  # out of scope: 404 before the role is asked
        scoping.require(request.user, "training.organize")
        body = EnrolSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ids = list(dict.fromkeys(body.validated_data["cadres"]))
        cadres = list(scoping.restrict(Cadre.objects.filter(pk__in=ids), request.user))
        if len(cadres) != len(ids):
            raise InvalidInput({"cadres": [NOT_FOUND_MESSAGE]})
        result = services.event_enrol(actor=signed_in(request), event=event, cadres=cadres)
        return Response(result.as_dict())
