"""The party affairs API (第十八条): the transfer of a cadre's party membership to the village's party
organization, and the first secretary appointed to lead the village's party organization. Reads through
the scoped queryset (out of scope → 404); each write is one service call, which decides who may act
(cadres/policies.py, 403) and what is valid (400), refusing a finished step with 409."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.authentication import signed_in
from zhucun import scoping
from zhucun.api.fields import ObjectIdField, PlausibleDateField, choice
from zhucun.api.schema import NOT_FOUND
from zhucun.filters import ScopedObjectFilter

from .. import policies, selectors, services
from ..models import Cadre, PartySecretaryAppointment, PartyTransfer


class PartyTransferSerializer(serializers.ModelSerializer[PartyTransfer]):
    status = choice(PartyTransfer.Status.choices, read_only=True)
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)

    class Meta:
        model = PartyTransfer
        fields = [
            "id", "cadre", "cadre_name", "village_code", "status", "from_organization", "to_organization",
            "sent_on", "received_on", "recorded_at", "confirmed_at",
        ]  # fmt: skip


class PartyTransferInputSerializer(serializers.Serializer[Any]):
    cadre = ObjectIdField(error_messages={"invalid": "cadre 应为驻村干部编号。"})
    not_member = serializers.BooleanField(required=False, default=False, label="非中共党员")
    from_organization = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    to_organization = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    sent_on = PlausibleDateField(required=False, allow_null=True, default=None, label="转出日期")


class PartyTransferConfirmSerializer(serializers.Serializer[Any]):
    received_on = PlausibleDateField(label="转入日期")


class PendingCadreSerializer(serializers.ModelSerializer[Cadre]):
    """A cadre in post whose membership is not yet received by the village (第十八条)."""

    village_code = serializers.CharField(source="team.village_id", read_only=True)
    village_name = serializers.CharField(source="team.village.name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    transfer = serializers.SerializerMethodField()

    class Meta:
        model = Cadre
        fields = ["id", "name", "role", "village_code", "village_name", "unit_name", "transfer"]

    @extend_schema_field(PartyTransferSerializer(allow_null=True))
    def get_transfer(self, cadre: Cadre) -> dict[str, Any] | None:
        transfer = getattr(cadre, "party_transfer", None)
        return PartyTransferSerializer(transfer).data if transfer is not None else None


class PartyTransferFilterSet(django_filters.FilterSet):
    cadre = ScopedObjectFilter(field_name="cadre", model=Cadre, label="驻村干部")
    status = django_filters.ChoiceFilter(choices=PartyTransfer.Status.choices, label="状态")

    class Meta:
        model = PartyTransfer
        fields = ["cadre", "status"]


class PartyTransferViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[PartyTransfer]):
    """第十八条: 驻村党员干部的党组织关系转接到驻在村党组织. ``POST`` records (the cadre's unit or the village's
    township; again before confirmation: corrects it, 200), ``confirm/`` is the township's."""

    serializer_class = PartyTransferSerializer
    queryset = PartyTransfer.objects.none()
    filterset_class = PartyTransferFilterSet
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[PartyTransfer]:
        rows = scoping.restrict(PartyTransfer.objects.select_related("cadre"), self.request.user)
        return rows.order_by("village_code", "id")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        scoping.require(request.user, "party.view")
        return super().list(request, *args, **kwargs)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        transfer = self.get_object()
        scoping.require(request.user, "party.view")
        return Response(self.get_serializer(transfer).data)

    @extend_schema(
        request=PartyTransferInputSerializer,
        responses={201: PartyTransferSerializer, 200: PartyTransferSerializer, 404: NOT_FOUND},
    )
    def create(self, request: Request) -> Response:
        scoping.require(request.user, "party.transfer_record")  # before the lookup: its 404 would say who exists
        body = PartyTransferInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        cadre = get_object_or_404(
            scoping.restrict(Cadre.objects.select_related("unit", "team__village"), request.user), pk=data["cadre"]
        )
        transfer, created = services.party_transfer_record(
            actor=signed_in(request),
            cadre=cadre,
            from_organization=data["from_organization"],
            to_organization=data["to_organization"],
            sent_on=data["sent_on"],
            not_member=data["not_member"],
        )
        return Response(
            PartyTransferSerializer(transfer).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    @extend_schema(request=PartyTransferConfirmSerializer, responses={200: PartyTransferSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str) -> Response:
        """第十八条: the village's township party committee confirms the membership was received."""
        transfer = self.get_object()
        scoping.require(request.user, "party.transfer_confirm")
        body = PartyTransferConfirmSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        transfer = services.party_transfer_confirm(
            actor=signed_in(request), transfer=transfer, received_on=body.validated_data["received_on"]
        )
        return Response(PartyTransferSerializer(transfer).data)

    @extend_schema(responses={200: PendingCadreSerializer(many=True)}, filters=False)
    @action(detail=False, methods=["get"], filterset_class=None)
    def pending(self, request: Request) -> Response:
        """The cadres in post the caller sees whose membership the village has not yet received: nothing
        recorded, or recorded and not confirmed (第十八条)."""
        scoping.require(request.user, "party.transfers")
        rows: Any = selectors.party_transfer_rows(user=request.user, status="pending")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(PendingCadreSerializer(page, many=True).data)


# --- 第一书记兼任村党组织书记 -------------------------------------------------------------------------


class PartySecretarySerializer(serializers.ModelSerializer[PartySecretaryAppointment]):
    status = choice(PartySecretaryAppointment.Status.choices, read_only=True)
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    cadre_consent_by_name = serializers.CharField(source="cadre_consent_by.username", read_only=True, default="")
    unit_consent_by_name = serializers.CharField(source="unit_consent_by.username", read_only=True, default="")

    class Meta:
        model = PartySecretaryAppointment
        fields = [
            "id", "cadre", "cadre_name", "village_code", "status", "reason", "proposed_at",
            "cadre_consent_at", "cadre_consent_by_name", "unit_consent_at", "unit_consent_by_name",
            "unit_consent_note", "decided_on", "decision_no", "decided_at", "ended_on", "end_reason",
        ]  # fmt: skip


class PartySecretaryProposeSerializer(serializers.Serializer[Any]):
    cadre = ObjectIdField(error_messages={"invalid": "cadre 应为第一书记的干部编号。"})
    reason = serializers.CharField(max_length=2000, error_messages={"blank": "请说明村党组织书记没有合适人选的情况。"})


class PartySecretaryConsentSerializer(serializers.Serializer[Any]):
    party = choice(list(policies.CONSENT_PARTIES.items()))
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class PartySecretaryAppointSerializer(serializers.Serializer[Any]):
    decided_on = PlausibleDateField(label="任命日期")
    decision_no = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")


class PartySecretaryEndSerializer(serializers.Serializer[Any]):
    ended_on = PlausibleDateField(label="结束日期")
    reason = serializers.CharField(max_length=300, error_messages={"blank": "请写明结束原因。"})


class PartySecretaryFilterSet(django_filters.FilterSet):
    cadre = ScopedObjectFilter(field_name="cadre", model=Cadre, label="第一书记")
    status = django_filters.ChoiceFilter(choices=PartySecretaryAppointment.Status.choices, label="状态")
    village = django_filters.CharFilter(field_name="village_code", label="村代码")

    class Meta:
        model = PartySecretaryAppointment
        fields = ["cadre", "status", "village"]


class PartySecretaryViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[PartySecretaryAppointment]
):
    """第十八条: 乡镇党委征得第一书记和派出单位党组（党委）同意后，可通过直接任命的方式，安排第一书记兼任村
    党组织书记 — the township proposes (``POST``), the first secretary and the unit consent
    (``consent/``), the township appoints (``appoint/``) and ends it (``end/``)."""

    serializer_class = PartySecretarySerializer
    queryset = PartySecretaryAppointment.objects.none()
    filterset_class = PartySecretaryFilterSet
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[PartySecretaryAppointment]:
        rows = scoping.restrict(
            PartySecretaryAppointment.objects.select_related("cadre", "cadre_consent_by", "unit_consent_by"),
            self.request.user,
        )
        return rows.order_by("village_code", "-proposed_at", "-id")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        scoping.require(request.user, "party.view")
        return super().list(request, *args, **kwargs)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        appointment = self.get_object()
        scoping.require(request.user, "party.view")
        return Response(self.get_serializer(appointment).data)

    def _fresh(self, appointment: PartySecretaryAppointment) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=appointment.pk)).data)

    @extend_schema(request=PartySecretaryProposeSerializer, responses={201: PartySecretarySerializer, 404: NOT_FOUND})
    def create(self, request: Request) -> Response:
        scoping.require(request.user, "party.secretary_decide")
        body = PartySecretaryProposeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        cadre = get_object_or_404(
            scoping.restrict(Cadre.objects.select_related("unit", "team__village"), request.user),
            pk=body.validated_data["cadre"],
        )
        appointment = services.party_secretary_propose(
            actor=signed_in(request), cadre=cadre, reason=body.validated_data["reason"]
        )
        response = self._fresh(appointment)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(request=PartySecretaryConsentSerializer, responses={200: PartySecretarySerializer})
    @action(detail=True, methods=["post"])
    def consent(self, request: Request, pk: str) -> Response:
        appointment = self.get_object()
        scoping.require(request.user, "party.secretary_consent")
        body = PartySecretaryConsentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.party_secretary_consent(
            actor=signed_in(request),
            appointment=appointment,
            party=body.validated_data["party"],
            note=body.validated_data["note"],
        )
        return self._fresh(appointment)

    @extend_schema(request=PartySecretaryAppointSerializer, responses={200: PartySecretarySerializer})
    @action(detail=True, methods=["post"])
    def appoint(self, request: Request, pk: str) -> Response:
        appointment = self.get_object()
        scoping.require(request.user, "party.secretary_decide")
        body = PartySecretaryAppointSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.party_secretary_appoint(
            actor=signed_in(request),
            appointment=appointment,
            decided_on=body.validated_data["decided_on"],
            decision_no=body.validated_data["decision_no"],
        )
        return self._fresh(appointment)

    @extend_schema(request=PartySecretaryEndSerializer, responses={200: PartySecretarySerializer})
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str) -> Response:
        appointment = self.get_object()
        scoping.require(request.user, "party.secretary_decide")
        body = PartySecretaryEndSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.party_secretary_end(
            actor=signed_in(request),
            appointment=appointment,
            ended_on=body.validated_data["ended_on"],
            reason=body.validated_data["reason"],
        )
        return self._fresh(appointment)
