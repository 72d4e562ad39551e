"""What every delivery channel adapter is (decision 0150): it turns one ``Outgoing`` message into one
call of its platform's documented API for one address, and says how that went — a ``Sent`` with the
platform's message id, a ``DeliveryError`` that retrying cannot fix (a wrong address, a refused
template), or a ``TransientDeliveryError`` that a later try may (a timeout, a 5xx, a rate limit).
Retries, idempotency and the delivery record are the caller's (zhucun/deliveries.py): an adapter
sends once per call and keeps no state but a cached access token."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from accounts.models import User


@dataclasses.dataclass(frozen=True)
class Outgoing:
    """One message to one person. ``key`` is the delivery's idempotency key (platforms that accept one
    get it); ``url`` is absolute, or empty when the site's address is not configured."""

    key: str
    title: str
    body: str = ""
    url: str = ""
    urgent: bool = False

    @property
    def text(self) -> str:
        """Title, body and link as plain text (SMS-less channels without cards)."""
        parts = [self.title, self.body, self.url]
        return "\n".join(part for part in parts if part)


@dataclasses.dataclass(frozen=True)
class Sent:
    provider_id: str = ""


class DeliveryError(Exception):
    """The platform refused the message for good: trying again would not help."""


class TransientDeliveryError(DeliveryError):
    """The platform could not take the message now (timeout, 5xx, busy, rate limited): try later."""


class ChannelAdapter(Protocol):
    code: str
    label: str

    def address(self, user: User) -> str:
        """The person's address on this channel ('' when they have none)."""
        ...

    def send(self, address: str, message: Outgoing) -> Sent: ...


def truncate_bytes(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes without splitting a character (the platforms
    count bytes: 企业微信's card title is 128 bytes, its description 512)."""
    data = text.encode()
    if len(data) <= limit:
        return text
    cut = data[: max(limit - 3, 0)].decode(errors="ignore")
    return cut + "…"
