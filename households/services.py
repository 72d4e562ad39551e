"""Writes of households and visits (第六条7–8). Each is atomic, validates first (a Chinese message per
field, nothing written), writes, and records its audit event in the same transaction.

* ``household_register`` / ``household_update``: the township or the county keeps a village's
  households (API.md: township or county staff);
* ``visit_create``: a cadre in post of the village's team records a visit; it joins that day's work
  log (attendance ``work_log_of_day``) and moves the household's ``last_visit_on``, which the due list
  reads (households/selectors.py) — so the due list never looks at the visits themselves.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import unicodedata
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from attendance.services import work_log_of_day
from cadres.models import Cadre, Region
from zhucun.audit import audit_event, audit_record, audit_record_many, snapshot
from zhucun.notifications import Message, notify_many
from zhucun.spreadsheets import RowError, SheetError

from . import rules
from .imports import households_parse
from .models import Household, OverdueVisitFlag, Visit
from .selectors import overdue_by_village

_FIELDS = ["village_code", "head_name", "house_number", "kind", "resident", "phone", "registered_on"]


def _invisible(text: str) -> bool:
    return any(unicodedata.category(char) in ("Cc", "Cf") for char in text)


def clean_household(
    *, head_name: Any, kind: Any, resident: Any, phone: Any = "", house_number: Any = ""
) -> dict[str, Any]:
    """The fields of a household as registered, or ValidationError listing every problem by field."""
    errors: dict[str, list[str]] = {}
    name = str(head_name or "").strip()
    if not name:
        errors["head_name"] = ["请填写户主姓名。"]
    elif len(name) > 40 or _invisible(name):
        errors["head_name"] = ["户主姓名不超过 40 个字，且不能含有换行或不可见字符。"]
    if kind not in rules.KIND_LABELS:
        errors["kind"] = ["类别应为 poor（贫困户）或 non_poor（非贫困户）。"]
    if not isinstance(resident, bool):
        errors["resident"] = ["是否常住应填 true 或 false。"]
    number = str(house_number or "").strip()
    if len(number) > 30 or _invisible(number):
        errors["house_number"] = ["门牌号或户编号不超过 30 个字，且不能含有换行或不可见字符。"]
    try:
        clean_phone = rules.clean_phone(str(phone or ""))
    except ValidationError as exc:
        errors.update(exc.message_dict)
        clean_phone = ""
    if errors:
        raise ValidationError(errors)
    return {"head_name": name, "kind": kind, "resident": resident, "phone": clean_phone, "house_number": number}


def _require_registrar(actor: User) -> None:
    if getattr(actor, "role", "") not in (Role.COUNTY_ORG, Role.TOWNSHIP):
        raise PermissionDenied("农户由乡镇党委或县委组织部登记，您的角色无权进行此操作。")


def _duplicate(village_code: str, head_name: str, house_number: str) -> ValidationError:
    hint = "请核对；同村同名的两户请填写门牌号或户编号加以区分。"
    return ValidationError({"head_name": [f"本村已登记户主为「{head_name}」的农户（门牌号或户编号相同）。{hint}"]})


@transaction.atomic
def household_register(
    *,
    actor: User,
    village: Region,
    head_name: Any,
    kind: Any,
    resident: Any,
    phone: Any = "",
    house_number: Any = "",
    today: dt.date | None = None,
) -> Household:
    """Register one household of ``village`` (already fetched through the actor's scope)."""
    _require_registrar(actor)
    if village.level != Region.Level.VILLAGE:
        raise ValidationError({"village": ["请选择一个村（12 位村代码）。"]})
    fields = clean_household(head_name=head_name, kind=kind, resident=resident, phone=phone, house_number=house_number)
    if Household.objects.filter(
        village_code=village.code, head_name=fields["head_name"], house_number=fields["house_number"]
    ).exists():
        raise _duplicate(village.code, fields["head_name"], fields["house_number"])
    household = Household.objects.create(
        village_code=village.code, registered_on=today or timezone.localdate(), **fields
    )
    audit_record(
        actor=actor,
        action="household.register",
        obj=household,
        after=snapshot(household, _FIELDS),
        region_code=household.village_code,
    )
    return household


@transaction.atomic
def household_update(*, actor: User, household: Household, changes: dict[str, Any]) -> Household:
    """Correct a household (a name, a phone) or record a change (脱贫: poor → non-poor; moved away:
    not resident). Visits already recorded keep the kind the household had then."""
    _require_registrar(actor)
    unknown = set(changes) - {"head_name", "kind", "resident", "phone", "house_number"}
    if unknown:
        raise ValidationError({"detail": [f"不能修改：{'、'.join(sorted(unknown))}。"]})
    locked = Household.objects.select_for_update().get(pk=household.pk)
    current = {
        "head_name": locked.head_name,
        "kind": locked.kind,
        "resident": locked.resident,
        "phone": locked.phone,
        "house_number": locked.house_number,
    }
    fields = clean_household(**{**current, **changes})
    if (fields["head_name"], fields["house_number"]) != (locked.head_name, locked.house_number) and (
        Household.objects.filter(
            village_code=locked.village_code, head_name=fields["head_name"], house_number=fields["house_number"]
        )
        .exclude(pk=locked.pk)
        .exists()
    ):
        raise _duplicate(locked.village_code, fields["head_name"], fields["house_number"])
    before = snapshot(locked, list(fields))
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save(update_fields=[*fields, "updated_at"])
    audit_record(
        actor=actor,
        action="household.update",
        obj=locked,
        before=before,
        after=snapshot(locked, list(fields)),
        region_code=locked.village_code,
    )
    return locked


# --- visits (第六条7–8) -----------------------------------------------------------------------------


def visiting_cadre(actor: User, household: Household) -> Cadre:
    """The cadre recording a visit: a cadre in post of the team stationed in the household's village;
    PermissionDenied (403) for anyone else who can see the household."""
    cadre: Cadre | None = getattr(actor, "cadre", None) if getattr(actor, "role", "") == Role.CADRE else None
    if cadre is None:
        raise PermissionDenied("入户走访由驻村工作队的干部记录，您的角色无权进行此操作。")
    cadre = Cadre.objects.select_related("team").get(pk=cadre.pk)
    if cadre.team.village_id != household.village_code:
        raise PermissionDenied("只能记录本工作队驻在村农户的走访。")
    if cadre.status != Cadre.Status.ACTIVE:
        raise PermissionDenied("您已不在驻村岗位上，不能再记录走访。")
    return cadre


@transaction.atomic
def visit_create(
    *,
    actor: User,
    household: Household,
    day: dt.date,
    note: str = "",
    monthly_income: Any = None,
    three_guarantees: dict[str, Any] | None = None,
    today: dt.date | None = None,
) -> Visit:
    """Record a visit (第六条7–8). For a poor household the month's income and the 三保障 are
    required (第六条7). The visit joins the cadre's work log of that day; the household's latest visit
    date moves forward (never back: a late entry of an older visit leaves it)."""
    cadre = visiting_cadre(actor, household)
    today = today or timezone.localdate()
    income, guarantees = rules.clean_visit(
        kind=household.kind,
        day=day,
        today=today,
        term_start=cadre.term_start,
        monthly_income=monthly_income,
        three_guarantees=three_guarantees,
    )
    note = (note or "").strip()
    if len(note) > 1000:
        raise ValidationError({"note": ["走访情况不超过 1000 字。"]})
    locked = Household.objects.select_for_update().get(pk=household.pk)
    if Visit.objects.filter(household=locked, cadre=cadre, date=day).exists():
        raise ValidationError({"date": [f"您已记录过 {day:%Y-%m-%d} 对{locked}的走访，无需重复提交。"]})
    log = work_log_of_day(actor=actor, cadre=cadre, day=day)
    visit = Visit.objects.create(
        household=locked,
        village_code=locked.village_code,
        cadre=cadre,
        work_log=log,
        date=day,
        household_kind=locked.kind,
        note=note,
        monthly_income=income,
        education_ok=guarantees["education"],
        health_ok=guarantees["health"],
        housing_ok=guarantees["housing"],
        created_by=actor,
    )
    if locked.last_visit_on is None or day > locked.last_visit_on:
        locked.last_visit_on = day
        locked.save(update_fields=["last_visit_on", "updated_at"])
    audit_record(actor=actor, action="visit.create", obj=visit, after=snapshot(visit), region_code=visit.village_code)
    return visit


# --- the xlsx import of a village's or a township's households ------------------------------------------


@dataclasses.dataclass(frozen=True)
class HouseholdImportResult:
    created: int
    updated: int
    unchanged: int

    def as_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)


_IMPORTED = ("kind", "resident", "phone")


@transaction.atomic
def household_import(
    *, actor: User, region: Region, upload: IO[bytes], today: dt.date | None = None
) -> HouseholdImportResult:
    """Import the households of ``region`` (a village or a township, fetched through the actor's
    scope): every row valid or nothing written, every bad row listed (SheetError); re-importing the
    same file changes nothing. Existing households (same village, head and house number) take the
    file's kind, residence and phone; households missing from the file are left as they are. A fixed
    number of queries whatever the number of rows."""
    _require_registrar(actor)
    if region.level not in (Region.Level.VILLAGE, Region.Level.TOWNSHIP):
        raise SheetError([RowError(0, "", "请选择一个村或一个乡镇导入农户名单。")])
    rows, errors = households_parse(upload, region_code=region.code)
    names = dict(
        Region.objects.filter(code__in={row.village_code for row in rows}, level=Region.Level.VILLAGE).values_list(
            "code", "name"
        )
    )
    first_row: dict[tuple[str, str, str], int] = {}
    for row in rows:
        if row.village_code not in names:
            errors.append(RowError(row.row, "村代码", f"系统中没有村代码为 {row.village_code} 的村，请核对。"))
        elif names[row.village_code] != row.village_name:
            errors.append(
                RowError(
                    row.row,
                    "村",
                    f"村代码 {row.village_code} 是「{names[row.village_code]}」，"
                    f"表中写的是「{row.village_name}」，请核对村代码。",
                )
            )
        if row.key in first_row:
            errors.append(
                RowError(
                    row.row,
                    "户主姓名",
                    f"与第 {first_row[row.key]} 行是同一户（同村、同户主、同门牌号或户编号）；"
                    "同名的两户请填写门牌号区分。",
                )
            )
        first_row.setdefault(row.key, row.row)
    if errors:
        raise SheetError(sorted(errors, key=lambda error: (error.row, error.column)))
    existing = {
        (h.village_code, h.head_name, h.house_number): h
        for h in Household.objects.select_for_update().filter(village_code__in=set(names))
    }
    day = today or timezone.localdate()
    fresh: list[Household] = []
    changed: list[tuple[Household, dict[str, Any]]] = []
    for row in rows:
        current = existing.get(row.key)
        if current is None:
            fresh.append(
                Household(
                    village_code=row.village_code,
                    head_name=row.head_name,
                    house_number=row.house_number,
                    kind=row.kind,
                    resident=row.resident,
                    phone=row.phone,
                    registered_on=day,
                )
            )
            continue
        values = {"kind": row.kind, "resident": row.resident, "phone": row.phone}
        if any(getattr(current, name) != value for name, value in values.items()):
            before = snapshot(current, _IMPORTED)
            for name, value in values.items():
                setattr(current, name, value)
            changed.append((current, before))
    created = Household.objects.bulk_create(fresh, batch_size=1000)
    now = timezone.now()
    for household, _ in changed:
        household.updated_at = now
    Household.objects.bulk_update([h for h, _ in changed], [*_IMPORTED, "updated_at"], batch_size=1000)
    audit_record_many(
        [
            *(
                audit_event(
                    actor=actor,
                    action="household.import",
                    obj=household,
                    before=None,
                    after=snapshot(household, _FIELDS),
                    region_code=household.village_code,
                )
                for household in created
            ),
            *(
                audit_event(
                    actor=actor,
                    action="household.import",
                    obj=household,
                    before=before,
                    after=snapshot(household, _IMPORTED),
                    region_code=household.village_code,
                )
                for household, before in changed
            ),
        ]
    )
    return HouseholdImportResult(
        created=len(created), updated=len(changed), unchanged=len(rows) - len(created) - len(changed)
    )


# --- the daily flag of overdue visits (the job) ----------------------------------------------------------


@transaction.atomic
def overdue_visits_flag(*, today: dt.date | None = None) -> int:
    """Tell each team leader how many of the village's households are overdue (第六条7–8), once a month
    per village: the ``households.flag_overdue_visits`` job. A fixed number of queries whatever the
    number of villages or households (one GROUP BY over the households, one for the leaders). Returns
    the number of villages flagged."""
    today = today or timezone.localdate()
    month = today.replace(day=1)
    counts = overdue_by_village(today=today)
    flagged = set(OverdueVisitFlag.objects.filter(month=month).values_list("village_code", flat=True))
    fresh = {code: n for code, n in counts.items() if code not in flagged}
    if not fresh:
        return 0
    flags = OverdueVisitFlag.objects.bulk_create(
        [OverdueVisitFlag(village_code=code, month=month, households=n) for code, n in sorted(fresh.items())],
    )
    leaders: dict[str, list[int]] = {}
    for user_id, village in User.objects.filter(
        is_active=True,
        cadre__team__village_id__in=list(fresh),
        cadre__role__in=Cadre.LEADER_ROLES,
        cadre__status=Cadre.Status.ACTIVE,
    ).values_list("pk", "cadre__team__village_id"):
        leaders.setdefault(str(village), []).append(user_id)
    notify_many(
        [
            Message(
                recipient_ids=leaders[code],
                title=f"本村有 {n} 户的入户走访已逾期",
                body="贫困户每月走访一次（第六条7），常住非贫困户一般每2个月走访一遍（第六条8）。请尽快安排走访。",
                url=reverse("households-region", args=[code]) + "?status=overdue",
            )
            for code, n in sorted(fresh.items())
            if leaders.get(code)
        ]
    )
    audit_record_many(
        [
            audit_event(
                actor=None,
                action="households.overdue_flag",
                obj=flag,
                before=None,
                after={
                    "village_code": flag.village_code,
                    "month": month.isoformat(),
                    "households": flag.households,
                },
                region_code=flag.village_code,
            )
            for flag in flags
        ]
    )
    return len(flags)
