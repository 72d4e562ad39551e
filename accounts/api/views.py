from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate, logout
from django.contrib.auth.signals import user_logged_in
from django.http.response import HttpResponseBase
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zhucun import scoping
from zhucun.api.viewsets import ScopedQuerysetMixin

from ..authentication import signed_in
from ..lockout import client_ip, lockout_response
from ..middleware import MUST_CHANGE_MESSAGE
from ..models import ApiToken, User
from ..services import account_create, token_issue, token_logout
from .serializers import AccountCreateSerializer, AccountSerializer, TokenLoginSerializer, TokenSerializer


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
        user = account_create(actor=signed_in(request), **form.validated_data)
        return Response(AccountSerializer(user).data, status=status.HTTP_201_CREATED)


class TokenLoginView(APIView):
    """``POST /api/v1/auth/token/`` ``{"username", "password"}`` → ``{"token"}`` (API.md "Auth"): a new
    token for this device. Authenticates through ``django.contrib.auth.authenticate`` with the request,
    so django-axes counts failures and refuses a locked account (429 with a Chinese message)."""

    authentication_classes: list[Any] = []  # a login needs no credentials; a stale header must not 401 it
    permission_classes = [AllowAny]

    @extend_schema(
        request=TokenLoginSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(description="用户名或密码不正确；或密码已被组织部门重置为临时密码，须先在网页上修改"),
            429: OpenApiResponse(description="连续密码错误，账号已锁定（detail 说明解锁时间和联系人）"),
        },
    )
    def post(self, request: Request) -> HttpResponseBase:
        form = TokenLoginSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        http_request = request._request  # axes marks the Django request; the DRF wrapper would hide it
        user = authenticate(
            http_request, username=form.validated_data["username"], password=form.validated_data["password"]
        )
        if user is None:
            if getattr(http_request, "axes_locked_out", False):
                return lockout_response(http_request, None, {"username": form.validated_data["username"]})
            raise exceptions.ValidationError({"non_field_errors": ["无法使用提供的认证信息登录。"]})
        if getattr(user, "must_change_password", False):  # a temporary password: the web page first (0173)
            raise exceptions.ValidationError({"non_field_errors": [MUST_CHANGE_MESSAGE]})
        device = form.validated_data.get("device") or http_request.META.get("HTTP_USER_AGENT", "")
        key = token_issue(user=user, device=device, ip=client_ip(http_request))
        # What a session login does: last_login, axes forgets earlier failures, the audit event.
        user_logged_in.send(sender=type(user), request=http_request, user=user)
        return Response({"token": key})


class LogoutView(APIView):
    """``POST /api/v1/auth/logout/`` → 204: the caller's token is revoked (a browser session ends)."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        if isinstance(request.auth, ApiToken):
            token_logout(token=request.auth)
        else:
            logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)
