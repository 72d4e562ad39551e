"""The one HTTP client of the channels (httpx, pinned in requirements.txt): bounded timeouts, and the
mapping of what went wrong to transient (retry later) or permanent (decision 0150)."""

from __future__ import annotations

import functools
from typing import Any

import httpx
from django.conf import settings

from .base import DeliveryError, TransientDeliveryError


@functools.cache
def _client(timeout: float) -> httpx.Client:
    # One pooled client per process (and timeout): Celery's prefork children each build their own on
    # first use, after the fork.
    return httpx.Client(timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)), follow_redirects=False)


def client() -> httpx.Client:
    return _client(float(settings.ZHUCUN_CHANNEL_TIMEOUT))


def call_json(method: str, url: str, *, platform: str, **kwargs: Any) -> dict[str, Any]:
    """One request whose answer is a JSON object. A timeout, a connection error, a 5xx or a 429 is
    transient; another 4xx or an answer that is not JSON is permanent."""
    try:
        response = client().request(method, url, **kwargs)
    except httpx.TimeoutException as exc:
        raise TransientDeliveryError(f"{platform}接口超时：{type(exc).__name__}") from exc
    except httpx.TransportError as exc:
        raise TransientDeliveryError(f"{platform}接口无法连接：{type(exc).__name__}") from exc
    if response.status_code == 429 or response.status_code >= 500:
        raise TransientDeliveryError(f"{platform}接口暂时不可用：HTTP {response.status_code}")
    if response.status_code >= 400:
        raise DeliveryError(f"{platform}接口拒绝了请求：HTTP {response.status_code}")
    try:
        data = response.json()
    except ValueError as exc:
        raise DeliveryError(f"{platform}接口的应答不是 JSON") from exc
    if not isinstance(data, dict):
        raise DeliveryError(f"{platform}接口的应答格式不对")
    return data
