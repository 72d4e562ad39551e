"""Delivering notifications through the deployment's channels (issue 15; decisions 0150–0152).

``plan`` runs inside the transaction that wrote the bell's rows (``zhucun.notifications.notify``): for
each recipient and each enabled channel they have an address on and did not turn off, one
``Delivery`` row. Urgent ones are queued (due now, or when the person's quiet hours end); the others
are held for the person's morning digest (``build_digests``, a scheduled job), unless the person
asked for each message at once. Due rows are handed to Celery through the outbox, so nothing leaves
before the commit and a broker that is down loses nothing.

``send`` is the ``zhucun.send_delivery`` task: it claims the row under ``select_for_update`` (only a
queued row, or a claim whose sender died, is taken), sends outside the transaction, and records the
outcome. A task that runs twice finds the row sent and sends nothing (decision 0152)."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from zhucun import channels, outbox
from zhucun.channels import DeliveryError, Outgoing, TransientDeliveryError
from zhucun.models import ChannelPreference, Delivery, Notification

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

SEND_TASK = "zhucun.send_delivery"
#: A sender owns a claimed row this long; after that the sweeper queues it again (the sender died).
CLAIM_SECONDS = 600
#: The sweeper leaves alone rows queued or retried less than this long ago: their task, or Celery's
#: retry of it (at most 30 min away, zhucun.jobs.DELIVERY_RETRY), is on its way. Only a task that was
#: lost (or a retry asked for in process, without a worker) is queued again by the sweeper.
SWEEP_GRACE_SECONDS = 2400
SWEEP_LIMIT = 2000
#: Titles listed in one digest; the rest are counted.
DIGEST_LINES = 10


# --- Preferences and quiet hours ---------------------------------------------------------------------


def preference_of(user: User) -> ChannelPreference:
    """The person's preferences, or the defaults (no row yet). Expects ``channel_preference`` to be
    loaded with ``select_related`` where many users are read."""
    try:
        return user.channel_preference
    except ChannelPreference.DoesNotExist:
        return ChannelPreference(user=user)


def in_quiet_hours(moment: dt.time, start: dt.time, end: dt.time) -> bool:
    """Whether ``moment`` (local time) lies in quiet hours from ``start`` to ``end``, which may run
    over midnight (22:00–07:00). Equal ends mean no quiet hours."""
    if start == end:
        return False
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end


def release_time(now: dt.datetime, preference: ChannelPreference) -> dt.datetime:
    """When a message may reach the person: ``now``, or the end of the quiet hours ``now`` is in
    (Asia/Shanghai)."""
    if not preference.quiet_enabled:
        return now
    local = timezone.localtime(now)
    start, end = preference.quiet_start, preference.quiet_end
    if not in_quiet_hours(local.time(), start, end):
        return now
    day = local.date() if local.time() < end else local.date() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, end))


# --- Planning (inside the notifying transaction) ---------------------------------------------------------


def plan(items: Sequence[tuple[Notification, bool]], *, now: dt.datetime | None = None) -> list[Delivery]:
    """The deliveries of new bell rows, each with its urgency. One query for the recipients, one
    INSERT, one outbox batch, whatever the number of rows."""
    adapters = channels.enabled()
    if not adapters or not items:
        return []
    from accounts.models import User

    now = now or timezone.now()
    users = {
        user.pk: user
        for user in User.objects.select_related("cadre", "channel_preference").filter(
            pk__in={note.recipient_id for note, _ in items}, is_active=True
        )
    }
    rows: list[Delivery] = []
    for note, urgent in items:
        user = users.get(note.recipient_id)
        if user is None:
            continue
        preference = preference_of(user)
        for adapter in adapters:
            if adapter.code in (preference.muted or []) or not adapter.address(user):
                continue
            immediate = urgent or not preference.digest
            rows.append(
                Delivery(
                    key=f"n{note.pk}:{adapter.code}",
                    recipient_id=user.pk,
                    channel=adapter.code,
                    notification=note,
                    urgent=urgent,
                    status=Delivery.Status.QUEUED if immediate else Delivery.Status.HELD,
                    due_at=release_time(now, preference) if immediate else now,
                )
            )
    rows = Delivery.objects.bulk_create(rows)
    _queue([row.pk for row in rows if row.status == Delivery.Status.QUEUED and row.due_at <= now])
    return rows


def _queue(ids: Iterable[int]) -> None:
    calls = [(pk,) for pk in ids]
    if calls:
        outbox.enqueue_many(SEND_TASK, calls)


# --- Sending (the task) ----------------------------------------------------------------------------------


def send(*, delivery_id: int, now: dt.datetime | None = None) -> str:
    """Send one delivery if it is still to be sent; returns its status afterwards. Raises
    ``TransientDeliveryError`` when the platform could not take it and tries remain (the task retries
    with backoff); after ``ZHUCUN_DELIVERY_MAX_ATTEMPTS`` tries it is marked failed."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("recipient__cadre", "recipient__channel_preference", "notification")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            return "missing"
        claimable = delivery.status == Delivery.Status.QUEUED or (
            delivery.status == Delivery.Status.SENDING
            and (delivery.claimed_until is None or delivery.claimed_until <= now)
        )
        if not claimable or delivery.due_at > now:
            return str(delivery.status)
        adapter = channels.get(delivery.channel)
        user = delivery.recipient
        reason = ""
        if adapter is None:
            reason = "该渠道已停用"
        elif delivery.channel in (preference_of(user).muted or []):
            reason = "本人已关闭该渠道"
        elif not user.is_active:
            reason = "账号已停用"
        elif not adapter.address(user):
            reason = "未填写该渠道的接收账号"
        if reason or adapter is None:
            _finish(delivery, Delivery.Status.SKIPPED, error=reason)
            return Delivery.Status.SKIPPED
        address = adapter.address(user)
        delivery.status = Delivery.Status.SENDING
        delivery.attempts += 1
        delivery.claimed_until = now + dt.timedelta(seconds=CLAIM_SECONDS)
        delivery.save(update_fields=["status", "attempts", "claimed_until", "updated_at"])
    message = compose(delivery)
    try:
        sent = adapter.send(address, message)
    except TransientDeliveryError as exc:
        if delivery.attempts >= settings.ZHUCUN_DELIVERY_MAX_ATTEMPTS:
            _finish(delivery, Delivery.Status.FAILED, error=str(exc))
            return Delivery.Status.FAILED
        _finish(delivery, Delivery.Status.QUEUED, error=str(exc))
        raise
    except DeliveryError as exc:
        _finish(delivery, Delivery.Status.FAILED, error=str(exc))
        return Delivery.Status.FAILED
    _finish(delivery, Delivery.Status.SENT, provider_id=sent.provider_id)
    return Delivery.Status.SENT


def _finish(delivery: Delivery, status: str, *, error: str = "", provider_id: str = "") -> None:
    changes: dict[str, Any] = {"status": status, "claimed_until": None, "updated_at": timezone.now()}
    if error:
        changes["last_error"] = error[:300]
    if status == Delivery.Status.SENT:
        changes.update(provider_id=provider_id[:100], sent_at=timezone.now(), last_error="")
    Delivery.objects.filter(pk=delivery.pk).update(**changes)
    if status == Delivery.Status.FAILED:
        logger.warning("delivery %s via %s failed: %s", delivery.key, delivery.channel, error)


def site_url(path: str) -> str:
    base = settings.ZHUCUN_SITE_URL
    if not base or not path:
        return ""
    return path if path.startswith(("http://", "https://")) else f"{base}/{path.lstrip('/')}"


def compose(delivery: Delivery) -> Outgoing:
    """The message of a delivery: its notification, or the digest of the notifications merged in."""
    if delivery.notification is not None:
        note = delivery.notification
        return Outgoing(
            key=delivery.key, title=note.title, body=note.body, url=site_url(note.url), urgent=delivery.urgent
        )
    notes = list(
        Notification.objects.filter(deliveries__digest=delivery)
        .order_by("created_at", "pk")
        .values_list("title", flat=True)
    )
    return digest_message(delivery, notes)


def digest_message(delivery: Delivery, titles: list[str]) -> Outgoing:
    day = timezone.localtime(delivery.due_at).date()
    lines = [f"{index}. {title}" for index, title in enumerate(titles[:DIGEST_LINES], start=1)]
    if len(titles) > DIGEST_LINES:
        lines.append(f"……另有 {len(titles) - DIGEST_LINES} 条")
    return Outgoing(
        key=delivery.key,
        title=f"{day.month}月{day.day}日晨报：您有 {len(titles)} 条新通知",
        body="\n".join(lines),
        url=site_url("/notifications/"),
    )


# --- Jobs --------------------------------------------------------------------------------------------------


def digest_key(user_id: int, channel: str, day: dt.date) -> str:
    return f"digest:{user_id}:{channel}:{day.isoformat()}"


@transaction.atomic
def build_digests(*, now: dt.datetime | None = None) -> int:
    """The morning digest (``zhucun.send_digests``): every person's held deliveries, per channel, are
    merged into one digest delivery of the day (key ``digest:<person>:<channel>:<date>``, unique: a
    second run the same morning adds none, and what arrives after it waits for tomorrow). The digest
    is due at once, or when the person's quiet hours end. Returns the number of digests made."""
    from accounts.models import User

    now = now or timezone.now()
    today = timezone.localdate(now)
    held = list(
        Delivery.objects.select_for_update(skip_locked=True)
        .filter(status=Delivery.Status.HELD)
        .values_list("recipient_id", "channel")
        .order_by()
    )
    groups = sorted(set(held))
    if not groups:
        return 0
    existing = set(
        Delivery.objects.filter(key__in=[digest_key(u, c, today) for u, c in groups]).values_list("key", flat=True)
    )
    groups = [(u, c) for u, c in groups if digest_key(u, c, today) not in existing]
    users = {
        user.pk: user
        for user in User.objects.select_related("channel_preference").filter(pk__in={u for u, _ in groups})
    }
    digests = [
        Delivery(
            key=digest_key(user_id, channel, today),
            recipient_id=user_id,
            channel=channel,
            status=Delivery.Status.QUEUED,
            due_at=release_time(now, preference_of(users[user_id])),
        )
        for user_id, channel in groups
        if user_id in users
    ]
    made_from = timezone.now()
    Delivery.objects.bulk_create(digests, ignore_conflicts=True)
    # One UPDATE: each held row points to the digest made now for its person and channel today (a
    # digest made by an earlier run is not matched: those rows wait for tomorrow's).
    digest_of_row = Delivery.objects.filter(
        key=Concat(
            Value("digest:"),
            Cast(OuterRef("recipient_id"), CharField()),
            Value(":"),
            OuterRef("channel"),
            Value(f":{today.isoformat()}"),
            output_field=CharField(),
        ),
        created_at__gte=made_from,
    ).values("pk")[:1]
    Delivery.objects.filter(status=Delivery.Status.HELD).update(digest_id=Subquery(digest_of_row))
    Delivery.objects.filter(status=Delivery.Status.HELD, digest__isnull=False).update(
        status=Delivery.Status.MERGED, updated_at=timezone.now()
    )
    due = Delivery.objects.filter(
        notification__isnull=True, created_at__gte=made_from, status=Delivery.Status.QUEUED, due_at__lte=now
    )
    _queue(due.values_list("pk", flat=True))
    return len(digests)


def queue_due(*, now: dt.datetime | None = None, limit: int = SWEEP_LIMIT) -> int:
    """``zhucun.send_due_deliveries``: hand to Celery the deliveries whose time has come — urgent ones
    held back by quiet hours, digests due later in the morning — and those whose task was lost
    (queued long ago, or claimed by a sender that died). Sending is idempotent, so a row queued twice
    is sent once. Returns the number queued."""
    now = now or timezone.now()
    grace = now - dt.timedelta(seconds=SWEEP_GRACE_SECONDS)
    due = (
        Delivery.objects.filter(
            # waiting for its time (planned before it was due), or its task presumed lost
            Q(status=Delivery.Status.QUEUED, due_at__lte=now, due_at__gt=F("updated_at"))
            | Q(status=Delivery.Status.QUEUED, due_at__lte=now, updated_at__lte=grace)
            | Q(status=Delivery.Status.SENDING, claimed_until__lte=now)
        )
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    ids = list(due)
    if ids:
        # Queued now: the next sweep leaves them to their task for the grace period.
        Delivery.objects.filter(pk__in=ids, status=Delivery.Status.QUEUED).update(updated_at=now)
        _queue(ids)
    return len(ids)


def status_counts(rows: Iterable[tuple[str, str, int]]) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = defaultdict(dict)
    for channel, status, count in rows:
        table[channel][status] = count
    return dict(table)
