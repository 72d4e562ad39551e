"""A delivery channel for tests that are not about a platform (the outbox, faults): it records what it
was handed instead of calling anyone. Enabled with ``recording_channel()``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING
from unittest import mock

from django.test import override_settings

from zhucun import channels
from zhucun.channels.base import Outgoing, Sent

if TYPE_CHECKING:
    from accounts.models import User


class RecordingChannel:
    code = "recording"
    label = "记录"

    def __init__(self) -> None:
        self.sent: list[tuple[str, Outgoing]] = []

    def address(self, user: User) -> str:
        return str(user.username)

    def send(self, address: str, message: Outgoing) -> Sent:
        self.sent.append((address, message))
        return Sent(provider_id=f"rec-{len(self.sent)}")

    @property
    def keys(self) -> list[str]:
        return [message.key for _, message in self.sent]


@contextmanager
def recording_channel() -> Iterator[RecordingChannel]:
    channel = RecordingChannel()
    with (
        mock.patch.dict(channels.FACTORIES, {"recording": lambda: channel}),
        override_settings(ZHUCUN_CHANNELS=["recording"]),
    ):
        yield channel
