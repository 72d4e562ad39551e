"""The authorization matrix: every route × every persona × targets at increasing distance (A in
scope for everyone; B a sibling township; C a sibling county; D another city — see
zhucun/testing/world.py). Out of scope is 404, in scope but not allowed is 403 (SPEC.md "Row-level
permissions"). A route without an entry in MATRIX fails ``test_every_route_is_in_the_matrix``."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from zhucun.testing.roster import roster_bytes, roster_row
from zhucun.testing.world import PASSWORD, PERSONAS, TARGETS, UNIT_NAMES, World

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


def import_outcome(persona: str, target: str | None) -> int:
    """Rows outside the caller's region are refused row by row (400); other roles may not import."""
    if persona not in ORG:
        return 403
    return 201 if target in VISIBLE[persona] else 400


def account_create_outcome(persona: str, target: str | None) -> int:
    if persona not in ORG:
        return 403
    return 201 if target in VISIBLE[persona] else 400


def _roster_for(world: World, target: str | None) -> dict[str, Any]:
    assert target is not None
    names = {"A": ("甲县", "甲一镇", "甲村"), "B": ("甲县", "甲二镇", "乙村"), "C": ("丙县", "丙一镇", "丙村")}
    names["D"] = ("丁县", "丁一镇", "丁村")
    county, township, village = names[target]
    row = roster_row(
        市="石家庄市" if target != "D" else "唐山市",
        县=county,
        乡镇=township,
        村=village,
        村代码=world.village(target),
        派出单位=UNIT_NAMES[target],
    )
    upload = io.BytesIO(roster_bytes([row]))
    upload.name = "roster.xlsx"
    return {"file": upload}


MATRIX: dict[str, Case] = {
    # --- pages -----------------------------------------------------------------------------
    "home": Case("get", lambda w, t: reverse("home"), everyone(200), api=False, per_target=False),
    "login": Case("get", lambda w, t: reverse("login"), everyone(302), api=False, per_target=False),
    "logout": Case("post", lambda w, t: reverse("logout"), everyone(302), api=False, per_target=False),
    "region-tree": Case("get", lambda w, t: reverse("region-tree"), role_only(REGIONAL), api=False, per_target=False),
    "region-detail": Case(
        "get", lambda w, t: reverse("region-detail", args=[w.township(t or "")]), scoped(REGIONAL), api=False
    ),
    "team-list": Case(
        "get",
        lambda w, t: reverse("team-list") + f"?search={w.village_name(t or '')}",
        everyone(200),
        api=False,
        lists=lambda w, t: reverse("team-detail", args=[w.teams[t].pk]),
    ),
    "team-detail": Case("get", lambda w, t: reverse("team-detail", args=[w.teams[t or ""].pk]), scoped(), api=False),
    "cadre-list": Case(
        "get",
        lambda w, t: reverse("cadre-list") + f"?search={w.village_name(t or '')}",
        everyone(200),
        api=False,
        lists=lambda w, t: reverse("cadre-detail", args=[w.leaders[t].pk]),
    ),
    "cadre-detail": Case(
        "get", lambda w, t: reverse("cadre-detail", args=[w.leaders[t or ""].pk]), scoped(), api=False
    ),
    "roster-import-page": Case(
        "get", lambda w, t: reverse("roster-import-page"), role_only(ORG), api=False, per_target=False
    ),
    "roster-template-download": Case(
        "get", lambda w, t: reverse("roster-template-download"), role_only(ORG), api=False, per_target=False
    ),
    "schema": Case("get", lambda w, t: reverse("schema"), everyone(200), per_target=False),
    "api-docs": Case("get", lambda w, t: reverse("api-docs"), everyone(200), api=False, per_target=False),
    "admin": Case("get", lambda w, t: reverse("admin:index"), everyone(302), api=False, per_target=False),
    # --- API ---------------------------------------------------------------------------------
    "api:auth-token": Case("post", lambda w, t: reverse("api:auth-token"), everyone(200), per_target=False),
    "api:roster-import-template": Case(
        "get", lambda w, t: reverse("api:roster-import-template"), role_only(ORG), per_target=False
    ),
    "api:roster-import": Case(
        "post", lambda w, t: reverse("api:roster-import"), import_outcome, data=_roster_for, multipart=True
    ),
    "api:account-list": Case(
        "post",
        lambda w, t: reverse("api:account-list"),
        account_create_outcome,
        data=lambda w, t: {
            "username": "new_user",
            "password": PASSWORD,
            "role": "township",
            "scope": w.township(t or ""),
        },
    ),
    "api:account-detail": Case(
        "get",
        lambda w, t: reverse("api:account-detail", args=[w.township_accounts[t or ""].pk]),
        scoped(ORG, ACCOUNT_VISIBLE),
    ),
    "api:region-list": Case(
        "get",
        lambda w, t: reverse("api:region-list") + f"?parent={w.township(t or '')}",
        everyone(200),
        lists=lambda w, t: f'"code":"{w.village(t)}"',
    ),
    "api:region-detail": Case("get", lambda w, t: reverse("api:region-detail", args=[w.village(t or "")]), scoped()),
    "api:team-list": Case(
        "get",
        lambda w, t: reverse("api:team-list") + f"?region={w.village(t or '')}",
        everyone(200),
        lists=lambda w, t: f'"code":"{w.village(t)}"',
    ),
    "api:team-detail": Case("get", lambda w, t: reverse("api:team-detail", args=[w.teams[t or ""].pk]), scoped()),
    "api:cadre-list": Case(
        "get",
        lambda w, t: reverse("api:cadre-list") + f"?region={w.village(t or '')}",
        everyone(200),
        lists=lambda w, t: f'"id":{w.leaders[t].pk},',
    ),
    "api:cadre-detail": Case("get", lambda w, t: reverse("api:cadre-detail", args=[w.leaders[t or ""].pk]), scoped()),
}

#: The account list is also read (GET) by org roles only; the POST above covers creation.
ACCOUNT_LIST_READ = Case(
    "get",
    lambda w, t: reverse("api:account-list") + "?page_size=200",
    role_only(ORG),
    lists=lambda w, t: f'"username":"{w.township_accounts[t].username}"',
    list_visible=ACCOUNT_VISIBLE,
)


def _route_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list[Any], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                if pattern.namespace == "admin":
                    names.add("admin")
                    continue
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern):
                names.add(f"{namespace}{pattern.name}" if pattern.name else f"<unnamed {pattern.pattern}>")

    walk(get_resolver().url_patterns, "")
    return names


def test_every_route_is_in_the_matrix() -> None:
    """A new route must be added to MATRIX with its expectations, or this fails."""
    assert _route_names() - set(MATRIX) == set()
    assert set(MATRIX) - _route_names() == set()


def _cells() -> list[Any]:
    cells = []
    for name, case in [*MATRIX.items(), ("api:account-list(read)", ACCOUNT_LIST_READ)]:
        for persona in (*PERSONAS, "anonymous"):
            for target in TARGETS if case.per_target else (None,):
                cells.append(pytest.param(name, case, persona, target, id=f"{name}-{persona}-{target or 'any'}"))
    return cells


def _client(case: Case, world: World, persona: str) -> Client | APIClient:
    client: Client | APIClient = APIClient() if case.api else Client()
    if persona != "anonymous":
        client.force_login(world.personas[persona])
    return client


@pytest.mark.parametrize(("name", "case", "persona", "target"), _cells())
def test_matrix(world: World, name: str, case: Case, persona: str, target: str | None) -> None:
    client = _client(case, world, persona)
    url = case.url(world, target)
    data = case.data(world, target) if case.data else None
    if name == "api:auth-token":
        username = world.personas[persona].username if persona != "anonymous" else "nobody"
        data = {"username": username, "password": PASSWORD}
    if case.method == "get":
        response = client.get(url)
    elif case.multipart:
        response = client.post(url, data or {}, format="multipart") if case.api else client.post(url, data or {})
    else:
        response = client.post(url, data or {}, format="json") if case.api else client.post(url, data or {})

    expected = _anonymous_status(name, case) if persona == "anonymous" else case.expect(persona, target)
    assert response.status_code == expected, (name, persona, target, getattr(response, "content", b"")[:300])

    if case.lists and target is not None and persona != "anonymous" and response.status_code == 200:
        marker = case.lists(world, target)
        body = response.content.decode()
        assert (marker in body) == (target in case.list_visible[persona]), (name, persona, target, marker)


def _anonymous_status(name: str, case: Case) -> int:
    public = {"login": 200, "schema": 200, "api-docs": 200, "logout": 302, "admin": 302, "api:auth-token": 400}
    if name in public:
        return public[name]
    return 401 if case.api else 302
