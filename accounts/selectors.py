"""Account reads for the account pages and the cadre page: lock state and devices, a fixed number of
queries per page whatever its rows."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Q

from cadres.models import Cadre, Region
from zhucun import scoping
from zhucun.inputs import parse_id

from .lockout import locked_until
from .models import REGION_LEVEL_OF_ROLE, ApiToken, Role, User
from .roles import roles_creatable_by

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


def lock_states(accounts: list[User]) -> dict[str, dt.datetime]:
    """username → when its lock ends, for the locked ones among ``accounts``. One query."""
    return locked_until([account.username for account in accounts]) if accounts else {}


def devices_of(account: User) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=account).order_by("-last_used", "-id"))


def cadre_devices(*, user: User | AnonymousUser, cadre: Any) -> dict[str, Any] | None:
    """The devices of a cadre's account for the cadre page, when the viewer may sign them out."""
    if not scoping.can(user, "account.revoke_tokens"):
        return None
    account = scoping.restrict(User.objects.filter(cadre=cadre), user).first()
    if account is None:
        return None
    return {"account": account, "tokens": devices_of(account), "idle_days": settings.ZHUCUN_TOKEN_IDLE_DAYS}


def creatable_roles(user: User | AnonymousUser) -> list[Role]:
    """The roles ``user`` may give a new account: only those below its own (issue 15 item 7)."""
    if not scoping.can(user, "account.create"):
        return []
    role = getattr(user, "role", "")
    region_id = getattr(user, "region_id", None)
    level = Region.level_for_code(str(region_id)) if region_id else None
    return roles_creatable_by(role, level)


#: How many matches the account form's scope search shows.
SCOPE_CHOICES_LIMIT = 20


def scope_choices(*, user: User | AnonymousUser, role: str, search: str = "", value: str = "") -> list[dict[str, str]]:
    """What a new account of ``role`` may be bound to, matching ``search`` (a name; a region's code
    prefix; a cadre's phone) or exactly ``value``, within ``user``'s scope: ``value`` (the API's
    ``scope``), ``label`` and ``detail`` (a cadre's region path, unit and post). Cadres who already
    have an account are left out. A fixed number of queries, at most SCOPE_CHOICES_LIMIT rows."""
    search, value = search.strip(), value.strip()
    if not (search or value) or role not in creatable_roles(user):
        return []
    number = parse_id(value) if value else None
    if role == Role.CADRE:
        if value and number is None:
            return []
        match = Q(pk=number) if value else Q(name__icontains=search) | Q(phone=search)
        cadres = (
            scoping.restrict(Cadre.objects.all(), user)
            .filter(match)
            .filter(account__isnull=True)
            .select_related("unit", "team__village__parent__parent")
            .order_by("name", "pk")[:SCOPE_CHOICES_LIMIT]
        )
        choices = []
        for cadre in cadres:
            village = cadre.team.village
            path = [region.name for region in (village.parent.parent, village.parent, village) if region is not None]
            choices.append(
                {
                    "value": str(cadre.pk),
                    "label": cadre.name,
                    "detail": f"{' / '.join(path)} · {cadre.unit.name} · {cadre.get_role_display()}",
                }
            )
        return choices
    if role == Role.UNIT:
        if value and number is None:
            return []
        units = (
            scoping.units_managed_by(user)
            .filter(Q(pk=number) if value else Q(name__icontains=search))
            .select_related("region")
            .order_by("name", "pk")[:SCOPE_CHOICES_LIMIT]
        )
        return [
            {
                "value": str(unit.pk),
                "label": unit.name,
                "detail": f"{unit.get_level_display()}级单位" + (f" · {unit.region.name}" if unit.region else ""),
            }
            for unit in units
        ]
    level = REGION_LEVEL_OF_ROLE.get(Role(role))
    if level is None:
        return []
    scope = scoping.scope_of(user)
    match = Q(code=value) if value else Q(name__icontains=search) | Q(code__startswith=search)
    regions = Region.objects.filter(level=level).filter(match)
    if not scope.everything:
        within = Q(pk__in=[])
        for prefix in scope.region_prefixes:
            within |= Q(code__startswith=prefix)
        regions = regions.filter(within)
    regions = regions.select_related("parent__parent").order_by("code")[:SCOPE_CHOICES_LIMIT]
    choices = []
    for region in regions:
        above = [
            ancestor.name for ancestor in (region.parent.parent if region.parent else None, region.parent) if ancestor
        ]
        choices.append({"value": region.code, "label": region.name, "detail": " / ".join([*above, region.code])})
    return choices
