"""Shared vocabulary of the permission matrix (see tests/test_permission_matrix.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from zhucun.testing.world import PERSONAS, World

ORG = {"province", "city", "county"}
REGIONAL = ORG | {"township"}
ALL = set(PERSONAS)

#: Which targets' teams, cadres and regions each persona sees (the org-tree rule).
VISIBLE = {
    "province": {"A", "B", "C", "D"},
    "city": {"A", "B", "C"},
    "county": {"A", "B"},
    "township": {"A"},
    "unit": {"A"},  # the unit dispatches team A only
    "cadre": {"A"},  # their own team
    "anonymous": set(),
}
#: Which targets' township accounts each persona sees (units and cadres see no other accounts).
ACCOUNT_VISIBLE = {**VISIBLE, "unit": set(), "cadre": set()}

Expect = Callable[[str, str | None], int]


@dataclasses.dataclass(frozen=True)
class Case:
    """How to call a route for a target and what each persona must get."""

    method: str
    url: Callable[[World, str | None], str]
    expect: Expect
    api: bool = True
    per_target: bool = True
    data: Callable[[World, str | None], dict[str, Any]] | None = None
    multipart: bool = False
    #: for lists: whether the target's row must appear in the response
    lists: Callable[[World, str], str] | None = None
    list_visible: dict[str, set[str]] = dataclasses.field(default_factory=lambda: VISIBLE)
    #: what an anonymous caller gets; None: 401 for the API, 302 to the login page for pages
    anonymous: int | None = None
    #: for POSTs whose body needs more than ``data`` (e.g. a fresh object per call)
    setup: Callable[[World, str | None], None] | None = None


def scoped(allowed: set[str] = ALL, visible: dict[str, set[str]] = VISIBLE, ok: int = 200) -> Expect:
    def expect(persona: str, target: str | None) -> int:
        assert target is not None
        if target not in visible[persona]:
            return 404
        return ok if persona in allowed else 403

    return expect


def role_only(allowed: set[str], ok: int = 200) -> Expect:
    return lambda persona, target: ok if persona in allowed else 403


def everyone(status: int) -> Expect:
    return lambda persona, target: status
