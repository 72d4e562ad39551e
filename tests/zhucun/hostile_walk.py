"""Bad input is a 400 (or a 404), never a 500 (issue 10 item 8): every route, walked as a province and
as a township persona, with hostile query parameters and hostile path segments; every POST route, as
a persona allowed to use it, with hostile values in its form or JSON body. Three files walk them
(tests/zhucun/test_hostile_query.py, test_hostile_paths.py, test_hostile_bodies.py), so that the two
CI workers share the walk; each builds one world for its module (tests/matrix/shared_world.py) and
runs every route in a savepoint of it.

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

from django.test import Client
from django.utils.datastructures import MultiValueDict
from rest_framework.test import APIClient

from tests.matrix.common import Case
from zhucun.testing.world import World

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


def client_for(world: World, persona: str, case: Case) -> Client:
    client: Client = APIClient(raise_request_exception=False) if case.api else Client(raise_request_exception=False)
    client.force_login(world.personas[persona])
    return client


def valid_url(world: World, case: Case) -> str:
    if case.setup:
        case.setup(world, "A")
    return case.url(world, "A" if case.per_target else None)


def server_error(response: Any, method: str, url: str, detail: str = "") -> list[str]:
    if response.status_code < 500:
        return []
    return [f"{response.status_code} {method} {url[:160]!r} {detail[:160]}"]


def walked_keys(keys: set[str]) -> list[str]:
    return sorted(key for key in keys - IGNORED_KEYS if re.fullmatch(r"[a-z_]{1,40}", key))
