"""Funds fixtures: the county that keeps team A's account, team A's leader's account."""

from __future__ import annotations

import pytest

from accounts.models import User
from accounts.services import account_create
from zhucun.testing.world import PASSWORD, World


@pytest.fixture
def keeper(world: World) -> User:
    """甲县's organization department keeps the accounts of teams A and B (第十四条4)."""
    return world.personas["county"]


@pytest.fixture
def leader(world: World) -> User:
    """Team A's 第一书记兼队长 (the persona ``cadre``)."""
    return world.personas["cadre"]


@pytest.fixture
def member_account(world: World) -> User:
    return account_create(
        actor=None, username="a_member", password=PASSWORD, role="cadre", scope=str(world.members["A"].pk)
    )
