"""The funds API (API.md "Team funds"). Reads go through the scoped querysets; each write is one
service call after the team (or entry) was fetched through the caller's scope (out of scope → 404).
Entries are never edited or deleted: the viewsets do not offer PUT, PATCH or DELETE (405)."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from cadres.models import Cadre, Team
from zhucun import scoping
from zhucun.api.schema import NOT_FOUND
from zhucun.inputs import parse_id, parse_year

from .. import selectors, services
from ..models import InsurancePolicy, LedgerEntry, Reimbursement
from .serializers import (
    AllocationCreateSerializer,
    ExpenseCreateSerializer,
    InsurancePolicyCreateSerializer,
    InsurancePolicySerializer,
    LedgerEntrySerializer,
    ReimbursementCreateSerializer,
    ReimbursementSerializer,
    ReverseSerializer,
    TeamFundsSerializer,
)


def _user(request: Request) -> User:
    return cast(User, request.user)  # IsAuthenticated ran first


def scoped_team(request: Request, team_id: int) -> Team:
    """The team, if the caller may see it; else 404 (API.md: out of scope is 404)."""
    return get_object_or_404(scoping.restrict(Team.objects.select_related("unit", "village"), request.user), pk=team_id)


def _year_param(request: Request) -> int:
    from rest_framework.exceptions import ValidationError

    raw = request.query_params.get("year", "")
    if not raw:
        return timezone.localdate().year
    year = parse_year(raw)
    if year is None or not 2015 <= year <= 2100:
        raise ValidationError({"year": ["year 应为 2015 至 2100 之间的四位年份，例如 2026。"]})
    return year


class _EntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[LedgerEntry]):
    serializer_class = LedgerEntrySerializer
    queryset = LedgerEntry.objects.none()
    lookup_value_regex = r"\d+"
    kind = ""

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        scoping.require(request.user, "funds.view")
        return super().list(request, *args, **kwargs)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        entry = self.get_object()  # out of scope: 404 before the role is asked
        scoping.require(request.user, "funds.view")
        return Response(self.get_serializer(entry).data)

    def get_queryset(self) -> QuerySet[LedgerEntry]:
        rows = (
            scoping.restrict(LedgerEntry.objects.filter(kind=self.kind), self.request.user)
            .select_related("account", "created_by")
            .prefetch_related("receipts")
            .order_by("-date", "-id")
        )
        if self.action == "list":
            team, year = self.request.query_params.get("team", ""), self.request.query_params.get("year", "")
            if team:  # a team the caller cannot see answers like one that does not exist: nothing listed
                rows = rows.filter(account__team_id=parse_id(team) or 0)
            if year:
                rows = rows.filter(account__year=parse_year(year) or 0)
        return rows

    @extend_schema(request=ReverseSerializer, responses={201: LedgerEntrySerializer})
    @action(detail=True, methods=["post"])
    def reverse(self, request: Request, pk: str) -> Response:
        entry = self.get_object()
        scoping.require(request.user, "funds.keep")
        body = ReverseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        reversal = services.entry_reverse(actor=_user(request), entry=entry, reason=body.validated_data["reason"])
        return Response(LedgerEntrySerializer(reversal).data, status=status.HTTP_201_CREATED)


@extend_schema(parameters=[OpenApiParameter("team", int), OpenApiParameter("year", int)])
class AllocationViewSet(_EntryViewSet):
    """Allocations (拨入) into a team's account, booked by the county that keeps it (第十四条4)."""

    kind = LedgerEntry.Kind.ALLOCATION

    @extend_schema(request=AllocationCreateSerializer, responses={201: LedgerEntrySerializer, 404: NOT_FOUND})
    def create(self, request: Request) -> Response:
        body = AllocationCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        team = scoped_team(request, data["team"])
        scoping.require(request.user, "funds.keep")
        entry = services.allocation_create(
            actor=_user(request),
            team=team,
            year=data["year"],
            amount=data.get("amount"),
            source_level=data["source_level"],
            is_subsidy=data["is_subsidy"],
            day=data.get("date"),
            description=data["description"],
        )
        return Response(LedgerEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


@extend_schema(parameters=[OpenApiParameter("team", int), OpenApiParameter("year", int)])
class ExpenseViewSet(_EntryViewSet):
    """Expenses (支出) in 第二十七条's categories, with receipts (multipart ``receipt``)."""

    kind = LedgerEntry.Kind.EXPENSE
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=ExpenseCreateSerializer, responses={201: LedgerEntrySerializer, 404: NOT_FOUND})
    def create(self, request: Request) -> Response:
        data_in: Any = request.data
        if hasattr(data_in, "getlist"):
            data_in = {**data_in.dict(), "receipt": request.FILES.getlist("receipt")}
        body = ExpenseCreateSerializer(data=data_in)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        team = scoped_team(request, data["team"])
        scoping.require(request.user, "funds.expense")
        entry = services.expense_create(
            actor=_user(request),
            team=team,
            day=data["date"],
            category=data["category"],
            amount=data["amount"],
            description=data["description"],
            receipts=data["receipt"],
        )
        return Response(LedgerEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class ReimbursementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Reimbursement]):
    """Reimbursement batches (报销) by the county (第十四条4 至少每两个月报销1次)."""

    serializer_class = ReimbursementSerializer
    queryset = Reimbursement.objects.none()
    lookup_value_regex = r"\d+"

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        scoping.require(request.user, "funds.view")
        return super().list(request, *args, **kwargs)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        batch = self.get_object()  # out of scope: 404 before the role is asked
        scoping.require(request.user, "funds.view")
        return Response(self.get_serializer(batch).data)

    def get_queryset(self) -> QuerySet[Reimbursement]:
        rows = scoping.restrict(Reimbursement.objects.all(), self.request.user).prefetch_related("items")
        team = self.request.query_params.get("team", "")
        if self.action == "list" and team:
            rows = rows.filter(team_id=parse_id(team) or 0)
        return rows.order_by("-date", "-id")

    @extend_schema(request=ReimbursementCreateSerializer, responses={201: ReimbursementSerializer, 404: NOT_FOUND})
    def create(self, request: Request) -> Response:
        body = ReimbursementCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        team = scoped_team(request, data["team"])
        scoping.require(request.user, "funds.keep")
        batch = services.reimbursement_create(
            actor=_user(request), team=team, day=data["date"], expense_ids=data["expenses"], note=data["note"]
        )
        fresh = Reimbursement.objects.prefetch_related("items").get(pk=batch.pk)
        return Response(ReimbursementSerializer(fresh).data, status=status.HTTP_201_CREATED)


class TeamFundsView(APIView):
    """``GET /api/v1/funds/teams/{team_id}/?year=``: the team's year (API.md)."""

    @extend_schema(parameters=[OpenApiParameter("year", int)], responses={200: TeamFundsSerializer})
    def get(self, request: Request, team_id: int) -> Response:
        team = scoped_team(request, team_id)
        scoping.require(request.user, "funds.view")
        return Response(TeamFundsSerializer(selectors.team_year(team=team, year=_year_param(request))).data)


class InsurancePolicyViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[InsurancePolicy]
):
    """Accident insurance policies (第二十八条). ``?cadre=`` filters."""

    serializer_class = InsurancePolicySerializer
    queryset = InsurancePolicy.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[InsurancePolicy]:
        rows = scoping.restrict(InsurancePolicy.objects.select_related("cadre"), self.request.user)
        cadre = self.request.query_params.get("cadre", "")
        if self.action == "list" and cadre:
            rows = rows.filter(cadre_id=parse_id(cadre) or 0)
        return rows.order_by("cadre_id", "cover_start", "id")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        scoping.require(request.user, "insurance.view")
        return super().list(request, *args, **kwargs)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        policy = self.get_object()
        scoping.require(request.user, "insurance.view")
        return Response(self.get_serializer(policy).data)

    @extend_schema(request=InsurancePolicyCreateSerializer, responses={201: InsurancePolicySerializer, 404: NOT_FOUND})
    def create(self, request: Request) -> Response:
        body = InsurancePolicyCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        cadre = get_object_or_404(
            scoping.restrict(Cadre.objects.select_related("team"), request.user), pk=data.pop("cadre")
        )
        scoping.require(request.user, "insurance.manage")
        policy = services.insurance_policy_register(actor=_user(request), cadre=cadre, **data)
        return Response(InsurancePolicySerializer(policy).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReverseSerializer, responses={200: InsurancePolicySerializer})
    @action(detail=True, methods=["post"])
    def void(self, request: Request, pk: str) -> Response:
        policy = self.get_object()
        scoping.require(request.user, "insurance.manage")
        body = ReverseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        voided = services.insurance_policy_void(
            actor=_user(request), policy=policy, reason=body.validated_data["reason"]
        )
        return Response(InsurancePolicySerializer(voided).data)
