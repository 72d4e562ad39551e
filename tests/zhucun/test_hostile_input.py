"""Bad input is a 400 (or a 404), never a 500 (issue 10 item 8): every route, walked as a province and
as a township persona, with hostile query parameters and hostile path segments; every POST route, as
a persona allowed to use it, with hostile values in its form or JSON body.

The routes come from the URL resolver through the permission matrix (tests/matrix/), which holds a
valid URL, body and set-up for each, so a new route is walked without anyone remembering. The
parameters tried on a route are the ones its view reads: a first, valid request records every key
looked up in the request's QueryDicts (django-filter's forms, ``request.GET.get``, DRF's
``query_params`` and ``request.data`` alike).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from django.db import transaction
from django.test import Client
from django.urls import resolve
from django.utils.datastructures import MultiValueDict
from rest_framework.test import APIClient

from tests.matrix.common import Case
from tests.test_permission_matrix import MATRIX
from zhucun.testing.world import PERSONAS, World

#: values an attacker or a careless client sends: control characters, absurd dates and numbers,
#: numbers that are not numbers, overlong and non-BMP/bidi text
HOSTILE_VALUES = (
    "\x00",
    "a\x00b",
    "\x1b[31m",
    "9999-12",
    "0000-00",
    "9999-12-31",
    "0001-01-01",
    "-1",
    "²",
    "99999999999999999999999",
    "NaN",
    "1e309",
    "x" * 3000,
    "𠀀村\u202e",
)
#: hostile path segments for <str:…> and <int:…> parameters, percent-encoded into the path
HOSTILE_SEGMENTS = ("\x00", "%00", "x" * 3000, "𠀀\u202e", "..", "99999999999999999999999", "0", "NaN", "9999-12")
#: keys whose values are not ours to judge (the login form's redirect, CSRF)
IGNORED_KEYS = {"csrfmiddlewaretoken", "next"}
WALKERS = ("province", "township")


@contextlib.contextmanager
def recording_keys() -> Iterator[set[str]]:
    """Every key looked up in a QueryDict (any MultiValueDict) while the block runs."""
    keys: set[str] = set()
    names = ("get", "__getitem__", "getlist", "__contains__")
    originals = {name: getattr(MultiValueDict, name) for name in names}

    def wrap(name: str) -> Any:
        original = originals[name]

        def recorder(self: MultiValueDict[str, Any], key: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(key, str):
                keys.add(key)
            return original(self, key, *args, **kwargs)

        return recorder

    for name in names:
        setattr(MultiValueDict, name, wrap(name))
    try:
        yield keys
    finally:
        for name, original in originals.items():
            setattr(MultiValueDict, name, original)


def _client(world: World, persona: str, case: Case) -> Client:
    client: Client = APIClient(raise_request_exception=False) if case.api else Client(raise_request_exception=False)
    client.force_login(world.personas[persona])
    return client


def _valid_url(world: World, case: Case) -> str:
    if case.setup:
        case.setup(world, "A")
    return case.url(world, "A" if case.per_target else None)


def _server_error(response: Any, method: str, url: str, detail: str = "") -> list[str]:
    if response.status_code < 500:
        return []
    return [f"{response.status_code} {method} {url[:160]!r} {detail[:160]}"]


def _walked_keys(keys: set[str]) -> list[str]:
    return sorted(key for key in keys - IGNORED_KEYS if re.fullmatch(r"[a-z_]{1,40}", key))


GET_ROUTES = sorted(name for name, case in MATRIX.items() if case.method == "get" and name not in {"admin", "schema"})


@pytest.mark.parametrize("name", GET_ROUTES)
def test_no_get_route_answers_hostile_query_parameters_with_a_server_error(world: World, name: str) -> None:
    case = MATRIX[name]
    url = _valid_url(world, case)
    failures: list[str] = []
    for persona in WALKERS:
        client = _client(world, persona, case)
        with recording_keys() as keys:
            client.get(url)
        base = url.partition("?")[0]
        for key in _walked_keys(keys):
            for value in HOSTILE_VALUES:
                full = f"{base}?{urlencode({key: value})}"
                failures += _server_error(client.get(full), "GET", full, persona)
    assert not failures, "\n".join(failures)


PATH_ROUTES = sorted(name for name, case in MATRIX.items() if name not in {"admin", "schema"})


@pytest.mark.parametrize("name", PATH_ROUTES)
def test_no_route_answers_hostile_path_segments_with_a_server_error(world: World, name: str) -> None:
    case = MATRIX[name]
    url = _valid_url(world, case).partition("?")[0]
    match = resolve(url)
    if not match.kwargs:
        pytest.skip("the route takes no path parameter")
    failures: list[str] = []
    for persona in WALKERS:
        client = _client(world, persona, case)
        for key, value in match.kwargs.items():
            original = f"/{quote(str(value))}/"
            assert original in url, (url, key)
            for hostile in HOSTILE_SEGMENTS:
                encoded = hostile if hostile.startswith("%") else quote(hostile, safe="")
                hostile_url = url.replace(original, f"/{encoded}/", 1)
                response = getattr(client, case.method)(hostile_url)
                failures += _server_error(response, case.method.upper(), hostile_url, persona)
    assert not failures, "\n".join(failures)


def _allowed_persona(case: Case) -> str | None:
    """A persona that passes the role check on target A, so that the body is read at all."""
    for persona in PERSONAS:
        if case.expect(persona, "A" if case.per_target else None) < 400:
            return persona
    return None


POST_ROUTES = sorted(name for name, case in MATRIX.items() if case.method == "post" and name != "api:auth-token")


@pytest.mark.parametrize("name", POST_ROUTES)
def test_no_post_route_answers_hostile_body_values_with_a_server_error(world: World, name: str) -> None:
    """Each key the view reads from the body gets each hostile value in turn, the others valid."""
    case = MATRIX[name]
    persona = _allowed_persona(case)
    if persona is None:
        pytest.skip("no persona may use this route on target A")
    client = _client(world, persona, case)
    url = _valid_url(world, case)
    valid = dict(case.data(world, "A")) if case.data else {}
    with recording_keys() as keys, transaction.atomic():
        _post(client, case, url, _fresh(dict(valid)))
        transaction.set_rollback(True)
    failures: list[str] = []
    for key in _walked_keys(keys | set(valid)):
        for value in HOSTILE_VALUES:
            # Each call is undone, so the next one finds the target as the set-up left it (undecided).
            with transaction.atomic():
                response = _post(client, case, url, {**_fresh(valid), key: value})
                transaction.set_rollback(True)
            failures += _server_error(response, "POST", url, f"{key}={value[:20]!r}")
    assert not failures, "\n".join(failures)


def _fresh(data: dict[str, Any]) -> dict[str, Any]:
    """Uploads are read once: rewind them for the next call."""
    for value in data.values():
        if hasattr(value, "seek"):
            value.seek(0)
    return data


def _post(client: Client, case: Case, url: str, data: dict[str, Any]) -> Any:
    if not case.api:
        return client.post(url, data)
    return client.post(url, data, format="multipart" if case.multipart else "json")
