"""Signals the working calendar sends for capabilities to react to.

``work_calendar_changed`` (sender=WorkCalendarDay, dates=[…]) — after a transaction that added, changed
or deleted days of the table has committed. Leave listens and recounts the deadlines still running
across those dates (leave/receivers.py): a deadline counted on Monday–Friday before the table was
entered must not stay wrong once it is.
"""

from django.dispatch import Signal

work_calendar_changed = Signal()
