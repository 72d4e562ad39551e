"""The leave API (API.md "Leave (请假销假)"). Reads go through the scoped queryset; every write is one
service call, which fetches the request through the caller's scope itself (out of scope → 404)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.authentication import signed_in
from zhucun import scoping

from .. import selectors, services
from ..models import LeaveRequest
from .serializers import (
    LeaveDecisionSerializer,
    LeaveRequestCreateSerializer,
    LeaveRequestDetailSerializer,
    LeaveRequestSerializer,
)


class LeaveRequestViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet[LeaveRequest]
):
    """Leave requests: a cadre sees their own (and a 队长 those routed to them), staff those in scope;
    ``?awaiting_me=true`` is the caller's inbox, the oldest deadline first."""

    serializer_class = LeaveRequestSerializer
    queryset = LeaveRequest.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[LeaveRequest]:
        if self.action == "list" and self.request.query_params.get("awaiting_me") in ("true", "1"):
            return selectors.inbox(user=self.request.user)
        rows = selectors.leave_requests(user=self.request.user)
        status_filter = self.request.query_params.get("status")
        if self.action == "list" and status_filter:
            rows = rows.filter(status=status_filter)
        return rows.order_by("-created_at", "-id") if self.action == "list" else rows

    @extend_schema(
        parameters=[
            OpenApiParameter("awaiting_me", bool, description="只看待我审批的申请，期限最早的在前"),
            OpenApiParameter("status", str, enum=LeaveRequest.Status.values, description="只看该状态的申请"),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: LeaveRequestDetailSerializer})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """One request; a pending one carries ``month_impact`` and ``coverage_warnings`` (第五条)."""
        leave = self.get_object()
        impact = None
        if leave.status == LeaveRequest.Status.PENDING:
            impact = selectors.leave_impact(request=leave, today=timezone.localdate())
        return Response(LeaveRequestDetailSerializer(leave, context={"impact": impact}).data)

    @extend_schema(request=LeaveRequestCreateSerializer, responses={201: LeaveRequestSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        scoping.require(request.user, "leave.request")
        body = LeaveRequestCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        created = services.leave_request_create(actor=signed_in(request), **body.validated_data)
        return Response(self._fresh(created.pk), status=status.HTTP_201_CREATED)

    def _fresh(self, pk: int) -> dict[str, Any]:
        return dict(LeaveRequestSerializer(selectors.leave_requests(user=self.request.user).get(pk=pk)).data)

    @extend_schema(request=LeaveDecisionSerializer, responses={200: LeaveRequestSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        body = LeaveDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        decided = services.leave_request_approve(
            actor=signed_in(request), request_id=int(pk), comment=body.validated_data["comment"]
        )
        return Response(self._fresh(decided.pk))

    @extend_schema(request=LeaveDecisionSerializer, responses={200: LeaveRequestSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        body = LeaveDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        decided = services.leave_request_reject(
            actor=signed_in(request), request_id=int(pk), comment=body.validated_data["comment"]
        )
        return Response(self._fresh(decided.pk))

    @extend_schema(request=None, responses={200: LeaveRequestSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        done = services.leave_request_withdraw(actor=signed_in(request), request_id=int(pk))
        return Response(self._fresh(done.pk))

    @extend_schema(request=None, responses={200: LeaveRequestSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        """The applicant cancels an approved leave before it starts (第十九条2)."""
        done = services.leave_request_cancel(actor=signed_in(request), request_id=int(pk))
        return Response(self._fresh(done.pk))

    @extend_schema(request=None, responses={200: LeaveRequestSerializer})
    @action(detail=True, methods=["post"], url_path="report-back", url_name="report-back")
    def report_back(self, request: Request, pk: str) -> Response:
        done = services.leave_request_report_back(actor=signed_in(request), request_id=int(pk))
        return Response(self._fresh(done.pk))
