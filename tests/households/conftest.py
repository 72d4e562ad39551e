"""Households fixtures: a poor and a resident non-poor household in team A's village (甲村)."""

from __future__ import annotations

import datetime as dt

import pytest

from households.models import Household
from zhucun.testing.world import World


@pytest.fixture
def poor(world: World) -> Household:
    return Household.objects.create(
        village_code=world.village("A"), head_name="王贫困", kind="poor", registered_on=dt.date(2025, 3, 1)
    )


@pytest.fixture
def non_poor(world: World) -> Household:
    return Household.objects.create(
        village_code=world.village("A"),
        head_name="李常住",
        kind="non_poor",
        resident=True,
        registered_on=dt.date(2025, 3, 1),
    )
