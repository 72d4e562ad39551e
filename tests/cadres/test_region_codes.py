"""Region codes are prefixes of the 统计用区划代码 (2, 4, 6, 9, 12 digits); ``Region`` is the one place
that knows the lengths (issue 11 item 12)."""

from __future__ import annotations

import pytest

from cadres.models import Region

VILLAGE = "130102001001"


def test_the_prefix_helpers_name_each_level_above_a_village() -> None:
    assert Region.province_of(VILLAGE) == "13"
    assert Region.city_of(VILLAGE) == "1301"
    assert Region.county_of(VILLAGE) == "130102"
    assert Region.township_of(VILLAGE) == "130102001"
    assert Region.lineage_codes(VILLAGE) == ["13", "1301", "130102", "130102001", VILLAGE]
    assert Region.ancestor_codes("130102001") == ["13", "1301", "130102"]


def test_a_code_above_the_level_has_no_prefix_at_that_level() -> None:
    with pytest.raises(ValueError, match="above the township level"):
        Region.township_of("130102")


def test_is_code_of_checks_the_length_of_the_level() -> None:
    assert Region.is_code_of("130102", Region.Level.COUNTY)
    assert not Region.is_code_of("1301020", Region.Level.COUNTY)
    assert not Region.is_code_of(None, Region.Level.COUNTY)
    assert Region.length_of("township") == 9
