"""The supervision API (API.md "Random presence checks"). Reads go through the scoped selectors; each
write is one service call after its object was fetched through the caller's scope (out of scope → 404,
then the role → 403)."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from cadres.models import Cadre
from zhucun import scoping
from zhucun.inputs import InvalidInput, parse_id

from .. import selectors, services
from ..models import PresenceCheck
from .serializers import PresenceCheckAnswerSerializer, PresenceCheckCreateSerializer, PresenceCheckSerializer


def _user(request: Request) -> User:
    return cast(User, request.user)  # IsAuthenticated ran first


@extend_schema(
    parameters=[
        OpenApiParameter("mine", bool, description="true：只看本人（驻村干部）的抽查"),
        OpenApiParameter("cadre", int),
        OpenApiParameter("status", str),
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

    @extend_schema(request=PresenceCheckCreateSerializer, responses={201: PresenceCheckSerializer})
    def create(self, request: Request) -> Response:
        body = PresenceCheckCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        cadre = get_object_or_404(scoping.restrict(Cadre.objects.all(), request.user), pk=body.validated_data["cadre"])
        scoping.require(request.user, "presence.issue")
        check = services.presence_check_issue(actor=_user(request), cadre=cadre, minutes=body.validated_data["minutes"])
        return Response(PresenceCheckSerializer(check).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PresenceCheckAnswerSerializer, responses={200: PresenceCheckSerializer})
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
