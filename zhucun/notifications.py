"""Notifications: ``notify`` writes in-app rows (one INSERT for many recipients) and hands them to
the delivery channels after the transaction commits. Only the in-app channel exists today; an SMS
or DingTalk channel implements ``Channel`` and is added to ``CHANNELS``."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Protocol

from django.db import transaction

from zhucun.models import Notification


class Channel(Protocol):
    def send(self, notifications: list[Notification]) -> None: ...


#: Extra delivery channels; the in-app bell reads the rows directly.
CHANNELS: list[Channel] = []


def notify(*, recipient_ids: Iterable[int], title: str, body: str = "", url: str = "") -> list[Notification]:
    rows = Notification.objects.bulk_create(
        [Notification(recipient_id=pk, title=title, body=body, url=url) for pk in dict.fromkeys(recipient_ids)]
    )
    if CHANNELS:
        transaction.on_commit(lambda: _deliver(rows))
    return rows


@dataclasses.dataclass(frozen=True)
class Message:
    """One notification for several recipients (``notify_many``)."""

    recipient_ids: Sequence[int]
    title: str
    body: str = ""
    url: str = ""


def notify_many(messages: Iterable[Message]) -> list[Notification]:
    """Many different notifications in one INSERT (jobs that flag many teams at once)."""
    rows = Notification.objects.bulk_create(
        [
            Notification(recipient_id=pk, title=m.title, body=m.body, url=m.url)
            for m in messages
            for pk in dict.fromkeys(m.recipient_ids)
        ]
    )
    if CHANNELS and rows:
        transaction.on_commit(lambda: _deliver(rows))
    return rows


def _deliver(rows: list[Notification]) -> None:
    for channel in CHANNELS:
        channel.send(rows)


def unread_count(*, user_id: int) -> int:
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()
