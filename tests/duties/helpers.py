"""Builders for the duties tests: more bodies in 甲县, and dispatching units at every level."""

from __future__ import annotations

import datetime as dt

from cadres.models import Cadre, Region, Team, Unit
from zhucun.testing.world import World, ensure_region, make_id_number

#: the test world in 2026: 4 county units, 6 organization departments (province, 2 cities, 3 counties),
#: 3 counties, 4 townships
EXPECTED_2026 = 4 * 12 + (6 + 5 * 2 + 6) + 3 * (4 + 1) + 4 * (4 + 4)


def more_bodies(count: int) -> None:
    """``count`` new townships of 甲县, each with a village, a team of a new county unit and a cadre."""
    for i in range(count):
        township = Region.objects.create(code=f"130102{300 + i:03d}", name=f"新镇{i}", level="township",
                                         parent_id="130102")  # fmt: skip
        village = Region.objects.create(code=f"{township.code}001", name=f"新村{i}", level="village",
                                        parent=township)  # fmt: skip
        unit = Unit.objects.create(name=f"新单位{i}", level="county", region_id="130102")
        team = Team.objects.create(village=village, unit=unit)
        Cadre.objects.create(name=f"干部{i}", gender="male", id_number=make_id_number(500 + i), phone="13900000000",
                             unit=unit, team=team, role="first_secretary_leader", term_start=dt.date(2025, 3, 1),
                             term_end=dt.date(2028, 2, 29))  # fmt: skip


def units_at_every_level(world: World) -> dict[str, Unit]:
    """A unit of each kind whose obligations the county tasks do not all carry, each with one cadre:
    central (no region) in 丁村, the province's in 甲村, 石家庄市's in 丙村; 甲县's own unit with its cadre
    in 丁县 (its obligations are 甲县's, 第十二条); and a unit of 乙县, a county with no townships (so
    no county task), with its cadre in 乙村."""
    ensure_region("130103", "乙县")
    units = {
        "central": Unit.objects.create(name="中央单位", level="central"),
        "province": Unit.objects.create(name="省直单位", level="province", region_id="13"),
        "city": Unit.objects.create(name="市直单位", level="city", region_id="1301"),
        "jia_abroad": Unit.objects.create(name="甲县交通运输局", level="county", region_id="130102"),
        "yi": Unit.objects.create(name="乙县卫生健康局", level="county", region_id="130103"),
    }
    stationed = {"central": "D", "province": "A", "city": "C", "jia_abroad": "D", "yi": "B"}
    for i, (kind, target) in enumerate(stationed.items()):
        Cadre.objects.create(name=f"队员{i}", gender="male", id_number=make_id_number(700 + i), phone="13900000000",
                             unit=units[kind], team=world.teams[target], role="member",
                             term_start=dt.date(2025, 3, 1), term_end=dt.date(2028, 2, 29))  # fmt: skip
    return units
