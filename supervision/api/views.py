"""The supervision API (API.md "Random presence checks"). Reads go through the scoped selectors; each
write is one service call after its object was fetched through the caller's scope (out of scope → 404,
then the role → 403)."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Role, User
from cadres.models import Cadre, Team
from zhucun import scoping
from zhucun.api.schema import CONFLICT, NOT_FOUND
from zhucun.inputs import InvalidInput, parse_id, parse_year

from .. import selectors, services
from ..models import AnnualTask, Demand, PresenceCheck
from .serializers import (
    AnnualTaskCreateSerializer,
    AnnualTaskSerializer,
    AnnualTaskUpdateSerializer,
    DemandCreateSerializer,
    DemandSerializer,
    PresenceCheckAnswerSerializer,
    PresenceCheckCreateSerializer,
    PresenceCheckSerializer,
)


def _user(request: Request) -> User:
    return cast(User, request.user)  # IsAuthenticated ran first


@extend_schema(
    parameters=[
        OpenApiParameter("mine", bool, description="true：只看本人（驻村干部）的抽查"),
        OpenApiParameter("cadre", int),
        OpenApiParameter("status", str, enum=PresenceCheck.Status.values),
    ]
)
class PresenceCheckViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[PresenceCheck]):
    """第十三条3 随机抽查: issued by township or county staff, answered by the cadre with one tap."""

    serializer_class = PresenceCheckSerializer
    queryset = PresenceCheck.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[PresenceCheck]:
        params = self.request.query_params
        if self.action == "list" and params.get("mine", "").lower() in ("true", "1"):
            rows = selectors.my_presence_checks(user=self.request.user)
        else:
            rows = selectors.presence_checks(user=self.request.user)
        if self.action == "list":
            if params.get("cadre"):
                rows = rows.filter(cadre_id=parse_id(params["cadre"]) or 0)
            state = params.get("status", "")
            if state:
                if state not in PresenceCheck.Status.values:
                    raise InvalidInput({"status": ["status 应为 pending、present、outside_geofence 或 missed。"]})
                rows = rows.filter(status=state)
        return rows

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        scoping.require(request.user, "presence.view")
        return super().list(request, *args, **kwargs)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        check = self.get_object()  # out of scope: 404 before the role is asked
        scoping.require(request.user, "presence.view")
        return Response(self.get_serializer(check).data)

    @extend_schema(request=PresenceCheckCreateSerializer, responses={201: PresenceCheckSerializer, 404: NOT_FOUND})
    def create(self, request: Request) -> Response:
        body = PresenceCheckCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        cadre = get_object_or_404(scoping.restrict(Cadre.objects.all(), request.user), pk=body.validated_data["cadre"])
        scoping.require(request.user, "presence.issue")
        check = services.presence_check_issue(actor=_user(request), cadre=cadre, minutes=body.validated_data["minutes"])
        return Response(PresenceCheckSerializer(check).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PresenceCheckAnswerSerializer, responses={200: PresenceCheckSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str) -> Response:
        check = self.get_object()
        scoping.require(request.user, "presence.answer")
        body = PresenceCheckAnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        answered = services.presence_check_answer(
            actor=_user(request),
            check=check,
            latitude=body.validated_data["latitude"],
            longitude=body.validated_data["longitude"],
        )
        return Response(PresenceCheckSerializer(answered).data)


@extend_schema(
    parameters=[
        OpenApiParameter("team", int),
        OpenApiParameter("year", int),
        OpenApiParameter(
            "kind", str, enum=AnnualTask.Kind.values, description="required（规定内容）或 optional（自选内容）"
        ),
    ]
)
class AnnualTaskViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet[AnnualTask]
):
    """第七条 驻村工作队年度帮扶任务清单 (API.md "Annual task list"). ``PATCH`` reports progress; a task is
    not replaced (PUT) or deleted."""

    serializer_class = AnnualTaskSerializer
    queryset = AnnualTask.objects.none()
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[AnnualTask]:
        rows = selectors.tasks(user=self.request.user).order_by("team_id", "year", "kind", "deadline", "id")
        if self.action == "list":
            params = self.request.query_params
            if params.get("team"):  # a team the caller cannot see lists nothing, like one that does not exist
                rows = rows.filter(team_id=parse_id(params["team"]) or 0)
            if params.get("year"):
                year = parse_year(params["year"])
                if year is None:
                    raise InvalidInput({"year": ["year 应为四位年份，例如 2026。"]})
                rows = rows.filter(year=year)
            kind = params.get("kind", "")
            if kind:
                if kind not in AnnualTask.Kind.values:
                    raise InvalidInput({"kind": ["kind 应为 required（规定内容）或 optional（自选内容）。"]})
                rows = rows.filter(kind=kind)
        return rows

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        scoping.require(request.user, "tasks.view")
        return super().list(request, *args, **kwargs)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        task = self.get_object()  # out of scope: 404 before the role is asked
        scoping.require(request.user, "tasks.view")
        return Response(self.get_serializer(task).data)

    @extend_schema(request=AnnualTaskCreateSerializer, responses={201: AnnualTaskSerializer, 404: NOT_FOUND})
    def create(self, request: Request) -> Response:
        body = AnnualTaskCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        team = get_object_or_404(scoping.restrict(Team.objects.select_related("unit"), request.user), pk=data["team"])
        task = services.task_create(
            actor=_user(request),
            team=team,
            year=data["year"],
            kind=data["kind"],
            title=data["title"],
            target=data["target"],
            requirements=data["requirements"],
            deadline=data["deadline"],
            responsible_department=data["responsible_department"],
        )
        return Response(AnnualTaskSerializer(task).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AnnualTaskUpdateSerializer, responses={200: AnnualTaskSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        task = self.get_object()
        scoping.require(request.user, "tasks.update")
        body = AnnualTaskUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        updated = services.task_update(
            actor=_user(request), task=task, progress=data.get("progress"), done=data.get("done"), note=data.get("note")
        )
        return Response(AnnualTaskSerializer(updated).data)


@extend_schema(parameters=[OpenApiParameter("month", str, description="YYYY-MM")])
class DemandViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[Demand]):
    """第八条: demands placed on cadres, recorded by the body that places them or reported by the cadre
    (a cadre's ``cadre`` is their own and may be left out)."""

    serializer_class = DemandSerializer
    queryset = Demand.objects.none()

    def get_queryset(self) -> QuerySet[Demand]:
        from zhucun.inputs import parse_month

        rows = scoping.restrict(Demand.objects.all(), self.request.user).order_by("-date", "-id")
        raw = self.request.query_params.get("month")
        if raw:
            first = parse_month(raw, default=timezone.localdate())
            rows = rows.filter(date__year=first.year, date__month=first.month)
        return rows

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        scoping.require(request.user, "burden.record")
        return super().list(request, *args, **kwargs)

    @extend_schema(request=DemandCreateSerializer, responses={201: DemandSerializer, 404: NOT_FOUND})
    def create(self, request: Request) -> Response:
        body = DemandCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        cadre_id = data.get("cadre") or (
            getattr(request.user, "cadre_id", None) if _user(request).role == Role.CADRE else None
        )
        if cadre_id is None:
            raise InvalidInput({"cadre": ["请选择驻村干部。"]})
        cadre = get_object_or_404(scoping.restrict(Cadre.objects.select_related("team"), request.user), pk=cadre_id)
        demand = services.demand_record(
            actor=_user(request), cadre=cadre, day=data["date"], kind=data["kind"],
            demanding_body=data["demanding_body"], description=data["description"],
        )  # fmt: skip
        return Response(DemandSerializer(demand).data, status=status.HTTP_201_CREATED)
