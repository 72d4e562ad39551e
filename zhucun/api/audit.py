"""``GET /api/v1/audit-events/`` and ``/{id}/``: the audit viewer's list as an API, read only, with the
page's filters (zhucun/filtersets.py) — issue 10 item 7."""

from __future__ import annotations

from typing import Any

from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from zhucun import scoping
from zhucun.api.viewsets import ScopedQuerysetMixin
from zhucun.filtersets import AuditEventFilterSet
from zhucun.models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    actor = serializers.SerializerMethodField()
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "actor",
            "operator",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "region_code",
            "before",
            "after",
        ]
        read_only_fields = fields

    def get_actor(self, event: AuditEvent) -> dict[str, Any] | None:
        if event.actor is None:
            return None
        return {"id": event.actor.pk, "username": event.actor.username}


class AuditEventViewSet(ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Audit events in the caller's scope (``audit.view``), newest first."""

    queryset = AuditEvent.objects.select_related("actor").order_by("-at", "-id")
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilterSet

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        scoping.require(request.user, "audit.view")
        return super().list(request, *args, **kwargs)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        event = self.get_object()  # out of scope: 404 before the role check
        scoping.require(request.user, "audit.view")
        return Response(self.get_serializer(event).data)
