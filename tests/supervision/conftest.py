"""Supervision fixtures: the frozen clock and positions of the attendance tests (甲村 at 38.0, 114.5
with a 1,000 m geofence)."""

from __future__ import annotations

from tests.attendance.conftest import INSIDE, OUTSIDE, at, clock

__all__ = ["INSIDE", "OUTSIDE", "at", "clock"]
