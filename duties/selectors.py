"""Reads of the duties calendar. Each owns its joins and ordering, so query counts do not grow with rows."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Case, IntegerField, QuerySet, Value, When

from accounts.roles import Role
from cadres.models import Cadre, Region
from zhucun import scoping

from . import catalogue
from .catalogue import BodyType
from .models import Obligation

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


@dataclasses.dataclass
class Bodies:
    """The bodies that carry duties in a year: every dispatching unit with a cadre serving that year,
    the organization departments, counties and townships where those cadres' teams are stationed."""

    #: unit id → (name, region code of its obligations)
    units: dict[int, tuple[str, str]]
    #: organization department region codes (province, cities, counties)
    orgs: set[str]
    counties: set[str]
    townships: set[str]
    names: dict[str, str]

    def of(self, duty: catalogue.Duty) -> list[tuple[str, int | None, str, str]]:
        """(body key, unit id, region code, name) of every body carrying ``duty``."""
        if duty.body_type == BodyType.UNIT:
            return [(str(pk), pk, region, name) for pk, (name, region) in sorted(self.units.items())]
        if duty.body_type == BodyType.ORG:
            codes = sorted(c for c in self.orgs if catalogue.applies_to_org_level(duty, catalogue.org_level_of(c)))
        elif duty.body_type == BodyType.COUNTY:
            codes = sorted(self.counties)
        else:
            codes = sorted(self.townships)
        return [
            (
                code,
                None,
                code,
                catalogue.body_name(duty.body_type, region_name=self.names.get(code, code), region_code=code),
            )
            for code in codes
        ]


def bodies_of_year(year: int) -> Bodies:
    """Two queries, whatever the size of the province."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    rows = (
        Cadre.objects.filter(term_start__lte=end, term_end__gte=start)
        .values_list("unit_id", "unit__name", "unit__level", "unit__region_id", "team__village_id")
        .distinct()
    )
    units: dict[int, tuple[str, str]] = {}
    orgs: set[str] = set()
    counties: set[str] = set()
    townships: set[str] = set()
    for unit_id, unit_name, unit_level, unit_region, village in rows:
        region = catalogue.unit_region_code(unit_level, unit_region)
        units[unit_id] = (unit_name, region)
        orgs.update({region, Region.city_of(village), Region.county_of(village)})
        counties.add(Region.county_of(village))
        townships.add(Region.township_of(village))
    if units:
        orgs.add(str(settings.ZHUCUN_PROVINCE_CODE))
    codes = orgs | counties | townships
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    return Bodies(units=units, orgs=orgs, counties=counties, townships=townships, names=names)


#: overdue first, then open, then done (UI: what needs acting on comes first)
STATUS_ORDER = Case(
    When(status=Obligation.Status.OVERDUE, then=Value(0)),
    When(status=Obligation.Status.OPEN, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def in_scope(*, user: User | AnonymousUser) -> QuerySet[Obligation]:
    return scoping.restrict(Obligation.objects.select_related("unit"), user)


def ordered(queryset: QuerySet[Obligation]) -> QuerySet[Obligation]:
    return queryset.annotate(status_order=STATUS_ORDER).order_by("status_order", "due", "body_name", "id")


def own_q(user: User | AnonymousUser) -> dict[str, Any] | None:
    """The filter of the user's own obligations (the body's calendar, "我的待办"), or None when the user
    is no body (a cadre, an administrator)."""
    role = getattr(user, "role", "")
    unit_id = getattr(user, "unit_id", None)
    if role == Role.UNIT and unit_id:
        return {"body_type": BodyType.UNIT, "unit_id": unit_id}
    region = str(getattr(user, "region_id", "") or "")
    if not region:
        return None
    if role in catalogue.ORG_ROLE_OF_LEVEL.values():
        if catalogue.ORG_ROLE_OF_LEVEL.get(catalogue.org_level_of(region)) != role:
            return None
        types = [BodyType.ORG, BodyType.COUNTY] if role == Role.COUNTY_ORG else [BodyType.ORG]
        return {"body_type__in": types, "body_key": region}
    if role == Role.TOWNSHIP:
        return {"body_type": BodyType.TOWNSHIP, "body_key": region}
    return None


def mine(*, user: User | AnonymousUser, year: int) -> QuerySet[Obligation]:
    """The body's own obligations of ``year``, overdue first."""
    condition = own_q(user)
    if condition is None:
        return Obligation.objects.none()
    return ordered(in_scope(user=user).filter(year=year, **condition))


def evidence_of(obligation: Obligation) -> list[Any]:
    return list(obligation.evidence.all())
