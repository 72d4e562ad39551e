"""``zhucun.db.prefix_range``: a prefix filter as a code range selects exactly what ``__startswith`` does."""

from __future__ import annotations

import pytest

from cadres.models import Region, Team
from zhucun.db import prefix_range
from zhucun.testing.world import World


def test_the_range_ends_before_the_next_prefix() -> None:
    assert prefix_range("code", "13") == {"code__gte": "13", "code__lt": "14"}
    assert prefix_range("code", "1309") == {"code__gte": "1309", "code__lt": "130:"}  # ':' follows '9'
    assert prefix_range("code", "") == {}


@pytest.mark.django_db
def test_the_range_selects_what_startswith_selects(world: World) -> None:
    # a city whose code ends in 9 and a neighbouring province: the range's edges
    Region.objects.bulk_create(
        [
            Region(code="1399", name="末市", level=Region.Level.CITY, parent_id="13"),
            Region(code="14", name="邻省", level=Region.Level.PROVINCE),
        ]
    )
    codes = list(Region.objects.values_list("code", flat=True))
    prefixes = {code[:n] for code in codes for n in range(1, len(code) + 1)} | {"1309", "139", "2"}
    for prefix in sorted(prefixes):
        ranged = set(Region.objects.filter(**prefix_range("code", prefix)).values_list("code", flat=True))
        assert ranged == {code for code in codes if code.startswith(prefix)}, prefix
        teams = set(Team.objects.filter(**prefix_range("village_id", prefix)).values_list("pk", flat=True))
        assert teams == set(Team.objects.filter(village__code__startswith=prefix).values_list("pk", flat=True))
