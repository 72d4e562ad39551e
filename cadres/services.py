"""Writes to the organization model. Each service is atomic and records its audit events."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections import defaultdict
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from zhucun import scoping
from zhucun.api.errors import Conflict
from zhucun.audit import audit_event, audit_record, audit_record_many, snapshot, update_audited
from zhucun.documents import document_clean
from zhucun.models import AuditEvent
from zhucun.notifications import Message, notify, notify_many
from zhucun.spreadsheets import RowError

from . import policies
from .idnumbers import mask_id_number
from .models import (
    Cadre,
    Handover,
    PartySecretaryAppointment,
    PartyTransfer,
    Region,
    Team,
    TermAdjustment,
    TermReminder,
    Unit,
)
from .policies import term_end_for
from .roster import RosterError, RosterRow, roster_parse


@dataclasses.dataclass(frozen=True)
class RosterImportResult:
    """Counts of objects created or updated (API.md); all zero when re-importing the same file."""

    teams: int = 0
    cadres: int = 0
    villages: int = 0
    units: int = 0

    def as_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)


_LEVEL_NAMES = {
    Region.Level.CITY: ("市", "市级"),
    Region.Level.COUNTY: ("县", "县级"),
    Region.Level.TOWNSHIP: ("乡镇", "乡镇级"),
    Region.Level.VILLAGE: ("村", "村级"),
}


def _check_rows(*, actor: User, rows: list[RosterRow], regions: dict[str, Region]) -> list[RowError]:
    """Checks that need the other rows or the database. Returns every problem found."""
    errors: list[RowError] = []
    names_seen: dict[str, tuple[str, int]] = {}
    ids_seen: dict[str, int] = {}
    for row in rows:
        if not scoping.region_in_scope(actor, row.village_code):
            errors.append(RowError(row.row, "村代码", f"村代码 {row.village_code} 不在您的管辖范围内"))
            continue
        for level, (column, label) in _LEVEL_NAMES.items():
            code = Region.prefix_of(row.village_code, level)
            name = row.region_names[level]
            existing = regions.get(code)
            if existing is not None and existing.name != name:
                errors.append(
                    RowError(
                        row.row,
                        column,
                        f"村代码 {row.village_code} 的{label}代码 {code} 在系统中是「{existing.name}」，"
                        f"与本行所填「{name}」不一致，请核对村代码或名称",
                    )
                )
            elif code in names_seen and names_seen[code][0] != name:
                errors.append(
                    RowError(
                        row.row,
                        column,
                        f"{label}代码 {code} 在第 {names_seen[code][1]} 行写作「{names_seen[code][0]}」，"
                        f"本行写作「{name}」，同一代码的名称必须一致",
                    )
                )
            else:
                names_seen.setdefault(code, (name, row.row))
        if row.id_number in ids_seen:
            errors.append(
                RowError(row.row, "身份证号", f"身份证号与第 {ids_seen[row.id_number]} 行重复，同一人只能填一行")
            )
        else:
            ids_seen[row.id_number] = row.row
    return errors


_LEADER_ROLES = frozenset(Cadre.LEADER_ROLES)
_FIRST_SECRETARY_ROLES = frozenset({Cadre.Role.FIRST_SECRETARY, Cadre.Role.FIRST_SECRETARY_LEADER})
#: post title → the roles that hold it; a team has at most one holder of each.
_SINGLE_POSTS = (("队长", _LEADER_ROLES), ("第一书记", _FIRST_SECRETARY_ROLES))


def _check_teams(*, rows: list[RosterRow], teams: dict[str, Team], cadres: dict[str, Cadre]) -> list[RowError]:
    """One team per village with exactly one leader (队长 or 第一书记兼队长) and at most one 第一书记,
    counting the active cadres already in the team that this file does not move."""
    errors: list[RowError] = []
    by_village: dict[str, list[RosterRow]] = defaultdict(list)
    for row in rows:
        by_village[row.village_code].append(row)
    in_file = {row.id_number for row in rows}
    staying: dict[str, list[Cadre]] = defaultdict(list)
    for cadre in cadres.values():
        if cadre.id_number not in in_file and cadre.status == Cadre.Status.ACTIVE:
            staying[cadre.team.village_id].append(cadre)
    for village_code, village_rows in by_village.items():
        for title, roles in _SINGLE_POSTS:
            holders = [row for row in village_rows if row.role in roles]
            for extra in holders[1:]:
                errors.append(
                    RowError(
                        extra.row,
                        "职务",
                        f"村「{extra.village}」已有{title}（第 {holders[0].row} 行），一个工作队只能有一名{title}",
                    )
                )
            already = [cadre for cadre in staying[village_code] if cadre.role in roles]
            if holders and already:
                errors.append(
                    RowError(
                        holders[0].row,
                        "职务",
                        f"村「{holders[0].village}」的工作队在系统中已有{title}「{already[0].name}」，"
                        f"请先调整原{title}或在本文件中一并填写",
                    )
                )
        if village_code not in teams and not any(row.is_leader for row in village_rows):
            errors.append(
                RowError(
                    village_rows[0].row,
                    "职务",
                    f"村「{village_rows[0].village}」是新建工作队，文件中没有队长（或第一书记兼队长），"
                    "工作队的派出单位取自队长",
                )
            )
    return errors


def _chunks(items: list[str], size: int = 5000) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _load_regions(codes: set[str]) -> dict[str, Region]:
    found: dict[str, Region] = {}
    for chunk in _chunks(sorted(codes)):
        found.update({region.code: region for region in Region.objects.filter(code__in=chunk)})
    return found


@transaction.atomic
def roster_import(*, actor: User, upload: IO[bytes]) -> RosterImportResult:
    """Import a roster (API.md "Roster import"): every row valid or nothing written; re-importing the
    same file changes nothing. Raises RosterError listing every bad row."""
    scoping.require(actor, "roster.import")
    rows, read_errors = roster_parse(upload)
    codes = {code for row in rows for code in Region.lineage_codes(row.village_code)}
    regions = _load_regions(codes)
    errors = read_errors + _check_rows(actor=actor, rows=rows, regions=regions)
    village_codes = sorted({row.village_code for row in rows})
    teams = {
        team.village_id: team for team in Team.objects.select_related("village").filter(village_id__in=village_codes)
    }
    members = {
        cadre.id_number: cadre
        for cadre in Cadre.objects.select_related("team__village", "unit").filter(team__village_id__in=village_codes)
    }
    existing = _existing_cadres(rows=rows, members=members)
    errors += _check_existing(actor=actor, rows=rows, existing=existing)
    if not read_errors:  # a team's composition can only be judged with every one of its rows
        errors += _check_teams(rows=rows, teams=teams, cadres=members)
    if rows and settings.ZHUCUN_PROVINCE_CODE not in regions:
        errors.insert(0, RowError(0, "", "系统中尚未建立本省区划，请联系管理员运行数据库迁移。"))
    if errors:
        raise RosterError(sorted(errors, key=lambda e: (e.row, e.column)))
    return _write(actor=actor, rows=rows, regions=regions, teams=teams, members=members, existing=existing)


def _existing_cadres(*, rows: list[RosterRow], members: dict[str, Cadre]) -> dict[str, Cadre]:
    """The file's cadres already in the system, by ID number: those of the file's villages are loaded
    already, the others are looked up in chunks."""
    existing = {row.id_number: members[row.id_number] for row in rows if row.id_number in members}
    elsewhere = [row.id_number for row in rows if row.id_number not in existing]
    for chunk in _chunks(elsewhere):
        existing.update(
            (c.id_number, c) for c in Cadre.objects.select_related("team__village", "unit").filter(id_number__in=chunk)
        )
    return existing


def _check_existing(*, actor: User, rows: list[RosterRow], existing: dict[str, Cadre]) -> list[RowError]:
    """第三条: a cadre's post changes only by a term adjustment, never by a roster import. A row may
    update a cadre's particulars in the same team, unit and term; it may not move the cadre to another
    team or unit, restart the term, touch a cadre outside the importer's scope, or place again a cadre
    who was recalled, adjusted or whose term ended (re-importing the same file still changes nothing)."""
    if not existing:
        return []
    visible = set(
        scoping.restrict(Cadre.objects.filter(pk__in=[c.pk for c in existing.values()]), actor).values_list(
            "pk", flat=True
        )
    )
    adjust = "如确需调整，请由派出单位提出任期调整申请（第三条）"
    errors: list[RowError] = []
    for row in rows:
        cadre = existing.get(row.id_number)
        if cadre is None:
            continue
        if cadre.pk not in visible:
            errors.append(
                RowError(row.row, "身份证号", f"该干部已登记在您管辖范围以外的工作队，不能通过导入修改；{adjust}")
            )
            continue
        if cadre.team.village_id != row.village_code:
            errors.append(
                RowError(
                    row.row,
                    "村代码",
                    f"该干部现在「{cadre.team.village.name}」工作队，导入不能把干部调到其他工作队；{adjust}",
                )
            )
        if (cadre.unit.level, cadre.unit.region_id, cadre.unit.name) != row.unit_key():
            errors.append(
                RowError(
                    row.row, "派出单位", f"该干部的派出单位是「{cadre.unit.name}」，导入不能更换派出单位；{adjust}"
                )
            )
        if cadre.term_start != row.term_start:
            errors.append(
                RowError(
                    row.row,
                    "驻村开始日期",
                    f"该干部的驻村开始日期是 {cadre.term_start:%Y-%m-%d}，导入不能重新起算任期；{adjust}",
                )
            )
        if cadre.status != Cadre.Status.ACTIVE and (cadre.name, cadre.phone, cadre.role) != (
            row.name,
            row.phone,
            row.role,
        ):
            errors.append(
                RowError(
                    row.row,
                    "身份证号",
                    f"该干部的状态是「{cadre.get_status_display()}」，导入不能重新派驻或修改；如需重新选派，请由派出单位办理",
                )
            )
    return errors


def _changed_fields(obj: Any, before: dict[str, Any], fields: list[str]) -> tuple[str, ...]:
    """The names among ``fields`` whose value differs from the ``before`` snapshot of ``obj``."""
    after = snapshot(obj, fields)
    attnames = [obj._meta.get_field(name).attname for name in fields]
    return tuple(name for name, attname in zip(fields, attnames, strict=True) if after[attname] != before[attname])


def _bulk_update(model: Any, changes: dict[tuple[str, ...], list[Any]]) -> None:
    """``bulk_update`` each group of objects on the fields that changed in it: its cost grows with objects
    times fields (a CASE per field), so a file that changes phone numbers updates the phone only."""
    for fields, objs in changes.items():
        if fields:
            model.objects.bulk_update(objs, list(fields), batch_size=1000)


def _write(
    *,
    actor: User,
    rows: list[RosterRow],
    regions: dict[str, Region],
    teams: dict[str, Team],
    members: dict[str, Cadre],
    existing: dict[str, Cadre],
) -> RosterImportResult:
    events: list[AuditEvent] = []

    # Regions: create missing ones parents first; update a village's location when it changed.
    new_regions: list[Region] = []
    new_codes: set[str] = set()
    changed_villages: list[Region] = []
    village_changes: dict[tuple[str, ...], list[Region]] = defaultdict(list)
    location = ["latitude", "longitude", "is_poor_village", "geofence_radius_m"]
    for row in rows:
        names = row.region_names
        for parent_code, code in itertools.pairwise(Region.lineage_codes(row.village_code)):
            if code in regions:
                continue
            level = Region.level_for_code(code)
            assert level is not None
            region = Region(code=code, name=names[level], level=str(level), parent_id=parent_code)
            regions[code] = region
            new_regions.append(region)
            new_codes.add(code)
        village = regions[row.village_code]
        if village.latitude != row.latitude or village.longitude != row.longitude or not village.is_poor_village:
            before = snapshot(village) if village.code not in new_codes else None
            village.latitude, village.longitude, village.is_poor_village = row.latitude, row.longitude, True
            village.geofence_radius_m = village.geofence_radius_m or 1000
            if before is not None:
                changed_villages.append(village)
                village_changes[_changed_fields(village, before, location)].append(village)
                events.append(_event(actor, "region.update", village, before, village.code))
    Region.objects.bulk_create(sorted(new_regions, key=lambda r: len(r.code)), batch_size=1000)
    _bulk_update(Region, village_changes)
    events += [_event(actor, "region.create", region, None, region.code) for region in new_regions]

    # Units by (level, region, name).
    unit_keys = {row.unit_key() for row in rows}
    units: dict[tuple[str, str | None, str], Unit] = {}
    for unit in Unit.objects.filter(name__in={key[2] for key in unit_keys}):
        units[(unit.level, unit.region_id, unit.name)] = unit
    new_units = [
        Unit(level=lvl, region_id=reg, name=name) for (lvl, reg, name) in unit_keys if (lvl, reg, name) not in units
    ]
    Unit.objects.bulk_create(new_units, batch_size=1000)
    for unit in new_units:
        units[(unit.level, unit.region_id, unit.name)] = unit
        events.append(_event(actor, "unit.create", unit, None, unit.region_id or ""))

    # Teams: one per village, dispatched by the unit of its leader.
    leaders = {row.village_code: row for row in rows if row.is_leader}
    new_teams: list[Team] = []
    changed_teams: list[Team] = []
    for village_code in sorted({row.village_code for row in rows}):
        leader = leaders.get(village_code)
        team = teams.get(village_code)
        if team is None:
            assert leader is not None  # checked in _check_teams
            team = Team(village=regions[village_code], unit=units[leader.unit_key()])
            teams[village_code] = team
            new_teams.append(team)
        elif leader is not None and team.unit_id != units[leader.unit_key()].pk:
            before = snapshot(team)
            team.unit = units[leader.unit_key()]
            changed_teams.append(team)
            events.append(_event(actor, "team.update", team, before, village_code))
    Team.objects.bulk_create(new_teams, batch_size=1000)
    Team.objects.bulk_update(changed_teams, ["unit"], batch_size=1000)
    events += [_event(actor, "team.create", team, None, team.village_id) for team in new_teams]

    # Cadres by ID number (looked up before the checks, see ``_existing_cadres``).
    new_cadres: list[Cadre] = []
    changed_cadres: list[Cadre] = []
    cadre_changes: dict[tuple[str, ...], list[Cadre]] = defaultdict(list)
    fields = ["name", "gender", "phone", "unit", "team", "role", "term_start", "term_end"]
    for row in rows:
        values = {
            "name": row.name,
            "gender": row.gender,
            "phone": row.phone,
            "unit": units[row.unit_key()],
            "team": teams[row.village_code],
            "role": row.role,
            "term_start": row.term_start,
            "term_end": term_end_for(row.term_start),
        }
        cadre = existing.get(row.id_number)
        if cadre is None:
            new_cadres.append(Cadre(id_number=row.id_number, **values))
            continue
        if cadre.status != Cadre.Status.ACTIVE:
            continue  # a recalled, adjusted or expired cadre is never re-placed (checked: nothing differs)
        before = snapshot(cadre)
        for name, value in values.items():
            setattr(cadre, name, value)
        changed = _changed_fields(cadre, before, fields)
        if changed:
            changed_cadres.append(cadre)
            cadre_changes[changed].append(cadre)
            events.append(_event(actor, "cadre.update", cadre, before, row.village_code))
    Cadre.objects.bulk_create(new_cadres, batch_size=1000)
    _bulk_update(Cadre, cadre_changes)
    events += [_event(actor, "cadre.create", cadre, None, cadre.team.village_id) for cadre in new_cadres]

    audit_record_many(events)
    return RosterImportResult(
        teams=len(new_teams) + len(changed_teams),
        cadres=len(new_cadres) + len(changed_cadres),
        villages=len([r for r in new_regions if len(r.code) == 12]) + len(changed_villages),
        units=len(new_units),
    )


def _event(actor: User, action: str, obj: Any, before: dict[str, Any] | None, region_code: str) -> AuditEvent:
    after = snapshot(obj)
    if before is not None:
        after = {key: value for key, value in after.items() if before.get(key) != value}
        before = {key: before[key] for key in after}
    return audit_event(
        actor=actor, action=action, obj=obj, before=_masked(before), after=_masked(after), region_code=region_code
    )


def _masked(values: dict[str, Any] | None) -> dict[str, Any] | None:
    """A snapshot with the 身份证号 masked: the audit trail is append-only and read by auditors, and it
    says that a number changed, not what it is (decision 0062)."""
    if values is None or "id_number" not in values:
        return values
    return {**values, "id_number": mask_id_number(str(values["id_number"]))}


@transaction.atomic
def cadre_id_number_reveal(*, actor: User, cadre: Cadre) -> str:
    """The full 身份证号 of one cadre (already fetched through the actor's scope), for the role that keeps
    the cadres' files (``cadre.view_id_number``: the county organization department). Every reveal is
    an audit event — who, whose, when — and the number itself is not written into it."""
    scoping.require(actor, "cadre.view_id_number")
    audit_record(
        actor=actor,
        action="cadre.reveal_id_number",
        obj=cadre,
        after={"id_number": mask_id_number(cadre.id_number)},
        region_code=cadre.team.village_id,
    )
    return cadre.id_number


@transaction.atomic
def cadre_id_numbers_export_record(*, actor: User, filters: dict[str, str], rows: int) -> None:
    """Record that ``actor`` exported ``rows`` cadres with their full 身份证号 using ``filters`` (the
    list's query). The export itself writes nothing; its audit event is this service's only write."""
    scoping.require(actor, "cadre.view_id_number")
    region = Region.objects.get(code=actor.region_id)
    audit_record(
        actor=actor,
        action="cadre.export_id_numbers",
        obj=region,
        after={"filters": filters, "rows": rows},
        region_code=region.code,
    )


__all__ = [
    "RosterError",
    "RosterImportResult",
    "cadre_id_number_reveal",
    "cadre_id_numbers_export_record",
    "roster_import",
]


@transaction.atomic
def cadre_terms_expire(*, today: dt.date, actor: User | None = None) -> int:
    """第三条: a cadre whose term has ended (``term_end`` before ``today``) and who is still 在岗 becomes
    期满. One UPDATE for the whole province, audited per cadre; running it twice changes nothing."""
    due = list(
        Cadre.objects.filter(status=Cadre.Status.ACTIVE, term_end__lt=today)
        .select_for_update()
        .values_list("pk", "name", "team__village_id")
    )
    if not due:
        return 0
    Cadre.objects.filter(pk__in=[pk for pk, _, _ in due]).update(status=Cadre.Status.EXPIRED)
    events = []
    for pk, name, village_code in due:
        event = AuditEvent(
            actor=None,
            action="cadre.term_expired",
            object_type="cadres.cadre",
            object_id=str(pk),
            object_repr=name,
            region_code=village_code,
            before={"status": Cadre.Status.ACTIVE.value},
            after={"status": Cadre.Status.EXPIRED.value},
        )
        events.append(event)
    audit_record_many(events)
    return len(due)


# --- 第三条: term adjustments and the replacement's dispatch ------------------------------------


def _department_accounts(level: str, region_code: str) -> list[int]:
    """The active accounts of an organization department (level, region)."""
    role = {"province": Role.PROVINCE_ORG, "city": Role.CITY_ORG, "county": Role.COUNTY_ORG}[level]
    return list(User.objects.filter(role=role, region_id=region_code, is_active=True).values_list("pk", flat=True))


@transaction.atomic
def term_adjustment_request(
    *, actor: User, cadre: Cadre, reason: str, attachment: IO[bytes] | None = None
) -> TermAdjustment:
    """The dispatching unit's written application (第三条 派出单位须写出书面申请). One open at a time."""
    if not policies.may_request_adjustment(actor, cadre):
        raise PermissionDenied("任期调整须由干部的派出单位提出书面申请（第三条）。")
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationError({"reason": ["请写明调整的特殊原因（至少 10 个字），这是第三条要求的书面申请。"]})
    cadre = Cadre.objects.select_for_update().select_related("unit", "team").get(pk=cadre.pk)
    if TermAdjustment.objects.filter(cadre=cadre, status=TermAdjustment.Status.PENDING).exists():
        raise ValidationError({"cadre": ["该干部已有一份待审批的任期调整申请。"]})
    level, region_code = policies.adjustment_decider(cadre.unit)
    adjustment = TermAdjustment.objects.create(
        cadre=cadre,
        unit=cadre.unit,
        village_code=cadre.team.village_id,
        reason=reason[:4000],
        attachment=document_clean(attachment, field="attachment").content if attachment else "",
        requested_by=actor,
        decided_by_level=level,
        decided_by_region=region_code,
        filed_with=policies.adjustment_filed_with(cadre.unit),
    )
    audit_record(
        actor=actor,
        action="cadre.term_adjustment_request",
        obj=adjustment,
        after=snapshot(adjustment),
        region_code=adjustment.village_code,
    )
    notify(
        recipient_ids=_department_accounts(level, region_code),
        title=f"{cadre.unit.name}申请调整驻村干部{cadre.name}",
        body=reason[:200],
        url=reverse("term-adjustment-detail", args=[adjustment.pk]),
    )
    return adjustment


@transaction.atomic
def term_adjustment_decide(
    *, actor: User, adjustment_id: int, approve: bool, comment: str = "", now: dt.datetime | None = None
) -> TermAdjustment:
    """The same-level organization department approves or rejects (第三条 审核批准); approval makes the
    cadre 已调整 and files the adjustment with the level above. A racing second decider gets 409."""
    adjustment = TermAdjustment.objects.select_for_update().select_related("cadre", "unit").get(pk=adjustment_id)
    if not policies.may_decide_adjustment(actor, adjustment.unit):
        raise PermissionDenied("任期调整由派出单位同级的党委组织部门审批（第三条）。")
    if adjustment.status != TermAdjustment.Status.PENDING:
        raise Conflict("这份任期调整申请已经审批过了。")
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ValidationError({"comment": ["驳回时请写明理由，派出单位会看到。"]})
    now = now or timezone.now()
    update_audited(
        actor=actor,
        action="cadre.term_adjustment_approve" if approve else "cadre.term_adjustment_reject",
        obj=adjustment,
        changes={
            "status": TermAdjustment.Status.APPROVED if approve else TermAdjustment.Status.REJECTED,
            "decided_by": actor,
            "decided_at": now,
            "comment": comment[:500],
        },
        region_code=adjustment.village_code,
    )
    cadre = Cadre.objects.select_for_update().get(pk=adjustment.cadre_id)
    if approve and cadre.status == Cadre.Status.ACTIVE:
        before = snapshot(cadre, ["status"])
        cadre.status = Cadre.Status.ADJUSTED
        cadre.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="cadre.adjusted",
            obj=cadre,
            before=before,
            after=snapshot(cadre, ["status"]),
            region_code=adjustment.village_code,
        )
    unit_accounts = list(
        User.objects.filter(role=Role.UNIT, unit_id=adjustment.unit_id, is_active=True).values_list("pk", flat=True)
    )
    notify(
        recipient_ids=unit_accounts,
        title=f"驻村干部{adjustment.cadre.name}的任期调整申请{'已批准' if approve else '被驳回'}",
        body=comment[:200],
        url=reverse("term-adjustment-detail", args=[adjustment.pk]),
    )
    return adjustment


@transaction.atomic
def cadre_dispatch(
    *, actor: User, team: Team, name: str, gender: str, id_number: str, phone: str, role: str, term_start: Any
) -> Cadre:
    """A replacement joins the team (after a recall, an adjustment or a term's end): a new cadre of the
    team's unit whose term starts on ``term_start`` (第三条). Who may: an organization department that
    may import the team's roster. The team keeps one leader and one 第一书记 in post."""
    from .idnumbers import id_number_error, normalize_id_number

    scoping.require(actor, "term.dispatch")
    if not scoping.region_in_scope(actor, team.village_id):
        raise PermissionDenied("只能为本辖区的工作队派驻干部。")
    errors: dict[str, list[str]] = {}
    name, phone = (name or "").strip(), (phone or "").strip()
    if not 2 <= len(name) <= 40:
        errors["name"] = ["请填写姓名（2 至 40 个字）。"]
    if gender not in Cadre.Gender.values:
        errors["gender"] = ["请选择性别。"]
    if role not in Cadre.Role.values:
        errors["role"] = ["请选择职务。"]
    if not (len(phone) == 11 and phone.isdigit() and phone.startswith("1")):
        errors["phone"] = ["手机号应为 11 位数字。"]
    number = normalize_id_number(id_number or "")
    problem = id_number_error(number)
    if problem:
        errors["id_number"] = [problem]
    elif Cadre.objects.filter(id_number=number).exists():
        errors["id_number"] = ["该身份证号已登记为驻村干部；调整岗位须经任期调整（第三条）。"]
    try:
        start = term_start if isinstance(term_start, dt.date) else dt.date.fromisoformat(str(term_start))
    except ValueError:
        errors["term_start"] = ["驻村开始日期格式应为 YYYY-MM-DD。"]
    else:
        today = timezone.localdate()
        if not today - dt.timedelta(days=90) <= start <= today + dt.timedelta(days=90):
            errors["term_start"] = ["驻村开始日期应在今天前后 90 天之内。"]
    if role in Cadre.Role.values and not errors.get("role"):
        posts = {"leader": Cadre.LEADER_ROLES, "first_secretary": ("first_secretary", "first_secretary_leader")}
        for label, roles in (("队长", posts["leader"]), ("第一书记", posts["first_secretary"])):
            if role in roles and Cadre.objects.filter(team=team, status=Cadre.Status.ACTIVE, role__in=roles).exists():
                errors.setdefault("role", []).append(f"该工作队已有在岗的{label}，一个工作队只能有一名{label}。")
    if errors:
        raise ValidationError(errors)
    cadre = Cadre.objects.create(
        name=name,
        gender=gender,
        id_number=number,
        phone=phone,
        unit=team.unit,
        team=team,
        role=role,
        term_start=start,
        term_end=term_end_for(start),
    )
    audit_record(actor=actor, action="cadre.dispatch", obj=cadre, after=snapshot(cadre), region_code=team.village_id)
    return cadre


@transaction.atomic
def term_end_reminders_send(*, today: dt.date | None = None) -> int:
    """Remind the unit and the organization department of its level 90 and 30 days before a cadre's
    term ends, once each (the replacement has to be chosen in time). A fixed number of queries."""
    today = today or timezone.localdate()
    sent = 0
    for days in policies.TERM_END_REMINDER_DAYS:
        due = list(
            Cadre.objects.filter(
                status=Cadre.Status.ACTIVE, term_end__gte=today, term_end__lte=today + dt.timedelta(days=days)
            )
            .exclude(pk__in=TermReminder.objects.filter(days_before=days).values("cadre_id"))
            .select_related("unit", "team__village")
        )
        if not due:
            continue
        TermReminder.objects.bulk_create([TermReminder(cadre=cadre, days_before=days) for cadre in due])
        departments = {cadre.pk: policies.adjustment_decider(cadre.unit) for cadre in due}
        roles = {"province": Role.PROVINCE_ORG, "city": Role.CITY_ORG, "county": Role.COUNTY_ORG}
        by_department: dict[tuple[str, str], list[int]] = {}
        for user_id, role, region_id in User.objects.filter(
            role__in=list(roles.values()), region_id__in={code for _, code in departments.values()}, is_active=True
        ).values_list("pk", "role", "region_id"):
            by_department.setdefault((role, str(region_id)), []).append(user_id)
        by_unit: dict[int, list[int]] = {}
        for user_id, unit_id in User.objects.filter(
            role=Role.UNIT, unit_id__in={cadre.unit_id for cadre in due}, is_active=True
        ).values_list("pk", "unit_id"):
            by_unit.setdefault(unit_id, []).append(user_id)
        messages = []
        for cadre in due:
            level, code = departments[cadre.pk]
            messages.append(
                Message(
                    recipient_ids=[*by_unit.get(cadre.unit_id, []), *by_department.get((roles[level], code), [])],
                    title=f"{cadre.team.village.name}驻村干部{cadre.name}将于 {cadre.term_end:%Y年%m月%d日} 期满",
                    body="请及早确定接替人选，期满时办理离任交接（第三条）。",
                    url=reverse("cadre-detail", args=[cadre.pk]),
                )
            )
        notify_many(messages)
        sent += len(due)
    return sent


@transaction.atomic
def handover_tick(*, actor: User, cadre: Cadre, item: str, done: bool, note: str = "") -> Handover:
    """Tick (or untick) one item of a cadre's handover checklist; audited. The checklist is complete
    when every item is ticked."""
    if not policies.may_record_handover(actor):
        raise PermissionDenied("离任交接由乡镇党委或县委组织部登记。")
    if item not in dict(policies.HANDOVER_ITEMS):
        raise ValidationError({"item": ["没有这个交接事项。"]})
    if not policies.handover_due(cadre, timezone.localdate()):
        raise ValidationError({"item": ["离任交接在期满前 30 天或调整、召回后办理。"]})
    handover, _ = Handover.objects.select_for_update().get_or_create(
        cadre=cadre, defaults={"village_code": cadre.team.village_id}
    )
    before = snapshot(handover, ["done", "completed_at"])
    if done:
        handover.done[item] = {
            "by": actor.pk,
            "by_name": actor.get_full_name() or actor.username,
            "at": timezone.now().isoformat(),
            "note": (note or "").strip()[:200],
        }
    else:
        handover.done.pop(item, None)
    complete = all(key in handover.done for key, _ in policies.HANDOVER_ITEMS)
    handover.completed_at = (handover.completed_at or timezone.now()) if complete else None
    handover.save(update_fields=["done", "completed_at"])
    audit_record(
        actor=actor,
        action="cadre.handover_tick",
        obj=handover,
        before=before,
        after=snapshot(handover, ["done", "completed_at"]),
        region_code=handover.village_code,
    )
    return handover


# --- 第十八条: party membership and the first secretary as village party secretary -------------------


def _township_accounts(village_code: str) -> list[int]:
    return list(
        User.objects.filter(role=Role.TOWNSHIP, region_id=Region.township_of(village_code), is_active=True).values_list(
            "pk", flat=True
        )
    )


def _day_error(day: dt.date | None, what: str, *, not_before: dt.date | None = None, before_what: str = "") -> str:
    if day is None:
        return f"请填写{what}（YYYY-MM-DD）。"
    if day > timezone.localdate():
        return f"{what}不能晚于今天。"
    if not_before is not None and day < not_before:
        return f"{what}不能早于{before_what}（{not_before:%Y-%m-%d}）。"
    return ""


_TRANSFER_FIELDS = ["status", "from_organization", "to_organization", "sent_on", "received_on"]


@transaction.atomic
def party_transfer_record(
    *,
    actor: User,
    cadre: Cadre,
    from_organization: str = "",
    to_organization: str = "",
    sent_on: dt.date | None = None,
    not_member: bool = False,
) -> tuple[PartyTransfer, bool]:
    """第十八条: 驻村党员干部的党组织关系转接到驻在村党组织 — the dispatching unit or the village's township
    records the letter of introduction (from, to, the day it was issued), or that the cadre is not a
    party member. Recording again before the township confirms corrects the record (idempotent: the
    same values write nothing); a confirmed transfer is final (409). Returns (record, created)."""
    refusal = policies.party_transfer_record_refusal(actor, cadre)
    if refusal:
        raise PermissionDenied(refusal)
    cadre = Cadre.objects.select_for_update().select_related("team__village", "unit").get(pk=cadre.pk)
    errors: dict[str, list[str]] = {}
    if cadre.status != Cadre.Status.ACTIVE:
        errors["cadre"] = [f"{cadre.name}当前{cadre.get_status_display()}，不再办理党组织关系转入驻在村。"]
    from_organization, to_organization = (from_organization or "").strip(), (to_organization or "").strip()
    if not not_member:
        to_organization = to_organization or f"{cadre.team.village.name}党组织"
        if not from_organization:
            errors["from_organization"] = ["请填写转出党组织（干部原所在党组织的名称）。"]
        elif len(from_organization) > 100:
            errors["from_organization"] = ["转出党组织名称不能超过 100 个字。"]
        if len(to_organization) > 100:
            errors["to_organization"] = ["转入党组织名称不能超过 100 个字。"]
        problem = _day_error(sent_on, "转出日期")
        if problem:
            errors["sent_on"] = [problem]
    if errors:
        raise ValidationError(errors)
    values: dict[str, Any] = (
        {"status": PartyTransfer.Status.NOT_MEMBER, "from_organization": "", "to_organization": "", "sent_on": None}
        if not_member
        else {
            "status": PartyTransfer.Status.PENDING,
            "from_organization": from_organization,
            "to_organization": to_organization,
            "sent_on": sent_on,
        }
    )
    transfer = PartyTransfer.objects.select_for_update().filter(cadre=cadre).first()
    if transfer is not None and transfer.status == PartyTransfer.Status.CONFIRMED:
        raise Conflict(
            f"{cadre.name}的党组织关系已于 {transfer.received_on:%Y-%m-%d} 转入{transfer.to_organization}，"
            "乡镇党委已确认，不能再修改。"
        )
    if transfer is not None and all(getattr(transfer, k) == v for k, v in values.items()):
        return transfer, False
    before = snapshot(transfer, _TRANSFER_FIELDS) if transfer is not None else None
    created = transfer is None
    transfer = transfer or PartyTransfer(cadre=cadre, village_code=cadre.team.village_id)
    for key, value in values.items():
        setattr(transfer, key, value)
    transfer.recorded_by, transfer.recorded_at = actor, timezone.now()
    transfer.save()
    audit_record(
        actor=actor,
        action="party.transfer_record",
        obj=transfer,
        before=before,
        after=snapshot(transfer, _TRANSFER_FIELDS),
        region_code=transfer.village_code,
    )
    if transfer.status == PartyTransfer.Status.PENDING and actor.role != Role.TOWNSHIP:
        notify(
            recipient_ids=_township_accounts(transfer.village_code),
            title=f"{cadre.name}的党组织关系待转入{cadre.team.village.name}",
            body=f"转出党组织：{transfer.from_organization}",
            url=reverse("party-transfer-list") + "?status=pending",
        )
    return transfer, created


@transaction.atomic
def party_transfer_confirm(*, actor: User, transfer: PartyTransfer, received_on: dt.date | None) -> PartyTransfer:
    """第十八条: the village's township party committee confirms the village's party organization received
    the membership on ``received_on``. Only a recorded, unconfirmed transfer (409 otherwise)."""
    refusal = policies.party_transfer_confirm_refusal(actor, transfer.village_code)
    if refusal:
        raise PermissionDenied(refusal)
    locked = PartyTransfer.objects.select_for_update().select_related("cadre").get(pk=transfer.pk)
    if locked.status == PartyTransfer.Status.CONFIRMED:
        raise Conflict(f"{locked.cadre.name}的党组织关系已于 {locked.received_on:%Y-%m-%d} 确认转入。")
    if locked.status == PartyTransfer.Status.NOT_MEMBER:
        raise Conflict(f"{locked.cadre.name}登记为非中共党员，没有党组织关系需要转入。")
    problem = _day_error(received_on, "转入日期", not_before=locked.sent_on, before_what="转出日期")
    if problem:
        raise ValidationError({"received_on": [problem]})
    before = snapshot(locked, _TRANSFER_FIELDS)
    locked.status = PartyTransfer.Status.CONFIRMED
    locked.received_on = received_on
    locked.confirmed_by, locked.confirmed_at = actor, timezone.now()
    locked.save(update_fields=["status", "received_on", "confirmed_by", "confirmed_at"])
    audit_record(
        actor=actor,
        action="party.transfer_confirm",
        obj=locked,
        before=before,
        after=snapshot(locked, _TRANSFER_FIELDS),
        region_code=locked.village_code,
    )
    return locked


_APPOINTMENT_FIELDS = [
    "status", "cadre", "reason", "cadre_consent_at", "unit_consent_at", "unit_consent_note", "decided_on",
    "decision_no", "ended_on", "end_reason",
]  # fmt: skip


def _locked_appointment(appointment: PartySecretaryAppointment, *statuses: str) -> PartySecretaryAppointment:
    locked = (
        PartySecretaryAppointment.objects.select_for_update()
        .select_related("cadre__unit", "cadre__team")
        .get(pk=appointment.pk)
    )
    if locked.status not in statuses:
        raise Conflict(f"该任命已{locked.get_status_display()}，不能再办理此操作。")
    return locked


def _audit_appointment(actor: User, action: str, appointment: PartySecretaryAppointment, before: Any) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=appointment,
        before=before,
        after=snapshot(appointment, _APPOINTMENT_FIELDS),
        region_code=appointment.village_code,
    )


@transaction.atomic
def party_secretary_propose(*, actor: User, cadre: Cadre, reason: str) -> PartySecretaryAppointment:
    """第十八条: in the village committees' election the village has no suitable party secretary — the
    township party committee proposes that the first secretary lead the village's party organization, and
    asks the first secretary and the dispatching unit's party group for their consent. One open proposal
    or appointment per village (409)."""
    village_code = cadre.team.village_id
    refusal = policies.party_secretary_township_refusal(actor, village_code)
    if refusal:
        raise PermissionDenied(refusal)
    errors: dict[str, list[str]] = {}
    problem = policies.party_secretary_candidate_error(cadre)
    if problem:
        errors["cadre"] = [problem]
    reason = (reason or "").strip()
    if len(reason) < 10:
        errors["reason"] = ["请说明村“两委”换届中村党组织书记没有合适人选的情况（至少 10 个字，第十八条）。"]
    if errors:
        raise ValidationError(errors)
    Region.objects.select_for_update().filter(code=village_code).first()  # one proposal per village at a time
    if PartySecretaryAppointment.objects.filter(
        village_code=village_code, status__in=PartySecretaryAppointment.OPEN_STATUSES
    ).exists():
        raise Conflict("该村已有第一书记兼任村党组织书记的任命或待征求意见的提议，请先结束后再提出。")
    appointment = PartySecretaryAppointment.objects.create(
        cadre=cadre, village_code=village_code, reason=reason[:2000], proposed_by=actor
    )
    _audit_appointment(actor, "party.secretary_propose", appointment, None)
    recipients = list(
        User.objects.filter(is_active=True)
        .filter(models.Q(role=Role.CADRE, cadre_id=cadre.pk) | models.Q(role=Role.UNIT, unit_id=cadre.unit_id))
        .values_list("pk", flat=True)
    )
    notify(
        recipient_ids=recipients,
        title=f"乡镇党委拟安排{cadre.name}兼任{cadre.team.village}党组织书记，请表明是否同意",
        body=reason[:200],
        url=reverse("cadre-detail", args=[cadre.pk]),
    )
    return appointment


@transaction.atomic
def party_secretary_consent(
    *, actor: User, appointment: PartySecretaryAppointment, party: str, note: str = ""
) -> PartySecretaryAppointment:
    """第十八条 征得第一书记和派出单位党组（党委）同意: ``party`` is ``first_secretary`` (the cadre, with their
    own account) or ``unit`` (the dispatching unit's account, for its party group; ``note`` names the
    meeting or document). Who and when are recorded; consenting twice changes nothing."""
    if party not in policies.CONSENT_PARTIES:
        raise ValidationError({"party": ["请说明由谁同意：first_secretary（第一书记本人）或 unit（派出单位党组）。"]})
    refusal = policies.party_secretary_consent_refusal(actor, appointment.cadre, party)
    if refusal:
        raise PermissionDenied(refusal)
    locked = _locked_appointment(appointment, PartySecretaryAppointment.Status.PROPOSED)
    at_field, by_field = ("cadre_consent_at", "cadre_consent_by") if party == "first_secretary" else (
        "unit_consent_at", "unit_consent_by"
    )  # fmt: skip
    if getattr(locked, at_field) is not None:
        return locked
    before = snapshot(locked, _APPOINTMENT_FIELDS)
    setattr(locked, at_field, timezone.now())
    setattr(locked, by_field, actor)
    fields = [at_field, by_field]
    if party == "unit":
        locked.unit_consent_note = (note or "").strip()[:300]
        fields.append("unit_consent_note")
    locked.save(update_fields=fields)
    _audit_appointment(actor, "party.secretary_consent", locked, before)
    if locked.consented:
        notify(
            recipient_ids=_township_accounts(locked.village_code),
            title=f"{locked.cadre.name}兼任村党组织书记已征得本人和派出单位党组同意，可作出任命",
            url=reverse("cadre-detail", args=[locked.cadre_id]),
        )
    return locked


@transaction.atomic
def party_secretary_appoint(
    *, actor: User, appointment: PartySecretaryAppointment, decided_on: dt.date | None, decision_no: str = ""
) -> PartySecretaryAppointment:
    """第十八条 可通过直接任命的方式: the township's decision, only after both consents (400 naming the
    missing one); the day of the decision is not before the last consent."""
    refusal = policies.party_secretary_township_refusal(actor, appointment.village_code)
    if refusal:
        raise PermissionDenied(refusal)
    locked = _locked_appointment(appointment, PartySecretaryAppointment.Status.PROPOSED)
    missing = [
        label
        for label, at in (("第一书记本人", locked.cadre_consent_at), ("派出单位党组（党委）", locked.unit_consent_at))
        if at is None
    ]
    if missing:
        raise ValidationError({"detail": [f"尚未征得{'和'.join(missing)}同意，不能任命（第十八条）。"]})
    problem = policies.party_secretary_candidate_error(locked.cadre)
    if problem:
        raise ValidationError({"cadre": [problem]})
    consented = max(timezone.localtime(at).date() for at in (locked.cadre_consent_at, locked.unit_consent_at) if at)
    problem = _day_error(decided_on, "任命日期", not_before=consented, before_what="征得同意的日期")
    decision_no = (decision_no or "").strip()
    if problem or len(decision_no) > 60:
        raise ValidationError({"decided_on": [problem]} if problem else {"decision_no": ["任命文号不能超过 60 个字。"]})
    before = snapshot(locked, _APPOINTMENT_FIELDS)
    locked.status = PartySecretaryAppointment.Status.APPOINTED
    locked.decided_on, locked.decision_no = decided_on, decision_no
    locked.decided_by, locked.decided_at = actor, timezone.now()
    locked.save(update_fields=["status", "decided_on", "decision_no", "decided_by", "decided_at"])
    _audit_appointment(actor, "party.secretary_appoint", locked, before)
    return locked


@transaction.atomic
def party_secretary_end(
    *, actor: User, appointment: PartySecretaryAppointment, ended_on: dt.date | None, reason: str
) -> PartySecretaryAppointment:
    """The township ends an appointment (a new secretary elected, the first secretary's service over) or
    withdraws a proposal, with the day and the reason."""
    refusal = policies.party_secretary_township_refusal(actor, appointment.village_code)
    if refusal:
        raise PermissionDenied(refusal)
    locked = _locked_appointment(appointment, *PartySecretaryAppointment.OPEN_STATUSES)
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    problem = _day_error(ended_on, "结束日期", not_before=locked.decided_on, before_what="任命日期")
    if problem:
        errors["ended_on"] = [problem]
    if not reason:
        errors["reason"] = ["请写明结束原因（如已选出村党组织书记、第一书记驻村期满）。"]
    elif len(reason) > 300:
        errors["reason"] = ["结束原因不能超过 300 个字。"]
    if errors:
        raise ValidationError(errors)
    before = snapshot(locked, _APPOINTMENT_FIELDS)
    locked.status = PartySecretaryAppointment.Status.ENDED
    locked.ended_on, locked.end_reason = ended_on, reason
    locked.save(update_fields=["status", "ended_on", "end_reason"])
    _audit_appointment(actor, "party.secretary_end", locked, before)
    return locked
