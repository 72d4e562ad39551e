"""Reads of the organization model for pages. Each returns a fixed number of queries whatever the
number of rows (counts are annotated, related rows joined)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from zhucun import scoping

from .models import Cadre, PartySecretaryAppointment, Region, Team

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


def home_summary(*, user: User | AnonymousUser) -> dict[str, Any]:
    """The numbers on the home page: teams, cadres by status, villages, within the user's scope."""
    teams = scoping.restrict(Team.objects.all(), user)
    cadres = scoping.restrict(Cadre.objects.all(), user)
    by_status = dict(cadres.values_list("status").annotate(n=Count("id")).order_by())
    return {
        "teams": teams.count(),
        "cadres_active": by_status.get(Cadre.Status.ACTIVE, 0),
        "cadres_total": sum(by_status.values()),
        "first_secretaries": cadres.filter(
            status=Cadre.Status.ACTIVE, role__in=[Cadre.Role.FIRST_SECRETARY, Cadre.Role.FIRST_SECRETARY_LEADER]
        ).count(),
    }


def _count_under(model: type[Team] | type[Cadre], path: str, user: User | AnonymousUser) -> Coalesce:
    """A correlated count of the user's visible rows of ``model`` under the outer region's code."""
    rows = scoping.restrict(model.objects.all(), user).filter(**{f"{path}__startswith": OuterRef("code")})
    if model is Cadre:
        rows = rows.filter(status=Cadre.Status.ACTIVE)
    counted = rows.order_by().annotate(g=Value(1)).values("g").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def region_children(*, user: User | AnonymousUser, region: Region) -> QuerySet[Region]:
    """The visible children of ``region`` with their team and active-cadre counts, for drill-down."""
    return (
        scoping.restrict(Region.objects.filter(parent=region), user)
        .annotate(
            team_count=_count_under(Team, "village__code", user),
            cadre_count=_count_under(Cadre, "team__village__code", user),
        )
        .order_by("code")
    )


#: The code of the whole country in region-code terms: the empty prefix, under which every province lies.
NATION_CODE = ""


def county_codes() -> list[str]:
    """The counties the nightly jobs fan out over, one task each (attendance, duties, funding; decision
    0050): every county with regions below it, so every village with a team lies in one of them."""
    return list(
        Region.objects.filter(level=Region.Level.COUNTY, children__isnull=False)
        .distinct()
        .values_list("code", flat=True)
    )


def nation() -> Region:
    """The country as a region of its own (never saved): the root above the provinces, for the national
    dashboard (issue 16 item 1) of a deployment with several provinces. Its code is the empty prefix."""
    return Region(code=NATION_CODE, name="全国", level="nation")


def region_chain(region: Region) -> list[Region]:
    """The region and its ancestors, province first, in one query (breadcrumbs)."""
    codes = [*Region.ancestor_codes(region.code), region.code]
    by_code = {r.code: r for r in Region.objects.filter(code__in=codes)}
    return [by_code[code] for code in codes if code in by_code]


ROLE_ORDER = Case(
    When(role=Cadre.Role.FIRST_SECRETARY_LEADER, then=Value(0)),
    When(role=Cadre.Role.LEADER, then=Value(1)),
    When(role=Cadre.Role.FIRST_SECRETARY, then=Value(2)),
    default=Value(3),
)


def team_members(*, team: Team) -> QuerySet[Cadre]:
    """The team's cadres, leaders first."""
    return team.cadres.select_related("unit").order_by(ROLE_ORDER, "name")


def user_home_region(user: User | AnonymousUser) -> Region | None:
    """Where a user's region tree starts: their own region, or the province for everyone else."""
    from accounts.models import User

    if isinstance(user, User) and user.region_id:
        return user.region
    scope = scoping.scope_of(user)
    visible = scoping.restrict(Region.objects.filter(level=Region.Level.PROVINCE), user)
    return visible.first() if not scope.is_empty else None


# --- 第十八条: party affairs ------------------------------------------------------------------------

#: the transfer filter of the township's list: ``pending`` is every cadre in post whose membership is not
#: yet received (nothing recorded, or recorded and not confirmed); a non-member has nothing pending
TRANSFER_FILTERS = {
    "pending": ("待转入（含未登记）", Q(party_transfer__isnull=True) | Q(party_transfer__status="pending")),
    "unrecorded": ("未登记", Q(party_transfer__isnull=True)),
    "recorded": ("已登记待确认", Q(party_transfer__status="pending")),
    "confirmed": ("已转入", Q(party_transfer__status="confirmed")),
    "not_member": ("非中共党员", Q(party_transfer__status="not_member")),
}


def party_transfer_rows(*, user: User | AnonymousUser, status: str = "", search: str = "") -> QuerySet[Cadre]:
    """第十八条: the cadres in post the user sees with their party membership transfer (joined: one query
    whatever the number of rows), those still pending first, by village."""
    rows = scoping.restrict(
        Cadre.objects.filter(status=Cadre.Status.ACTIVE).select_related(
            "team__village__parent", "unit", "party_transfer"
        ),
        user,
    )
    if status in TRANSFER_FILTERS:
        rows = rows.filter(TRANSFER_FILTERS[status][1])
    if search.strip():
        rows = rows.filter(name__icontains=search.strip())
    return rows.order_by("team__village_id", "role", "name", "pk")


def party_secretary_of_village(village_code: str) -> PartySecretaryAppointment | None:
    """The village's open appointment of its first secretary as party secretary (第十八条), or a
    proposal still collecting consents."""
    return (
        PartySecretaryAppointment.objects.filter(
            village_code=village_code, status__in=PartySecretaryAppointment.OPEN_STATUSES
        )
        .select_related("cadre")
        .first()
    )


def party_secretary_history(*, cadre: Cadre) -> QuerySet[PartySecretaryAppointment]:
    return PartySecretaryAppointment.objects.filter(cadre=cadre).order_by("-proposed_at", "-id")
