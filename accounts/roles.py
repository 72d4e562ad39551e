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
