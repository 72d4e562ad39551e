"""The application for NATION's month-end measurements (``bench/nation.py``): Django's clock is moved
to ``BENCH_TODAY`` at the real time of day, so the dashboards answer as they would on that day. For the
benchmark only: ``timezone.now`` is replaced before Django loads any application module."""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

from django.utils import timezone

_real_now = timezone.now
_zone = ZoneInfo("Asia/Shanghai")
_moment = _real_now().astimezone(_zone)
_day = dt.date.fromisoformat(os.environ["BENCH_TODAY"])
_shift = dt.datetime.combine(_day, _moment.timetz()) - _moment


def _now() -> dt.datetime:
    return _real_now() + _shift


timezone.now = _now

from zhucun.wsgi import application  # noqa: E402 - after the clock is moved

__all__ = ["application"]
