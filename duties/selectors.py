"""Reads of the duties calendar. Each owns its joins and ordering, so query counts do not grow with rows."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Case, Exists, IntegerField, OuterRef, QuerySet, Value, When
from django.db.models.functions import Substr

from accounts.roles import Role
from cadres.models import Cadre, Region, Unit
from zhucun import scoping

from . import catalogue
from .catalogue import BodyType
from .models import Obligation

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


@dataclasses.dataclass
class Bodies:
    """The bodies that carry duties in a year, in one scope of the generation job (a county, or what lies
    above the counties): dispatching units with a cadre serving that year, and the organization
    departments, counties and townships where those cadres' teams are stationed."""

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


def _serving(year: int) -> QuerySet[Cadre]:
    """Cadres serving some day of ``year``: their units and the regions of their teams carry its duties."""
    return Cadre.objects.filter(term_start__lte=dt.date(year, 12, 31), term_end__gte=dt.date(year, 1, 1)).order_by()


def _units(year: int, candidates: QuerySet[Unit], keep: Callable[[str], bool]) -> dict[int, tuple[str, str]]:
    """The units among ``candidates`` with a cadre serving in ``year`` whose obligations' org-tree key
    (``catalogue.unit_region_code``) ``keep`` accepts, as ``Bodies.units``. One query."""
    rows = candidates.filter(Exists(_serving(year).filter(unit_id=OuterRef("pk")))).values_list(
        "pk", "name", "level", "region_id"
    )
    units: dict[int, tuple[str, str]] = {}
    for pk, name, level, region in rows:
        code = catalogue.unit_region_code(level, region)
        if keep(code):
            units[pk] = (name, code)
    return units


def _bodies(*, units: dict[int, tuple[str, str]], orgs: set[str], counties: set[str], townships: set[str]) -> Bodies:
    """The bodies with their regions' names (one query). A unit's region is an organization department
    that carries duties too: the department that manages the unit (第十二条)."""
    orgs = orgs | {region for _, region in units.values()}
    codes = orgs | counties | townships
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    return Bodies(units=units, orgs=orgs, counties=counties, townships=townships, names=names)


def bodies_of_county(year: int, county_code: str) -> Bodies:
    """The bodies of ``year`` whose org-tree key lies in the county (the job's county task): the
    county's organization department and its 县级 body (第十四条), its townships where a cadre serving
    in ``year`` is stationed, and the county's own dispatching units with a cadre serving in ``year``,
    wherever that cadre is stationed. Three queries, whatever the size of the county."""
    villages = set(
        _serving(year)
        .filter(team__village__code__startswith=county_code)
        .values_list("team__village_id", flat=True)
        .distinct()
    )
    counties = {Region.county_of(code) for code in villages}
    units = _units(
        year, Unit.objects.filter(region__code__startswith=county_code), lambda code: code.startswith(county_code)
    )
    return _bodies(
        units=units, orgs=counties, counties=counties, townships={Region.township_of(code) for code in villages}
    )


def bodies_above_counties(year: int, *, counties: Collection[str]) -> Bodies:
    """The bodies of ``year`` that no task of ``counties`` (the counties the job fans out over) carries:
    the province's and the cities' organization departments (第十三条) and the dispatching units whose
    obligations are keyed above the county — central, province and city units (第三十一条) — or to a
    county outside ``counties``. Every township and county with a team lies in ``counties``
    (``cadres.selectors.county_codes``: every county with regions below it). Three queries."""
    fanned = set(counties)
    county_length = Region.length_of(Region.Level.COUNTY)
    cities = set(
        _serving(year)
        .values_list(Substr("team__village_id", 1, Region.length_of(Region.Level.CITY)), flat=True)
        .distinct()
    )
    # A code above the county is shorter than a county's: its first six digits are no county's.
    units = _units(year, Unit.objects.all(), lambda code: code[:county_length] not in fanned)
    orgs = cities | ({str(settings.ZHUCUN_PROVINCE_CODE)} if cities else set())
    return _bodies(units=units, orgs=orgs, counties=set(), townships=set())


def obligations_of_county(county_code: str) -> QuerySet[Obligation]:
    """The obligations the daily job's county task keeps (docs/decisions/0181): those keyed in the county
    — its organization department's and its 县级 body's, its townships' and its own dispatching units'
    (keyed to the county wherever their cadres serve, 第十二条) — the bodies ``bodies_of_county`` made
    them for, and any a unit left there when it moved. A prefix range on ``region_code``, read through
    the (status, region code) index. No query until read."""
    return Obligation.objects.filter(region_code__startswith=county_code)


def obligations_above_counties(counties: Collection[str]) -> QuerySet[Obligation]:
    """The obligations no task of ``counties`` (the counties the job fans out over) keeps, so the job
    itself does: those keyed to the province or a city — their organization departments, central,
    province and city units (第三十一条) — or to a county outside ``counties``. Such a county has no
    regions below it (``cadres.selectors.county_codes``), so its bodies are keyed to its own code.
    Every obligation is keyed to a region's code (or the province's, for central units), so each has
    exactly one owner: a county task or the job. One query (the codes), a list of codes then."""
    fanned = set(counties)
    above = {str(settings.ZHUCUN_PROVINCE_CODE)}
    above.update(
        code
        for code in Region.objects.filter(
            level__in=[Region.Level.PROVINCE, Region.Level.CITY, Region.Level.COUNTY]
        ).values_list("code", flat=True)
        if code not in fanned
    )
    return Obligation.objects.filter(region_code__in=sorted(above))


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
