"""The test world with hostile names (issue 10 item 1): every region, unit, team and cadre name carries
a markup or template-injection payload, so a page that prints a name without escaping it shows.

The names come in the ways real names do. A new team (its village, unit and cadres) is created by a
roster import, and the world's own cadres are renamed by re-importing the roster with their ID
numbers. Existing regions and units cannot be renamed through the roster (an import that names a known
code differently is refused, by design), so those are renamed in place, like a factory would make them.
"""

from __future__ import annotations

import io

from cadres.models import Cadre, Region, Unit
from cadres.services import roster_import
from zhucun.testing.roster import roster_bytes, roster_row
from zhucun.testing.world import TARGETS, World, build_world, make_id_number

#: closes a <script> element early and opens another: breaks any name printed raw into a script
SCRIPT = "</script><script>alert(2)</script>"
#: leaves an attribute value and adds an element with an event handler
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
#: evaluated by client-side template engines and naive server-side ones
TEMPLATE = "{{7*7}}"
PAYLOADS = (SCRIPT, ATTRIBUTE, TEMPLATE)

#: region code → hostile name; each level carries every payload somewhere, and every dashboard's
#: chart (the province's cities, the city's counties, the county's townships, the township's
#: cadres) carries the script payload
REGION_NAMES = {
    "1301": "石家庄市" + SCRIPT,
    "1302": "唐山市" + ATTRIBUTE,
    "130102": "甲县" + SCRIPT,
    "130104": "丙县" + ATTRIBUTE,
    "130202": "丁县" + TEMPLATE,
    "130102001": "甲一镇" + SCRIPT,
    "130102002": "甲二镇" + ATTRIBUTE,
    "130104001": "丙一镇" + TEMPLATE,
    "130202001": "丁一镇" + SCRIPT,
    "130102001001": "甲村" + ATTRIBUTE,
    "130102002001": "乙村" + SCRIPT,
    "130104001001": "丙村" + TEMPLATE,
    "130202001001": "丁村" + ATTRIBUTE,
}
UNIT_NAMES = {
    "A": "甲县卫生健康局" + ATTRIBUTE,
    "B": "甲县农业农村局" + SCRIPT,
    "C": "丙县卫生健康局" + TEMPLATE,
    "D": "丁县卫生健康局" + SCRIPT,
}
#: the team that the roster import creates, in the home township (so every regional persona sees it)
NEW_VILLAGE_CODE = "130102001002"
NEW_VILLAGE_NAME = "新村" + TEMPLATE
NEW_UNIT_NAME = "省直单位" + SCRIPT


def _row(region_codes: str, **overrides: object) -> list[object]:
    city, county, township = (Region.prefix_of(region_codes, level) for level in ("city", "county", "township"))
    names = {**REGION_NAMES, NEW_VILLAGE_CODE: NEW_VILLAGE_NAME}
    columns: dict[str, object] = {
        "市": names[city],
        "县": names[county],
        "乡镇": names[township],
        "村": names[region_codes],
        "村代码": region_codes,
        "派出单位层级": "县",
    }
    return roster_row(**{**columns, **overrides})


def build_hostile_world() -> World:
    world = build_world()
    for code, name in REGION_NAMES.items():
        Region.objects.filter(code=code).update(name=name)
    for target in TARGETS:
        Unit.objects.filter(pk=world.units[target].pk).update(name=UNIT_NAMES[target])

    rows = []
    for target in TARGETS:
        village = world.village(target)
        for cadre, payload in ((world.leaders[target], SCRIPT), (world.members[target], ATTRIBUTE)):
            role = "第一书记兼队长" if cadre.pk == world.leaders[target].pk else "队员"
            rows.append(
                _row(
                    village,
                    派出单位=UNIT_NAMES[target],
                    姓名=cadre.name + payload,
                    性别="男",
                    身份证号=cadre.id_number,
                    手机号=cadre.phone,
                    职务=role,
                    驻村开始日期=cadre.term_start.isoformat(),
                )
            )
    for serial, (name, role) in enumerate((("新村书记" + ATTRIBUTE, "第一书记兼队长"), ("新村队员" + SCRIPT, "队员"))):
        rows.append(
            _row(
                NEW_VILLAGE_CODE,
                派出单位=NEW_UNIT_NAME,
                派出单位层级="省",
                姓名=name,
                身份证号=make_id_number(900 + serial),
                手机号=f"1370000{900 + serial:04d}",
                职务=role,
            )
        )
    upload = io.BytesIO(roster_bytes(rows))
    roster_import(actor=world.personas["province"], upload=upload)

    # The world's objects as the pages will read them.
    for target in TARGETS:
        world.teams[target].refresh_from_db()
        world.units[target].refresh_from_db()
        world.leaders[target].refresh_from_db()
        world.members[target].refresh_from_db()
    assert all(SCRIPT in world.leaders[t].name for t in TARGETS)
    assert Cadre.objects.filter(team__village_id=NEW_VILLAGE_CODE).count() == 2
    return world
