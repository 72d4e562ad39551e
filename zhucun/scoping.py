"""THE one place that decides who may see and do what (SPEC.md "Row-level permissions").

Every page, endpoint, export and job asks this module:

* ``scope_of(user)`` — the user's place in the org tree: the region prefixes they see (their own region
  plus live django-guardian region grants), their dispatching unit, or their own cadre record;
* ``restrict(queryset, user)`` — the rows of a scoped model the user may see. Out of scope is then a
  404 by construction, because single objects are fetched through the restricted queryset;
* ``can(user, action)`` / ``require(user, action)`` — whether the role may perform an action on
  something already in scope; ``require`` raises PermissionDenied (403).

Scope is a rule computed from the tree, never per-row permission records: every scoped table carries a
code of the region tree (a village or region code) and is filtered by prefix, so the cost does not grow
with the number of rows or users. How each model reaches the tree is declared once, in ``SCOPE_KEYS``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.roles import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser

_Q = TypeVar("_Q", bound=QuerySet[Any])

NOTHING = Q(pk__in=[])


@dataclasses.dataclass(frozen=True)
class Scope:
    """What a user sees. ``everything`` for the province; otherwise any of the three axes."""

    role: str
    everything: bool = False
    region_prefixes: tuple[str, ...] = ()
    unit_id: int | None = None
    cadre_id: int | None = None
    cadre_team_id: int | None = None
    cadre_unit_id: int | None = None
    #: The models (labels) this scope applies to; None: all. The administrators (三员) see their own
    #: tables in their region and nothing of the cadres' data (decision 0048).
    models: frozenset[str] | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.everything or self.region_prefixes or self.unit_id or self.cadre_id)


EMPTY_SCOPE = Scope(role="")


def scope_of(user: AnyUser) -> Scope:
    """The user's scope, computed once per user object (a request) and cached on it."""
    cached = getattr(user, "_zhucun_scope", None)
    if cached is not None:
        return cached
    scope = _compute_scope(user)
    if user.is_authenticated:
        user._zhucun_scope = scope  # type: ignore[attr-defined]
    return scope


#: What each administrator's scope covers (三员分立, decision 0048): the security administrator the
#: accounts and region grants of its region, the audit administrator the audit trail of its region,
#: the system administrator only the delivery records of the channels (it runs the system: policy
#: versions, jobs, whether messages reach people — decision 0152).
ADMIN_MODELS: dict[str, frozenset[str]] = {
    Role.SECURITY_ADMIN: frozenset({"accounts.User", "accounts.RegionGrant"}),
    Role.AUDIT_ADMIN: frozenset({"zhucun.AuditEvent"}),
    # the channels' delivery records, to see that messages reach people (decision 0152)
    Role.SYSTEM_ADMIN: frozenset({"zhucun.Delivery"}),
}


def _compute_scope(anyone: AnyUser) -> Scope:
    from django.conf import settings

    from accounts.models import RegionGrant, Role, User

    if not anyone.is_authenticated or not getattr(anyone, "is_active", False):
        return EMPTY_SCOPE
    user = cast(User, anyone)
    role = getattr(user, "role", "")
    if role == Role.PROVINCE_ORG:
        return Scope(role=role, everything=True)
    if role in (Role.CITY_ORG, Role.COUNTY_ORG, Role.TOWNSHIP):
        today = timezone.localdate()
        granted = RegionGrant.objects.filter(user=user, permission__codename="inspect_region").filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=today)
        )
        prefixes = (str(user.region_id), *sorted(granted.values_list("content_object_id", flat=True)))
        return Scope(role=role, region_prefixes=tuple(dict.fromkeys(prefixes)))
    if role in ADMIN_MODELS:
        region = str(user.region_id or "")
        if not region:
            return EMPTY_SCOPE
        everything = region == str(settings.ZHUCUN_PROVINCE_CODE)
        prefixes = () if everything else (region,)
        return Scope(role=role, everything=everything, region_prefixes=prefixes, models=ADMIN_MODELS[role])
    if role == Role.UNIT:
        return Scope(role=role, unit_id=user.unit_id)
    if role == Role.CADRE:
        cadre = user.cadre
        if cadre is None:
            return EMPTY_SCOPE
        return Scope(role=role, cadre_id=cadre.pk, cadre_team_id=cadre.team_id, cadre_unit_id=cadre.unit_id)
    return EMPTY_SCOPE


# --- How each scoped model reaches the org tree -------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ScopeKeys:
    """Three functions returning the Q of rows within a region prefix, a unit, and a cadre's reach."""

    region: Callable[[str], Q]
    unit: Callable[[int], Q] = lambda unit_id: NOTHING
    cadre: Callable[[Scope], Q] = lambda scope: NOTHING


def _region_keys() -> ScopeKeys:
    from cadres.models import Region, Team

    def region(prefix: str) -> Q:
        # A region's users see their subtree and the chain above it (breadcrumbs), never siblings.
        return Q(code__startswith=prefix) | Q(code__in=Region.ancestor_codes(prefix))

    def unit(unit_id: int) -> Q:
        return Q(Exists(Team.objects.filter(Q(unit_id=unit_id), village__code__startswith=OuterRef("code"))))

    def cadre(scope: Scope) -> Q:
        return Q(Exists(Team.objects.filter(id=scope.cadre_team_id or 0, village__code__startswith=OuterRef("code"))))

    return ScopeKeys(region=region, unit=unit, cadre=cadre)


def _unit_keys() -> ScopeKeys:
    from cadres.models import Cadre, Team

    return ScopeKeys(
        region=lambda p: (
            Q(region__code__startswith=p)
            | Q(Exists(Cadre.objects.filter(unit_id=OuterRef("pk"), team__village__code__startswith=p)))
        ),
        unit=lambda u: Q(pk=u),
        cadre=lambda s: (
            Q(pk=s.cadre_unit_id) | Q(pk__in=Team.objects.filter(id=s.cadre_team_id or 0).values("unit_id"))
        ),
    )


def _team_keys() -> ScopeKeys:
    from cadres.models import Cadre

    return ScopeKeys(
        region=lambda p: Q(village__code__startswith=p),
        # A unit sees the teams it leads and the mixed teams its cadres serve in (第十六条).
        unit=lambda u: Q(unit_id=u) | Q(Exists(Cadre.objects.filter(team_id=OuterRef("pk"), unit_id=u))),
        cadre=lambda s: Q(pk=s.cadre_team_id),
    )


def _cadre_keys() -> ScopeKeys:
    return ScopeKeys(
        region=lambda p: Q(team__village__code__startswith=p),
        unit=lambda u: Q(unit_id=u),
        cadre=lambda s: Q(team_id=s.cadre_team_id),
    )


def _user_keys() -> ScopeKeys:
    return ScopeKeys(
        region=lambda p: (
            Q(region__code__startswith=p)
            | Q(cadre__team__village__code__startswith=p)
            | Q(unit__region__code__startswith=p)
        ),
        unit=lambda u: Q(unit_id=u) | Q(cadre__unit_id=u),
        cadre=lambda s: Q(cadre_id=s.cadre_id),
    )


def _prefixed(keys: ScopeKeys, prefix: str) -> ScopeKeys:
    """``keys`` of a related model, reached through ``prefix`` (``recipient__``)."""

    def lookup(child: Any) -> Any:
        return through(child) if isinstance(child, Q) else (prefix + child[0], child[1])

    def through(q: Q) -> Q:
        q = q.copy()
        q.children = [lookup(child) for child in q.children]
        return q

    return ScopeKeys(
        region=lambda p: through(keys.region(p)),
        unit=lambda u: through(keys.unit(u)),
        cadre=lambda s: through(keys.cadre(s)),
    )


def village_keyed(cadre_path: str = "cadre", village_field: str = "village_code") -> Callable[[], ScopeKeys]:
    """Keys of a table that carries the village code it is filtered by and (optionally) the cadre it
    is about: the region sees it by prefix, the unit sees its own cadres' rows, a cadre their own."""

    def keys() -> ScopeKeys:
        return ScopeKeys(
            region=lambda p: Q(**{f"{village_field}__startswith": p}),
            unit=lambda u: Q(**{f"{cadre_path}__unit_id": u}) if cadre_path else NOTHING,
            cadre=lambda s: Q(**{f"{cadre_path}_id": s.cadre_id}) if cadre_path else NOTHING,
        )

    return keys


def county_keyed() -> ScopeKeys:
    """Keys of a per-county counter: by the county code's prefix only (the rows count people, they
    are no one's own rows)."""
    return ScopeKeys(region=lambda p: Q(county_code__startswith=p))


def _audit_keys() -> ScopeKeys:
    return ScopeKeys(region=lambda p: Q(region_code__startswith=p))


def _grant_keys() -> ScopeKeys:
    # A grant lends a region: it is within the scope of whoever administers that region.
    return ScopeKeys(region=lambda p: Q(content_object__code__startswith=p))


#: Every scoped model, by label. ``restrict`` refuses a model that is not listed here.
SCOPE_KEYS: dict[str, Callable[[], ScopeKeys]] = {
    "cadres.Region": _region_keys,
    "cadres.Unit": _unit_keys,
    "cadres.Team": _team_keys,
    "cadres.Cadre": _cadre_keys,
    "accounts.User": _user_keys,
    "zhucun.AuditEvent": _audit_keys,
    "accounts.RegionGrant": _grant_keys,
    # A delivery is in the scope of whoever's scope holds its recipient's account (decision 0152).
    "zhucun.Delivery": lambda: _prefixed(_user_keys(), "recipient__"),
    # --- attendance (issue 3) ---
    "attendance.SignIn": village_keyed(),
    "attendance.SignInMonth": village_keyed(),
    # per-county counters (decision 0180): a region sees its counties' rows; a unit or a cadre none
    "attendance.CountyDay": county_keyed,
    "attendance.CountyMonthDays": county_keyed,
    "cadres.CountyTally": county_keyed,
    "attendance.Whereabouts": village_keyed(),
    "attendance.AbsenceFinding": village_keyed(),
    "attendance.WorkLog": village_keyed(cadre_path="author"),
    "attendance.CoverageAlert": village_keyed(cadre_path=""),
    # --- leave (issue 4) ---
    # A cadre sees their own requests, and a 队长 those routed to them (第十九条2); units their cadres'.
    "leave.LeaveRequest": lambda: ScopeKeys(
        region=lambda p: Q(village_code__startswith=p),
        unit=lambda u: Q(unit_id=u),
        cadre=lambda s: Q(cadre_id=s.cadre_id) | Q(team_leader_id=s.cadre_id),
    ),
    "leave.OfficialBusiness": village_keyed(),
    # --- assessment and recall (issue 5) ---
    "assessment.AssessmentRound": lambda: ScopeKeys(region=lambda p: Q(region_code__startswith=p)),
    "assessment.AssessmentResult": lambda: ScopeKeys(
        region=lambda p: Q(region_code__startswith=p),
        unit=lambda u: Q(unit_id=u),
        cadre=lambda s: Q(cadre_id=s.cadre_id) | Q(subject_type="team", team_id=s.cadre_team_id),
    ),
    "assessment.CountyEvaluationOpinion": lambda: ScopeKeys(
        region=lambda p: Q(county_code__startswith=p), unit=lambda u: Q(unit_id=u)
    ),
    # 第二十五条: a team's opinions by its village; a unit reads those on itself, the team's cadres their team's
    "assessment.SupportOpinion": lambda: ScopeKeys(
        region=lambda p: Q(village_code__startswith=p),
        unit=lambda u: Q(unit_id=u),
        cadre=lambda s: Q(team_id=s.cadre_team_id or 0),
    ),
    "assessment.RecallCase": village_keyed(),
    "assessment.Sanction": village_keyed(),
    "assessment.KeyTrainingEntry": village_keyed(),
    "assessment.AccountabilityRecord": lambda: ScopeKeys(
        region=lambda p: Q(region_code__startswith=p),
        unit=lambda u: Q(unit_id=u),
        cadre=lambda s: Q(cadre_id=s.cadre_id),
    ),
    # --- the term (issue 12, 第三条): the unit's application, seen where the cadre serves ---
    "cadres.TermAdjustment": lambda: ScopeKeys(
        region=lambda p: Q(village_code__startswith=p),
        unit=lambda u: Q(unit_id=u),
        cadre=lambda s: Q(cadre_id=s.cadre_id),
    ),
    # --- party affairs (issue 14, 第十八条): the cadre's village; the unit its cadres', a cadre their own ---
    "cadres.PartyTransfer": village_keyed(),
    "cadres.PartySecretaryAppointment": village_keyed(),
    # --- team funds (issue 12): accounts, entries and batches carry the team's village code ---
    "funding.FundAccount": lambda: _team_funds_keys("team"),
    "funding.LedgerEntry": lambda: _team_funds_keys("account__team"),
    "funding.CategorySpend": lambda: _team_funds_keys("account__team"),
    "funding.Receipt": lambda: _team_funds_keys("entry__account__team"),
    "funding.Reimbursement": lambda: _team_funds_keys("team"),
    "funding.OverdueFlag": lambda: _team_funds_keys("team"),
    "funding.InsurancePolicy": village_keyed(),
    # --- the duties calendar (issue 13): the body's region (a unit's: its department's region), by
    # prefix; a unit sees its own obligations; cadres have none ---
    "duties.Obligation": lambda: ScopeKeys(region=lambda p: Q(region_code__startswith=p), unit=lambda u: Q(unit_id=u)),
    "duties.Evidence": lambda: ScopeKeys(
        region=lambda p: Q(region_code__startswith=p), unit=lambda u: Q(obligation__unit_id=u)
    ),
    "duties.Report": lambda: ScopeKeys(
        region=lambda p: Q(region_code__startswith=p), unit=lambda u: Q(obligation__unit_id=u)
    ),
    # --- supervision (issue 13): random presence checks carry the cadre's village code ---
    "supervision.PresenceCheck": village_keyed(),
    # the annual task list (第七条): seen like the team's funds — the stationing region, the dispatching
    # unit its teams', the team's own cadres their team's
    "supervision.AnnualTask": lambda: _team_funds_keys("team"),
    # inspections (第十三条2): a plan is seen by its organizing department and those above it, and — except a
    # 明查暗访, which is not announced — by the region inspected (so by inspectors lent it for a 交叉检查)
    "supervision.InspectionPlan": lambda: ScopeKeys(
        region=lambda p: Q(organizer_region__startswith=p) | (Q(scope_code__startswith=p) & ~Q(kind="visit"))
    ),
    "supervision.InspectionInspector": lambda: ScopeKeys(region=lambda p: Q(plan__organizer_region__startswith=p)),
    "supervision.InspectionResult": village_keyed(),
    # the burden guard (第八条, 第十一条): demands on a cadre and a unit's flags, by the cadre's village
    "supervision.Demand": village_keyed(),
    "supervision.UnitReturnFlag": lambda: ScopeKeys(
        region=lambda p: Q(village_code__startswith=p), unit=lambda u: Q(unit_id=u)
    ),
    # --- households and visits (issue 14, 第六条7–8): the village's households, seen by its team ---
    "households.Household": lambda: _village_team_keys(),
    "households.Visit": lambda: _village_team_keys(),
    "households.OverdueVisitFlag": lambda: _village_team_keys(),
    # --- training (issue 14): an event is seen by its organizer's subtree and wherever its cadres serve ---
    "training.TrainingEvent": lambda: _training_event_keys(),
    "training.TrainingAttendance": lambda: ScopeKeys(
        region=lambda p: Q(village_code__startswith=p) | Q(event__region_code__startswith=p),
        unit=lambda u: Q(cadre__unit_id=u),
        cadre=lambda s: Q(cadre_id=s.cadre_id),
    ),
}


def _village_team_keys() -> ScopeKeys:
    """Rows of a village (households, visits): the region by village code; the team stationed in the
    village (its cadres) and the units that dispatch its cadres (第九条 帮扶) see the village's rows."""
    from cadres.models import Team

    return ScopeKeys(
        region=lambda p: Q(village_code__startswith=p),
        unit=lambda u: Q(
            village_code__in=Team.objects.filter(Q(unit_id=u) | Q(cadres__unit_id=u)).values("village_id")
        ),
        cadre=lambda s: Q(village_code__in=Team.objects.filter(pk=s.cadre_team_id or 0).values("village_id")),
    )


def _training_event_keys() -> ScopeKeys:
    """An event: by its attendances (the foundation names the capability's model, never imports it:
    decision 0100)."""
    from django.apps import apps

    attendance = apps.get_model("training", "TrainingAttendance")

    def attended(**where: Any) -> Q:
        return Q(Exists(attendance.objects.filter(event_id=OuterRef("pk"), **where)))

    return ScopeKeys(
        region=lambda p: Q(region_code__startswith=p) | attended(village_code__startswith=p),
        unit=lambda u: attended(cadre__unit_id=u),
        cadre=lambda s: attended(cadre_id=s.cadre_id),
    )


def _team_funds_keys(team_path: str) -> ScopeKeys:
    """A team's funds: the stationing region by village code, the dispatching unit its teams' funds
    (第九条1 资金支持), the team's own cadres their team's ledger."""
    return ScopeKeys(
        region=lambda p: Q(village_code__startswith=p),
        unit=lambda u: Q(**{f"{team_path}__unit_id": u}),
        cadre=lambda s: Q(**{f"{team_path}_id": s.cadre_team_id or 0}),
    )


def scope_q(model_label: str, scope: Scope) -> Q | None:
    """The filter for ``scope`` on a model; None means no filter (the province sees everything)."""
    if scope.models is not None and model_label not in scope.models:
        return NOTHING
    if scope.everything:
        return None
    try:
        keys = SCOPE_KEYS[model_label]()
    except KeyError as exc:
        raise ImproperlyConfigured(f"{model_label} has no entry in zhucun.scoping.SCOPE_KEYS") from exc
    parts = [keys.region(prefix) for prefix in scope.region_prefixes]
    if scope.unit_id is not None:
        parts.append(keys.unit(scope.unit_id))
    if scope.cadre_id is not None:
        parts.append(keys.cadre(scope))
    if not parts:
        return NOTHING
    combined = parts[0]
    for part in parts[1:]:
        combined |= part
    return combined


def restrict(queryset: _Q, user: AnyUser) -> _Q:
    """The rows of ``queryset`` that ``user`` may see."""
    scope = scope_of(user)
    label = queryset.model._meta.label
    if scope.is_empty or (scope.models is not None and label not in scope.models):
        return queryset.none()
    condition = scope_q(label, scope)
    return queryset if condition is None else queryset.filter(condition)


def sees_nation(user: AnyUser) -> bool:
    """Whether the user may open the national view (the root above the provinces, issue 16): whoever
    sees every region — a province organization department, whose scope is the whole installation."""
    scope = scope_of(user)
    return scope.everything and scope.role == Role.PROVINCE_ORG


def region_in_scope(user: AnyUser, code: str) -> bool:
    """Whether a region code lies within the user's regional scope (own subtree or granted)."""
    scope = scope_of(user)
    return scope.everything or any(code.startswith(prefix) for prefix in scope.region_prefixes)


def units_managed_by(user: AnyUser) -> QuerySet[Any]:
    """Dispatching units whose organization department is the user's or below it (第十二条: 谁选派谁
    管理): the province manages all, including central units; a city its city and county units."""
    from cadres.models import Unit

    scope = scope_of(user)
    if scope.everything:
        return Unit.objects.all()
    condition = NOTHING
    for prefix in scope.region_prefixes[:1]:  # own region only: grants lend inspection, not management
        condition = Q(region__code__startswith=prefix)
    return Unit.objects.filter(condition)


def public_team(village_code: str) -> Any:
    """The team whose board is public (第七条 task list, 第十九条3 去向公示牌): any team, by its
    village code, for anyone — the public page shows names and whereabouts only."""
    from cadres.models import Team

    return Team.objects.select_related("village__parent__parent", "unit").filter(village_id=village_code).first()


def own_notifications(user: AnyUser) -> QuerySet[Any]:
    """Notifications are personal, not org-scoped: each user sees only their own, the province too."""
    from zhucun.models import Notification

    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient_id=user.pk)


# --- assessment and recall (issue 5) ---
# Who assesses what (第十二条 谁选派谁管理, 第二十一条): the organization department of the dispatching
# unit's level and region assesses and recalls its teams and cadres and assesses the unit itself
# (docs/decisions/0002-org-bodies.md, 0010-who-assesses.md). Central units (第三十一条) go with the province.

#: the assessing level of each organization role
DEPARTMENT_LEVEL_OF_ROLE: dict[str, str] = {
    Role.PROVINCE_ORG: "province",
    Role.CITY_ORG: "city",
    Role.COUNTY_ORG: "county",
}


def department_of(user: AnyUser) -> tuple[str, str] | None:
    """(level, region code) of the organization department the user belongs to, or None."""
    level = DEPARTMENT_LEVEL_OF_ROLE.get(getattr(user, "role", ""))
    region_id = getattr(user, "region_id", None)
    if not user.is_authenticated or level is None or not region_id:
        return None
    return level, str(region_id)


def assessing_department(unit: Any) -> tuple[str, str]:
    """(level, region code) of the organization department that assesses ``unit`` and its teams and
    cadres and decides their recall."""
    from django.conf import settings

    if unit.level in ("central", "province"):
        return "province", str(settings.ZHUCUN_PROVINCE_CODE)
    return str(unit.level), str(unit.region_id or "")


def is_assessing_department(user: AnyUser, unit: Any) -> bool:
    department = department_of(user)
    return department is not None and department == assessing_department(unit)


def assessed_units_q(level: str, region_code: str, prefix: str = "") -> Q:
    """The units (through ``prefix``, e.g. ``"unit__"``) whose assessing department is (level, region)."""
    if level == "province":
        return Q(**{f"{prefix}level__in": ["central", "province"]})
    return Q(**{f"{prefix}level": level, f"{prefix}region_id": region_code})


# --- What each role may do with what it sees ----------------------------------------------------

ORG_ROLES = frozenset({Role.PROVINCE_ORG, Role.CITY_ORG, Role.COUNTY_ORG})
REGIONAL_ROLES = ORG_ROLES | {Role.TOWNSHIP}

#: action → roles allowed to perform it on objects within their scope.
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    "account.view": ORG_ROLES | {Role.SECURITY_ADMIN},
    "account.create": ORG_ROLES | {Role.SECURITY_ADMIN},
    # --- account security (issue 10 items 2, 3, 12) ---
    "account.unlock": ORG_ROLES | {Role.SECURITY_ADMIN},
    "account.revoke_tokens": ORG_ROLES | {Role.SECURITY_ADMIN},
    "account.reset_password": ORG_ROLES | {Role.SECURITY_ADMIN},
    "account.deactivate": ORG_ROLES | {Role.SECURITY_ADMIN},
    "grant.manage": frozenset({Role.SECURITY_ADMIN}),  # 交叉检查 region grants (第十三条2)
    "system.operate": frozenset({Role.SYSTEM_ADMIN}),  # policy profile versions, jobs
    "delivery.view_status": frozenset({Role.SYSTEM_ADMIN}),  # the channels' health, no titles (0152)
    "roster.import": ORG_ROLES,
    "audit.view": ORG_ROLES | {Role.AUDIT_ADMIN},
    # 身份证号 are masked for everyone; the county office, which keeps the cadres' files, may reveal one
    # cadre's number and export the list with full numbers, each an audited action (decision 0062).
    "cadre.view_id_number": frozenset({Role.COUNTY_ORG}),
    "cadre.view_phone": REGIONAL_ROLES | {Role.UNIT},
    "region.browse": REGIONAL_ROLES,
    # The official holiday and 调休 table (zhucun/workcalendar): kept by the province, warned when missing.
    "calendar.manage": frozenset({Role.PROVINCE_ORG, Role.SYSTEM_ADMIN}),
    # --- leave (issue 4) ---
    "leave.request": frozenset({Role.CADRE}),  # 第十九条2: the cadre applies and reports back
    "leave.register": REGIONAL_ROLES | {Role.UNIT},  # the leave register (xlsx) of a region and period
    "leave.on_time": ORG_ROLES,  # the on-time rate per approving body: county and above
    # 第十三条4, 第十五条3: the bodies that call cadres to training and meetings record it (decision 0071)
    "leave.record_official_business": REGIONAL_ROLES,
    # --- attendance (issue 3) ---
    "attendance.view_dashboard": REGIONAL_ROLES,
    "attendance.record_finding": frozenset({Role.COUNTY_ORG, Role.TOWNSHIP}),
    "attendance.decide_finding": frozenset({Role.COUNTY_ORG, Role.TOWNSHIP}),
    "attendance.check_work_log": frozenset({Role.COUNTY_ORG, Role.TOWNSHIP}),
    "attendance.export": REGIONAL_ROLES,
    # --- assessment and recall (issue 5) ---
    "assessment.view": ORG_ROLES | {Role.UNIT},  # read grades (第二十二条: recorded in the personal file)
    "assessment.grade": ORG_ROLES,  # grade, finalize (and only for the assessing department)
    "assessment.export": REGIONAL_ROLES | {Role.UNIT},  # the in-scope workbook (a unit: its cadres, 第二十二条)
    "assessment.opinion": frozenset({Role.COUNTY_ORG}),  # 第十四条3
    # 第二十五条 双线考核: the team (its leader: assessment/rules.py) gives its opinions on the county and the
    # unit; the organization departments, the units and the team read them
    "assessment.support_opinion": frozenset({Role.CADRE}),
    "assessment.support_opinions": ORG_ROLES | {Role.UNIT, Role.CADRE},
    "assessment.accountability": ORG_ROLES,  # 第十七条
    "assessment.key_training": ORG_ROLES | {Role.UNIT},  # 第二十三条: 组织部门、派出单位党组
    "recall.view": REGIONAL_ROLES | {Role.UNIT},
    "recall.open": ORG_ROLES,
    "recall.consult": ORG_ROLES | {Role.UNIT},
    "recall.decide": ORG_ROLES,  # and only the assessing department (第二十条)
    # --- the term (issue 12, 第三条) ---
    "term.view": REGIONAL_ROLES | {Role.UNIT},
    "term.request": frozenset({Role.UNIT}),  # 派出单位须写出书面申请 (its own cadres: cadres/policies.py)
    "term.decide": ORG_ROLES,  # 同级党委组织部门审核批准 (the unit's level: cadres/policies.py)
    "term.dispatch": ORG_ROLES,  # a replacement joins the team, as a roster import would place them
    # --- party affairs (issue 14, 第十八条): who records, confirms, consents and appoints is decided in
    # cadres/policies.py (the unit its own cadres, the village's own township, the first secretary) ---
    "party.view": REGIONAL_ROLES | {Role.UNIT, Role.CADRE},
    "party.transfers": REGIONAL_ROLES | {Role.UNIT},  # the list of cadres in post and their transfers
    "party.transfer_record": frozenset({Role.UNIT, Role.TOWNSHIP}),
    "party.transfer_confirm": frozenset({Role.TOWNSHIP}),
    "party.secretary_decide": frozenset({Role.TOWNSHIP}),  # propose, appoint, end
    "party.secretary_consent": frozenset({Role.UNIT, Role.CADRE}),
    # --- team funds (issue 12; 第十四条4, 第二十七条) ---
    "funds.view": REGIONAL_ROLES | {Role.UNIT, Role.CADRE},
    "funds.overview": REGIONAL_ROLES,  # the overview one level down
    # book allocations, reversals and reimbursements, name the responsible person: the county that
    # keeps the account (funding/policies.py checks it is the team's own county)
    "funds.keep": frozenset({Role.COUNTY_ORG}),
    "funds.expense": frozenset({Role.COUNTY_ORG, Role.CADRE}),  # and for a cadre only the team's leader
    "funds.export": REGIONAL_ROLES | {Role.UNIT},
    # 第二十八条: the register is read by whoever manages cadres; organization departments and the
    # cadre's own unit record policies (funding/services.py checks the unit's own cadres)
    "insurance.register": REGIONAL_ROLES | {Role.UNIT},  # the register page and its export
    "insurance.view": REGIONAL_ROLES | {Role.UNIT, Role.CADRE},  # a policy (a cadre: their own)
    "insurance.manage": ORG_ROLES | {Role.UNIT},
    # --- the duties calendar (issue 13; 第九条, 第十条, 第十三条–第十五条) ---
    "duties.view": REGIONAL_ROLES | {Role.UNIT},  # one's own calendar, and what is in scope
    # only the body itself fulfils (duties/catalogue.py ``is_body``): checked after this role check
    "duties.fulfil": REGIONAL_ROLES | {Role.UNIT},
    # the compliance view: an organization department its units and lower departments, a county its
    # townships (第十二条, 第十三条); with its audited xlsx
    "duties.compliance": ORG_ROLES,
    # --- supervision (issue 13) ---
    # 第十三条3 随机抽查: the township and the county (their daily management, 第十五条1) ask a cadre to
    # confirm presence; organization departments above follow the checks; the cadre answers their own.
    "presence.issue": frozenset({Role.COUNTY_ORG, Role.TOWNSHIP}),
    "presence.follow": REGIONAL_ROLES,  # the page of checks and its export
    "presence.view": REGIONAL_ROLES | {Role.CADRE},  # a check (a cadre: their own)
    "presence.answer": frozenset({Role.CADRE}),
    # 第七条 年度帮扶任务清单: 规定内容 set by the county (its own county's teams), 自选内容 by the unit or the
    # team's leader (supervision/rules.py decides which team); everyone who sees the team reads its list
    "tasks.view": REGIONAL_ROLES | {Role.UNIT, Role.CADRE},
    "tasks.overview": REGIONAL_ROLES | {Role.UNIT},  # the list of every team's tasks and its export
    "tasks.set_required": frozenset({Role.COUNTY_ORG}),
    "tasks.set_optional": frozenset({Role.UNIT, Role.CADRE}),
    "tasks.update": frozenset({Role.COUNTY_ORG, Role.UNIT, Role.CADRE}),
    # 第十三条2 明查暗访、交叉检查、集中督导: organization departments plan inspections and name inspectors
    # (lending them the region for a 交叉检查); the organizer's staff and the inspectors (township accounts
    # too) record results (supervision/rules.py: of which plan)
    "inspection.view": REGIONAL_ROLES,
    "inspection.plan": ORG_ROLES,
    "inspection.grant": ORG_ROLES,
    "inspection.record": REGIONAL_ROLES,
    # 第八条: whoever places a demand on cadres records it, a cadre reports their own; the county and the
    # departments above read the monthly counts per cadre and per body (never a ranking of cadres) and
    # 第十一条's flags of units whose cadres are called back
    "burden.record": REGIONAL_ROLES | {Role.UNIT, Role.CADRE},
    "burden.view": ORG_ROLES,
    # --- households and visits (issue 14, 第六条7–8) ---
    "household.view": REGIONAL_ROLES | {"unit", "cadre"},
    # API.md: the township or the county registers and imports a village's households
    "household.register": frozenset({"county_org", "township"}),
    "household.visit": frozenset({"cadre"}),  # and only a cadre in post of the village's team (rules)
    "household.overview": REGIONAL_ROLES,  # due and overdue households, coverage by month
    # --- training (issue 14; 第十三条4, 第十五条3) ---
    "training.view": REGIONAL_ROLES | {"unit", "cadre"},
    # departments hold rotation training and observation, townships their training (training/rules.py)
    "training.organize": REGIONAL_ROLES,
    "training.untrained": ORG_ROLES,  # 每年至少对驻村干部轮训1次: the department's cadres not yet trained
    # --- the file (issue 14, 第十五条2 统一规范管理档案; decision 0132): kept by the township, read by the
    # departments that manage the cadre and by the dispatching unit (第二十二条 记入个人档案); a cadre's
    # own data is on their own pages, and a team-mate's grades and sanctions are not theirs to read ---
    "archive.view": REGIONAL_ROLES | {Role.UNIT},
}


def can(user: AnyUser, action: str) -> bool:
    if action not in ROLE_ACTIONS:
        raise ImproperlyConfigured(f"unknown action {action!r}")
    return user.is_authenticated and scope_of(user).role in ROLE_ACTIONS[action]


def require(user: AnyUser, action: str) -> None:
    """403 unless the user's role may perform ``action`` (its object is already known to be in scope)."""
    if not can(user, action):
        raise PermissionDenied("您的角色无权进行此操作。")
