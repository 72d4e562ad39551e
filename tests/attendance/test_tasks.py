"""The coverage task asks the rule when the sign-in window has closed (``rules.after_window``, 第五条,
第十九条1) instead of comparing "HH:MM" strings itself (issue 11 item 16)."""

from __future__ import annotations

from typing import Any

import pytest

from attendance import tasks
from tests.attendance.conftest import at
from zhucun.models import OutboxMessage
from zhucun.testing.world import World


@pytest.mark.django_db
def test_the_coverage_check_waits_until_the_last_minute_of_the_window_has_passed_第五条(
    world: World, clock: Any
) -> None:
    # The window ends at 09:30 (HEBEI_2018): a sign-in at 09:30:40 is still on time (rules.signin_status),
    # so no village is uncovered yet.
    clock.set(at(9, 30).replace(second=40))
    assert tasks.coverage_check() == 0
    assert not OutboxMessage.objects.exists()
    clock.set(at(9, 31))
    assert tasks.coverage_check() == 3  # one task per county of the world (甲县, 丙县, 丁县)
    assert OutboxMessage.objects.filter(task=tasks.coverage_check_county.name).count() == 3
