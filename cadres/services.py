"""Writes to the organization model. Each service is atomic and records its audit events."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from typing import IO, Any

from django.conf import settings
from django.db import transaction

from zhucun import scoping
from zhucun.audit import audit_event, audit_record, audit_record_many, snapshot
from zhucun.models import AuditEvent

from .idnumbers import mask_id_number
from .models import Cadre, Region, Team, Unit
from .policies import term_end_for
from .roster import RosterError, RosterRow, RowError, roster_parse


@dataclasses.dataclass(frozen=True)
class RosterImportResult:
    """Counts of objects created or updated (API.md); all zero when re-importing the same file."""

    teams: int = 0
    cadres: int = 0
    villages: int = 0
    units: int = 0

    def as_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)


_LEVEL_NAMES = {4: ("市", "市级"), 6: ("县", "县级"), 9: ("乡镇", "乡镇级"), 12: ("村", "村级")}


def _check_rows(*, actor: Any, rows: list[RosterRow], regions: dict[str, Region]) -> list[RowError]:
    """Checks that need the other rows or the database. Returns every problem found."""
    errors: list[RowError] = []
    names_seen: dict[str, tuple[str, int]] = {}
    ids_seen: dict[str, int] = {}
    for row in rows:
        if not scoping.region_in_scope(actor, row.village_code):
            errors.append(RowError(row.row, "村代码", f"村代码 {row.village_code} 不在您的管辖范围内"))
            continue
        for length, (column, label) in _LEVEL_NAMES.items():
            code = row.village_code[:length]
            name = {4: row.city, 6: row.county, 9: row.township, 12: row.village}[length]
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
def roster_import(*, actor: Any, upload: IO[bytes]) -> RosterImportResult:
    """Import a roster (API.md "Roster import"): every row valid or nothing written; re-importing the
    same file changes nothing. Raises RosterError listing every bad row."""
    scoping.require(actor, "roster.import")
    rows, read_errors = roster_parse(upload)
    codes = {row.village_code[:length] for row in rows for length in (2, 4, 6, 9, 12)}
    regions = _load_regions(codes)
    errors = read_errors + _check_rows(actor=actor, rows=rows, regions=regions)
    village_codes = sorted({row.village_code for row in rows})
    teams = {
        team.village_id: team for team in Team.objects.select_related("village").filter(village_id__in=village_codes)
    }
    members = {
        cadre.id_number: cadre
        for cadre in Cadre.objects.select_related("team").filter(team__village_id__in=village_codes)
    }
    if not read_errors:  # a team's composition can only be judged with every one of its rows
        errors += _check_teams(rows=rows, teams=teams, cadres=members)
    if rows and settings.ZHUCUN_PROVINCE_CODE not in regions:
        errors.insert(0, RowError(0, "", "系统中尚未建立本省区划，请联系管理员运行数据库迁移。"))
    if errors:
        raise RosterError(sorted(errors, key=lambda e: (e.row, e.column)))
    return _write(actor=actor, rows=rows, regions=regions, teams=teams, members=members)


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
    actor: Any,
    rows: list[RosterRow],
    regions: dict[str, Region],
    teams: dict[str, Team],
    members: dict[str, Cadre],
) -> RosterImportResult:
    events: list[AuditEvent] = []

    # Regions: create missing ones parents first; update a village's location when it changed.
    new_regions: list[Region] = []
    new_codes: set[str] = set()
    changed_villages: list[Region] = []
    village_changes: dict[tuple[str, ...], list[Region]] = defaultdict(list)
    location = ["latitude", "longitude", "is_poor_village", "geofence_radius_m"]
    for row in rows:
        names = {4: row.city, 6: row.county, 9: row.township, 12: row.village}
        for length in (4, 6, 9, 12):
            code = row.village_code[:length]
            if code in regions:
                continue
            region = Region(
                code=code,
                name=names[length],
                level=str(Region.level_for_code(code)),
                parent_id=row.village_code[: {4: 2, 6: 4, 9: 6, 12: 9}[length]],
            )
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

    # Cadres by ID number: those of the file's villages are loaded already, look up the others.
    existing = {row.id_number: members[row.id_number] for row in rows if row.id_number in members}
    elsewhere = [row.id_number for row in rows if row.id_number not in existing]
    existing.update((c.id_number, c) for chunk in _chunks(elsewhere) for c in Cadre.objects.filter(id_number__in=chunk))
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


def _event(actor: Any, action: str, obj: Any, before: dict[str, Any] | None, region_code: str) -> AuditEvent:
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
def cadre_id_number_reveal(*, actor: Any, cadre: Cadre) -> str:
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
def cadre_id_numbers_export_record(*, actor: Any, filters: dict[str, str], rows: int) -> None:
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
def cadre_terms_expire(*, today: dt.date, actor: Any = None) -> int:
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
