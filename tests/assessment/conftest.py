from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Freeze django.utils.timezone.now (and so ``localdate``) at a settable day, 10:00 in Shanghai:
    sanctions are read against the day of the act (docs/decisions/0083)."""

    class Clock:
        now = dt.datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI)

        def set(self, day: dt.date) -> None:
            self.now = dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=SHANGHAI)

    state = Clock()
    monkeypatch.setattr(timezone, "now", lambda: state.now)
    return state
