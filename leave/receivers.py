"""Reactions to other apps' signals."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.dispatch import receiver

from zhucun.models import WorkCalendarDay
from zhucun.workcalendar.signals import work_calendar_changed


@receiver(work_calendar_changed, sender=WorkCalendarDay, dispatch_uid="leave.recount_deadlines")
def recount_deadlines(sender: type[WorkCalendarDay], dates: list[dt.date], **_: Any) -> None:
    """第十九条2: a change of the holiday table moves the half-day deadlines running across it."""
    from .services import leave_steps_recount_deadlines

    leave_steps_recount_deadlines(dates=dates)
