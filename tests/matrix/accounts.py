"""Matrix entries of account security (issue 10 items 2, 3, 12): one account's page and its actions,
the own password, the API logout. The targets are the world's township accounts t_A…t_D."""

from __future__ import annotations

from django.urls import reverse

from zhucun.testing.world import World

from .common import ACCOUNT_VISIBLE, ORG, Case, everyone, scoped


def _account(world: World, target: str | None) -> int:
    return world.township_accounts[target or ""].pk


MATRIX: dict[str, Case] = {
    "password-change": Case("get", lambda w, t: reverse("password-change"), everyone(200), api=False, per_target=False),
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
    "api:auth-logout": Case("post", lambda w, t: reverse("api:auth-logout"), everyone(204), per_target=False),
}

EXTRA: dict[str, Case] = {}
