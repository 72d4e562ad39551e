"""API base classes: every viewset that lists or fetches scoped objects derives from these, so the
queryset is restricted by zhucun.scoping without anyone remembering (NetBox's BaseViewSet)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import viewsets

from zhucun import scoping


class ScopedQuerysetMixin:
    """``get_queryset`` returns the class queryset restricted to the caller's scope, so a detail
    lookup outside it is a 404."""

    request: Any

    def get_queryset(self) -> QuerySet[Any]:
        queryset = super().get_queryset()  # type: ignore[misc]
        return scoping.restrict(queryset, self.request.user)


class ScopedReadOnlyViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):  # type: ignore[type-arg]
    pass
