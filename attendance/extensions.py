"""What other capabilities add to attendance's pages without attendance importing them (the layering
of decision 0100): supervision registers its providers at start-up (supervision/apps.py) — the cadre's
waiting random presence check on the day page (第十三条3) and the team's annual task list on the public
village page (第七条). Without a provider the pages simply show neither."""

from __future__ import annotations

from typing import Any, Protocol


class PresencePending(Protocol):
    def __call__(self, *, cadre_id: int) -> Any: ...


class PublicTasks(Protocol):
    def __call__(self, *, team: Any, year: int) -> list[Any]: ...


_presence_pending: list[PresencePending] = []
_public_tasks: list[PublicTasks] = []


def register_presence_pending(provider: PresencePending) -> None:
    _presence_pending[:] = [provider]


def register_public_tasks(provider: PublicTasks) -> None:
    _public_tasks[:] = [provider]


def presence_pending(*, cadre_id: int) -> Any:
    """The random presence check waiting for the cadre's tap, or None."""
    return _presence_pending[0](cadre_id=cadre_id) if _presence_pending else None


def public_tasks(*, team: Any, year: int) -> list[Any]:
    """The team's task list of ``year`` for the public page (no personal data), or nothing."""
    return _public_tasks[0](team=team, year=year) if _public_tasks else []
