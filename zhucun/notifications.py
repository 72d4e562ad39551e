"""Notifications: ``notify`` writes in-app rows (one INSERT for many recipients) and, when delivery
channels exist, queues their delivery through the outbox in the same transaction (decision 0050):
a channel or a broker that is down neither fails nor slows the change that notifies, and nothing is
lost. Only the in-app channel exists today; an SMS or DingTalk channel implements ``Channel`` and is
added to ``CHANNELS``. The delivery task may run more than once (at-least-once delivery); ``deliver``
hands each notification to the channels once."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Protocol

from django.db import transaction
from django.utils import timezone

from zhucun import outbox
from zhucun.models import Notification


class Channel(Protocol):
    def send(self, notifications: list[Notification]) -> None: ...


#: Extra delivery channels; the in-app bell reads the rows directly.
CHANNELS: list[Channel] = []


def notify(*, recipient_ids: Iterable[int], title: str, body: str = "", url: str = "") -> list[Notification]:
    rows = Notification.objects.bulk_create(
        [Notification(recipient_id=pk, title=title, body=body, url=url) for pk in dict.fromkeys(recipient_ids)]
    )
    if CHANNELS and rows:
        outbox.enqueue("zhucun.deliver_notifications", [row.pk for row in rows])
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
        outbox.enqueue("zhucun.deliver_notifications", [row.pk for row in rows])
    return rows


@transaction.atomic
def deliver(*, ids: list[int]) -> int:
    """The ``zhucun.deliver_notifications`` task: hand the rows not yet delivered to every channel and
    mark them delivered. The rows are locked (SKIP LOCKED), so a duplicate of the task running at the
    same moment sends nothing; one arriving later finds them delivered. Returns the number sent."""
    if not CHANNELS:
        return 0
    rows = list(
        Notification.objects.select_for_update(skip_locked=True)
        .filter(pk__in=ids, delivered_at__isnull=True)
        .order_by("pk")
    )
    if rows:
        for channel in CHANNELS:
            channel.send(rows)
        Notification.objects.filter(pk__in=[row.pk for row in rows]).update(delivered_at=timezone.now())
    return len(rows)
