"""Fixtures of the leave tests: a fixed "now" (Thursday 26 November 2026, 10:00 in Shanghai) and
accounts for the team members the world leaves without one."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.models import User
from tests.leave.factories import cadre_account
from zhucun.testing.world import World
from zhucun.workcalendar import SHANGHAI

NOW = dt.datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)
TODAY = NOW.date()


@pytest.fixture
def member_a(world: World) -> User:
    """Team A's member (队员), whose 队长 is the cadre persona (leader A)."""
    return cadre_account(world.members["A"], "member_a")


@pytest.fixture
def member_b(world: World) -> User:
    """Team B's member; team B's leader has no account, so no 队长 can answer in the system."""
    return cadre_account(world.members["B"], "member_b")
