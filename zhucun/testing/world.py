"""A small org tree with one persona per role, shared by the permission matrix, query-count and
feature tests. Targets A–D are teams at increasing distance from the personas' home:

* A — 130102001001, in the home township (甲一镇 of 甲县 of 石家庄市): everyone's scope;
* B — 130102002001, a sibling township in the same county;
* C — 130104001001, a sibling county in the same city;
* D — 130202001001, another city.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from accounts.models import Role, User
from accounts.services import account_create
from cadres.idnumbers import check_digit
from cadres.models import Cadre, Region, Team, Unit
from cadres.policies import term_end_for

PASSWORD = "Test-pass-2026"
TARGETS = ("A", "B", "C", "D")
PERSONAS = ("province", "city", "county", "township", "unit", "cadre")

#: each target's team is dispatched by its own county-level unit
UNIT_NAMES = {"A": "甲县卫生健康局", "B": "甲县农业农村局", "C": "丙县卫生健康局", "D": "丁县卫生健康局"}

_TREE = {
    "A": ("1301", "石家庄市", "130102", "甲县", "130102001", "甲一镇", "130102001001", "甲村"),
    "B": ("1301", "石家庄市", "130102", "甲县", "130102002", "甲二镇", "130102002001", "乙村"),
    "C": ("1301", "石家庄市", "130104", "丙县", "130104001", "丙一镇", "130104001001", "丙村"),
    "D": ("1302", "唐山市", "130202", "丁县", "130202001", "丁一镇", "130202001001", "丁村"),
}


def make_id_number(serial: int) -> str:
    first17 = f"130102{dt.date(1980, 1, 1) + dt.timedelta(days=serial):%Y%m%d}{serial % 1000:03d}"
    return first17 + check_digit(first17)


def ensure_region(code: str, name: str) -> Region:
    level = Region.level_for_code(code)
    assert level is not None
    parent = Region.ancestor_codes(code)[-1]
    region, _ = Region.objects.get_or_create(
        code=code,
        defaults={
            "name": name,
            "level": level,
            "parent_id": parent,
            "is_poor_village": level == Region.Level.VILLAGE,
            "latitude": "38.000000" if level == Region.Level.VILLAGE else None,
            "longitude": "114.500000" if level == Region.Level.VILLAGE else None,
            "geofence_radius_m": 1000 if level == Region.Level.VILLAGE else None,
        },
    )
    return region


@dataclasses.dataclass
class World:
    teams: dict[str, Team]
    leaders: dict[str, Cadre]
    members: dict[str, Cadre]
    units: dict[str, Unit]
    personas: dict[str, User]
    #: one township account per target, bound to the target's township
    township_accounts: dict[str, User]
    #: objects that matrix set-ups create per target (e.g. a finding on the target's team)
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)

    def village(self, target: str) -> str:
        return _TREE[target][6]

    def township(self, target: str) -> str:
        return _TREE[target][4]

    def village_name(self, target: str) -> str:
        return _TREE[target][7]


def build_world() -> World:
    # Transactional tests flush the tables, taking the migration-made province with them.
    Region.objects.get_or_create(code="13", defaults={"name": "河北省", "level": Region.Level.PROVINCE})
    serial = 0
    teams: dict[str, Team] = {}
    leaders: dict[str, Cadre] = {}
    members: dict[str, Cadre] = {}
    units: dict[str, Unit] = {}
    for target, (city, city_name, county, county_name, township, township_name, village, village_name) in _TREE.items():
        for code, name in ((city, city_name), (county, county_name), (township, township_name)):
            ensure_region(code, name)
        ensure_region(village, village_name)
        unit = Unit.objects.create(name=UNIT_NAMES[target], level=Unit.Level.COUNTY, region_id=county)
        units[target] = unit
        team = Team.objects.create(village_id=village, unit=unit)
        teams[target] = team
        start = dt.date(2025, 3, 1)
        for role, bucket in ((Cadre.Role.FIRST_SECRETARY_LEADER, leaders), (Cadre.Role.MEMBER, members)):
            serial += 1
            bucket[target] = Cadre.objects.create(
                name=f"{village_name}{'书记' if bucket is leaders else '队员'}",
                gender=Cadre.Gender.MALE,
                id_number=make_id_number(serial),
                phone=f"1390000{serial:04d}",
                unit=unit,
                team=team,
                role=role,
                term_start=start,
                term_end=term_end_for(start),
            )

    def make(username: str, role: str, scope: str) -> User:
        return account_create(actor=None, username=username, password=PASSWORD, role=role, scope=scope)

    personas = {
        "province": make("p_province", Role.PROVINCE_ORG, "13"),
        "city": make("p_city", Role.CITY_ORG, "1301"),
        "county": make("p_county", Role.COUNTY_ORG, "130102"),
        "township": make("p_township", Role.TOWNSHIP, "130102001"),
        "unit": make("p_unit", Role.UNIT, str(units["A"].pk)),
        "cadre": make("p_cadre", Role.CADRE, str(leaders["A"].pk)),
    }
    township_accounts = {target: make(f"t_{target}", Role.TOWNSHIP, _TREE[target][4]) for target in TARGETS}
    return World(teams, leaders, members, units, personas, township_accounts)


#: The administrators (三员, issue 10 item 12) — kept out of PERSONAS so the main matrix stays as it
#: is; tests/test_admin_matrix.py runs every route for them.
ADMIN_PERSONAS = ("system_admin", "security_admin", "audit_admin")


def add_administrators(world: World) -> dict[str, User]:
    """A system administrator of the province, a security administrator of 甲县 (sees targets A and B)
    and an audit administrator of 石家庄市, made as the operator makes them (``create_account``)."""
    admins = {
        "system_admin": account_create(
            actor=None, username="p_sysadmin", password=PASSWORD, role=Role.SYSTEM_ADMIN, scope="13"
        ),
        "security_admin": account_create(
            actor=None, username="p_secadmin", password=PASSWORD, role=Role.SECURITY_ADMIN, scope="130102"
        ),
        "audit_admin": account_create(
            actor=None, username="p_auditadmin", password=PASSWORD, role=Role.AUDIT_ADMIN, scope="1301"
        ),
    }
    world.personas.update(admins)
    return admins
