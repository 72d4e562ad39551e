from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from zhucun import scoping
from zhucun.api.viewsets import ScopedQuerysetMixin

from ..models import User
from ..services import account_create
from .serializers import AccountCreateSerializer, AccountSerializer


class AccountViewSet(ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Accounts within the caller's scope; organization departments create them (API.md "Accounts")."""

    queryset = User.objects.select_related("region", "unit", "cadre").order_by("username")
    serializer_class = AccountSerializer

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        scoping.require(request.user, "account.view")
        return super().list(request, *args, **kwargs)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        account = self.get_object()  # out of scope: 404 before the role check
        scoping.require(request.user, "account.view")
        return Response(self.get_serializer(account).data)

    @extend_schema(request=AccountCreateSerializer, responses={201: AccountSerializer})
    def create(self, request: Request) -> Response:
        scoping.require(request.user, "account.create")
        form = AccountCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = account_create(actor=request.user, **form.validated_data)
        return Response(AccountSerializer(user).data, status=status.HTTP_201_CREATED)
