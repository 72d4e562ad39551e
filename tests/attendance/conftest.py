from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image

from cadres.models import Cadre
from leave.models import LeaveRequest

#: 甲村 in the test world sits at (38.0, 114.5) with a 1,000 m geofence.
INSIDE = {"latitude": 38.001, "longitude": 114.5}  # ~111 m north
OUTSIDE = {"latitude": 38.05, "longitude": 114.5}  # ~5.6 km north

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def at(hour: int, minute: int = 0, day: dt.date | None = None) -> dt.datetime:
    """An aware moment in Asia/Shanghai today (or on ``day``)."""
    day = day or dt.date(2026, 11, 26)
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Freeze django.utils.timezone.now at a settable moment (default 26 Nov 2026, 08:00 Shanghai)."""

    class Clock:
        now = at(8, 0)

        def set(self, moment: dt.datetime) -> None:
            self.now = moment

    state = Clock()
    monkeypatch.setattr(timezone, "now", lambda: state.now)
    return state


def approved_leave(cadre: Cadre, start: dt.date, end: dt.date) -> LeaveRequest:
    """An approved leave written directly (the leave capability's own tests cover its approval)."""
    return LeaveRequest.objects.create(
        cadre=cadre,
        village_code=cadre.team.village_id,
        unit=cadre.unit,
        kind=LeaveRequest.Kind.PERSONAL,
        start=start,
        end=end,
        days=Decimal((end - start).days + 1),
        reason="家中有事",
        status=LeaveRequest.Status.APPROVED,
    )


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), "red")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (38.0, 0.0, 0.0)}  # GPSInfo
    exif[0x010F] = "PhoneMaker"
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()
