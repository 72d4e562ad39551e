"""The roles an account is bound to (API.md "Accounts"). Apart from the models so that modules loaded
before the app registry is ready (``zhucun.scoping``'s role table) can name them."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    PROVINCE_ORG = "province_org", "省委组织部"
    CITY_ORG = "city_org", "市委组织部"
    COUNTY_ORG = "county_org", "县委组织部（驻村办）"
    TOWNSHIP = "township", "乡镇党委"
    UNIT = "unit", "派出单位"
    CADRE = "cadre", "驻村干部"
    # 三员分立 (issue 10 item 12, decision 0048): three administrators, none of them a superuser, none
    # with access to the cadres' data. Each is bound to a province, city or county region.
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "审计管理员"


#: The administrators (三员): appointed by the operator (``create_account``), never in the application.
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})

#: How high each business role stands (issue 15 item 7): an account is created only by someone who
#: stands higher — the province creates city, county, township, unit and cadre accounts, a county only
#: township, unit and cadre ones; nobody creates a peer or a superior (decision 0174).
RANK: dict[str, int] = {
    Role.PROVINCE_ORG: 4,
    Role.CITY_ORG: 3,
    Role.COUNTY_ORG: 2,
    Role.TOWNSHIP: 1,
    Role.UNIT: 0,
    Role.CADRE: 0,
}
#: The rank of an administrator bound to a region of this level (the security administrator creates
#: accounts below its region, as the organization department of that level would).
LEVEL_RANK: dict[str, int] = {"province": 4, "city": 3, "county": 2, "township": 1}


def roles_creatable_by(role: str, region_level: str | None = None) -> list[Role]:
    """The roles an account of ``role`` (an administrator: bound to a region of ``region_level``) may
    create, highest first. Administrators' roles are never among them (decision 0048)."""
    rank = RANK.get(role) if role not in ADMIN_ROLES else LEVEL_RANK.get(region_level or "")
    if rank is None:
        return []
    return [candidate for candidate in Role if candidate in RANK and RANK[candidate] < rank]
