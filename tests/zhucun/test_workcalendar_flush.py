"""The working calendar is seeded again after a flush. A file of its own: transactional tests stay apart from the
others under pytest-xdist (decision 0101)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from zhucun import workcalendar
from zhucun.models import WorkCalendarYear


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_table_is_seeded_again_after_a_flush() -> None:
    """``flush`` (between transactional tests, or by hand) sends post_migrate without ``apps``."""
    call_command("flush", interactive=False, verbosity=0)
    assert WorkCalendarYear.objects.filter(published_at__isnull=False).count() == 2026 - 2004 + 1
    assert not workcalendar.is_workday(dt.date(2026, 10, 1))
