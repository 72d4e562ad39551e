"""Account reads for the account pages and the cadre page: lock state and devices, a fixed number of
queries per page whatever its rows."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.conf import settings

from zhucun import scoping

from .lockout import locked_until
from .models import ApiToken, User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


def lock_states(accounts: list[User]) -> dict[str, dt.datetime]:
    """username → when its lock ends, for the locked ones among ``accounts``. One query."""
    return locked_until([account.username for account in accounts]) if accounts else {}


def devices_of(account: User) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=account).order_by("-last_used", "-id"))


def cadre_devices(*, user: User | AnonymousUser, cadre: Any) -> dict[str, Any] | None:
    """The devices of a cadre's account for the cadre page, when the viewer may sign them out."""
    if not scoping.can(user, "account.revoke_tokens"):
        return None
    account = scoping.restrict(User.objects.filter(cadre=cadre), user).first()
    if account is None:
        return None
    return {"account": account, "tokens": devices_of(account), "idle_days": settings.ZHUCUN_TOKEN_IDLE_DAYS}
