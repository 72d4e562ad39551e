"""Access tokens of 企业微信 and 钉钉: fetched once, kept in Django's cache until a few minutes before
``expires_in`` (7200 s on both platforms), fetched again when the platform says the one we sent is
invalid or expired. Both platforms limit calls to gettoken, so a token is never fetched per message."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.core.cache import cache

#: Refresh this many seconds before the platform's expiry, so a token never expires mid-flight.
MARGIN_SECONDS = 300


def cache_key(platform: str, *parts: str) -> str:
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]
    return f"zhucun:channels:token:{platform}:{digest}"


def get_token(key: str, fetch: Callable[[], tuple[str, int]], *, refresh: bool = False) -> str:
    """The cached token under ``key``, or a new one from ``fetch`` (returns token and expires_in)."""
    if not refresh:
        token = cache.get(key)
        if token:
            return str(token)
    token, expires_in = fetch()
    cache.set(key, token, max(int(expires_in) - MARGIN_SECONDS, 60))
    return token
