"""Notifications: ``notify`` writes in-app rows (the bell; one INSERT for many recipients) and, in the
same transaction, plans their delivery through the deployment's channels — 企业微信, 钉钉, SMS,
e-mail (zhucun/deliveries.py, decisions 0150–0152). Delivery leaves through the outbox after the
commit (decision 0050): a channel or a broker that is down neither fails nor slows the change that
notifies, and nothing is lost.

``urgent`` says the message cannot wait for tomorrow's morning digest: it goes at once (after the
person's quiet hours). Which kinds are urgent is decided in decision 0151: a leave request awaiting
the recipient's answer within half a day, the reminder and the escalation of that deadline, and the
answer to the cadre's own request. Everything else is batched into one digest per person per
morning, against a stream of pings (指尖上的形式主义)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence

from zhucun import deliveries
from zhucun.models import Notification


def notify(
    *, recipient_ids: Iterable[int], title: str, body: str = "", url: str = "", urgent: bool = False
) -> list[Notification]:
    rows = Notification.objects.bulk_create(
        [Notification(recipient_id=pk, title=title, body=body, url=url) for pk in dict.fromkeys(recipient_ids)]
    )
    deliveries.plan([(row, urgent) for row in rows])
    return rows


@dataclasses.dataclass(frozen=True)
class Message:
    """One notification for several recipients (``notify_many``)."""

    recipient_ids: Sequence[int]
    title: str
    body: str = ""
    url: str = ""
    urgent: bool = False


def notify_many(messages: Iterable[Message]) -> list[Notification]:
    """Many different notifications in one INSERT (jobs that flag many teams at once)."""
    pairs = [
        (Notification(recipient_id=pk, title=m.title, body=m.body, url=m.url), m.urgent)
        for m in messages
        for pk in dict.fromkeys(m.recipient_ids)
    ]
    rows = Notification.objects.bulk_create([row for row, _ in pairs])
    deliveries.plan([(row, urgent) for row, (_, urgent) in zip(rows, pairs, strict=True)])
    return rows
