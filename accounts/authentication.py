"""API token authentication that reads the account's cadre, team and village with the token.

The phone's busiest request is the morning sign-in (22,000 cadres in one window, SPEC.md "Scale");
it needs the cadre behind the account and the village's geofence. DRF's TokenAuthentication reads the
token and the user in one query; this one joins the cadre chain into that same query, so a sign-in
costs one query fewer (docs/performance.md, B1). For an official's account the joins find nothing.
"""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


class CadreTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        try:
            token = Token.objects.select_related("user__cadre__team__village").get(key=key)
        except Token.DoesNotExist:
            raise exceptions.AuthenticationFailed("登录凭证无效，请重新登录。") from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("账号已停用，请联系管理员。")
        return token.user, token
