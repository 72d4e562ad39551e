"""Matrix entries of account security (issue 10 items 2, 3, 12): one account's page and its actions,
the own password, the API logout. The targets are the world's township accounts t_A…t_D."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from accounts.models import RegionGrant
from zhucun.testing.world import World

from .common import ACCOUNT_VISIBLE, ORG, VISIBLE, Case, everyone, role_only, scoped


def _account(world: World, target: str | None) -> int:
    return world.township_accounts[target or ""].pk


MATRIX: dict[str, Case] = {
    "password-change": Case("get", lambda w, t: reverse("password-change"), everyone(200), api=False, per_target=False),
    # One's own devices (记住本机, decision 0172): everyone's own; a device that is not one's own is refused
    # on the page (302 back with the message), never revoked.
    "my-devices": Case("get", lambda w, t: reverse("my-devices"), everyone(200), api=False, per_target=False),
    "my-device-revoke": Case(
        "post",
        lambda w, t: reverse("my-device-revoke"),
        everyone(302),
        api=False,
        per_target=False,
        data=lambda w, t: {"token": "999999"},
    ),
    "account-detail": Case(
        "get", lambda w, t: reverse("account-detail", args=[_account(w, t)]), scoped(ORG, ACCOUNT_VISIBLE), api=False
    ),
    "account-unlock": Case(
        "post",
        lambda w, t: reverse("account-unlock", args=[_account(w, t)]),
        scoped(ORG, ACCOUNT_VISIBLE, ok=302),
        api=False,
    ),
    "account-revoke-tokens": Case(
        "post",
        lambda w, t: reverse("account-revoke-tokens", args=[_account(w, t)]),
        scoped(ORG, ACCOUNT_VISIBLE, ok=302),
        api=False,
    ),
    "account-reset-password": Case(
        "post",
        lambda w, t: reverse("account-reset-password", args=[_account(w, t)]),
        scoped(ORG, ACCOUNT_VISIBLE, ok=302),
        api=False,
        data=lambda w, t: {"password": "Matrix-reset-2027"},
    ),
    "account-set-active": Case(
        "post",
        lambda w, t: reverse("account-set-active", args=[_account(w, t)]),
        scoped(ORG, ACCOUNT_VISIBLE, ok=302),
        api=False,
        data=lambda w, t: {"active": "0"},
    ),
    # The new-account form's search (issue 15 item 7): a township by its code, within the creator's scope.
    "account-scope-search": Case(
        "get",
        lambda w, t: reverse("account-scope-search") + f"?role=township&q={w.township(t or '')}",
        role_only(ORG),
        api=False,
        lists=lambda w, t: f'data-zc-scope-pick="{w.township(t)}"',
        list_visible=VISIBLE,
    ),
    # 找回密码 (decision 0173): public pages. Without SMS configured (the tests' default) the first page says
    # to ask the organization department and the second sends back to it.
    "password-reset": Case(
        "get", lambda w, t: reverse("password-reset"), everyone(200), api=False, per_target=False, anonymous=200
    ),
    "password-reset-confirm": Case(
        "get", lambda w, t: reverse("password-reset-confirm"), everyone(302), api=False, per_target=False, anonymous=302
    ),
    "api:auth-logout": Case("post", lambda w, t: reverse("api:auth-logout"), everyone(204), per_target=False),
}


def _grant(world: World, target: str | None) -> None:
    """A live 交叉检查 grant on the target's village (lent to another county's township account)."""
    world.extra["grant"] = RegionGrant.objects.create(
        user=world.township_accounts["D"],
        permission=Permission.objects.get(codename="inspect_region"),
        content_object_id=world.village(target or ""),
        valid_until=timezone.localdate() + dt.timedelta(days=30),
        reason="matrix",
    )


# 三员 pages (decision 0048): none of the six business personas may open them; the administrators'
# answers are in tests/matrix/admins.py.
MATRIX["grant-list"] = Case("get", lambda w, t: reverse("grant-list"), role_only(set()), api=False, per_target=False)
MATRIX["grant-revoke"] = Case(
    "post",
    lambda w, t: reverse("grant-revoke", args=[w.extra["grant"].pk]),
    scoped(set(), ACCOUNT_VISIBLE),  # a grant is in the scope of its region's administrators
    api=False,
    setup=_grant,
)
MATRIX["system-overview"] = Case(
    "get", lambda w, t: reverse("system-overview"), role_only(set()), api=False, per_target=False
)

EXTRA: dict[str, Case] = {}
