"""Writes of the duties calendar (issue 13). The jobs create every body's obligations for the year and
keep their status; the body fulfils its own; an overdue obligation becomes an accountability record.
Each service validates, writes, and records its audit events in the same transaction."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable
from typing import IO, TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Min, Q, QuerySet
from django.db.models.functions import Substr, TruncDate
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from cadres.models import Region
from cadres.selectors import county_codes
from zhucun import scoping
from zhucun.api.errors import Conflict
from zhucun.audit import audit_event, audit_record, audit_record_many, snapshot
from zhucun.documents import document_clean
from zhucun.notifications import Message, notify_many
from zhucun.policy import profile_on

from . import catalogue, selectors
from .catalogue import CATALOGUE, DUTIES
from .models import Evidence, Obligation

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

MAX_EVIDENCE_FILES = 6
_STATE_FIELDS = ["status", "fulfilled_on", "note", "fulfilled_by_records", "overdue_at"]
#: a duty with its periods in a year and the bodies that carry it (``selectors.Bodies.of``)
_Due = tuple[catalogue.Duty, list[catalogue.Period], list[tuple[str, int | None, str, str]]]


# --- The jobs -----------------------------------------------------------------------------------


@transaction.atomic
def obligations_generate(*, year: int) -> int:
    """Create the missing obligations of ``year`` for every body, in one process and one transaction:
    the bodies above the counties, then each county's — the work ``duties.generate_obligations`` spreads
    over one task per county (docs/decisions/0179). For the demo, the tests and the B8 bench. A few
    queries per county, never per body. Returns the number created."""
    counties = county_codes()
    created = obligations_generate_above_counties(year=year, counties=counties)
    for county_code in counties:
        created += obligations_generate_in_county(year=year, county_code=county_code)
    return created


@transaction.atomic
def obligations_generate_in_county(*, year: int, county_code: str) -> int:
    """The job's county task: the missing obligations of ``year`` of the bodies keyed in the county —
    its organization department, its 县级 body, its townships and its own dispatching units
    (``selectors.bodies_of_county``). Returns the number created."""
    return _obligations_create(year=year, bodies=selectors.bodies_of_county(year, county_code))


@transaction.atomic
def obligations_generate_above_counties(*, year: int, counties: Collection[str]) -> int:
    """The part of the job no county task carries, run by the job itself before it fans out: the
    province's and the cities' organization departments and the units keyed above the county
    (``selectors.bodies_above_counties``). Returns the number created."""
    return _obligations_create(year=year, bodies=selectors.bodies_above_counties(year, counties=counties))


def _obligations_create(*, year: int, bodies: selectors.Bodies) -> int:
    """Create the missing obligations of ``year`` for ``bodies`` (idempotent: an existing obligation is
    never touched), with their audit events. Bulk: one read and the batched inserts, whatever the
    number of bodies. The year follows the profile in force on its first day (docs/decisions/0110)."""
    profile = profile_on(dt.date(year, 1, 1))
    due: list[_Due] = []
    for duty in DUTIES:
        periods = catalogue.periods(duty, year, profile)
        carriers = bodies.of(duty)
        if periods and carriers:
            due.append((duty, periods, carriers))
    existing = _existing_obligations(year=year, due=due)
    new: list[Obligation] = []
    for duty, periods, carriers in due:
        for body_key, unit_id, region_code, name in carriers:
            for period in periods:
                if (duty.key, body_key, period.code) in existing:
                    continue
                new.append(
                    Obligation(
                        duty=duty.key,
                        article=duty.article,
                        body_type=duty.body_type,
                        unit_id=unit_id,
                        region_code=region_code,
                        body_key=body_key,
                        body_name=name[:120],
                        year=year,
                        period=period.code,
                        period_label=period.label,
                        period_start=period.start,
                        period_end=period.end,
                        due=catalogue.due_date(duty, period, profile),
                    )
                )
    created = Obligation.objects.bulk_create(new, batch_size=2000)
    audit_record_many(
        [
            audit_event(
                actor=None,
                action="duties.generate",
                obj=o,
                before=None,
                after={"duty": o.duty, "body": o.body_key, "period": o.period, "due": o.due.isoformat()},
                region_code=o.region_code,
            )
            for o in created
        ]
    )
    return len(created)


def _existing_obligations(*, year: int, due: list[_Due]) -> set[tuple[str, str, str]]:
    """(duty, body key, period) of the obligations of ``year`` that the bodies in ``due`` already have.
    Looked up by the unique constraint's own columns, one condition per body type, rather than by
    region: a unit that changed level or region keeps its obligations under its old region code, and
    must not get them twice. One query (none when there is nothing due)."""
    duties: dict[str, set[str]] = defaultdict(set)
    keys: dict[str, set[str]] = defaultdict(set)
    for duty, _, carriers in due:
        duties[duty.body_type].add(duty.key)
        keys[duty.body_type].update(body_key for body_key, *_ in carriers)
    if not duties:
        return set()
    condition = Q()
    for body_type, duty_keys in duties.items():
        condition |= Q(duty__in=sorted(duty_keys), body_key__in=sorted(keys[body_type]))
    return set(Obligation.objects.filter(condition, year=year).values_list("duty", "body_key", "period"))


@transaction.atomic
def obligations_update(*, today: dt.date | None = None) -> dict[str, int]:
    """The daily job over the whole country, in one process and one transaction: the obligations above
    the counties, then each county's — the work ``duties.mark_overdue`` spreads over one task per county
    (docs/decisions/0181), with the same changes, audit events and notifications. For the demo, the
    tests and the benches. Returns the counts of ``_update``, summed."""
    today = today or timezone.localdate()
    counties = county_codes()
    totals = obligations_update_above_counties(today=today, counties=counties)
    for county_code in counties:
        for key, count in obligations_update_in_county(today=today, county_code=county_code).items():
            totals[key] += count
    return totals


@transaction.atomic
def obligations_update_in_county(*, today: dt.date, county_code: str) -> dict[str, int]:
    """The daily job's county task: ``_update`` for the obligations keyed in the county
    (``selectors.obligations_of_county``). A fixed number of queries whatever the county's size."""
    return _update(today=today, obligations=selectors.obligations_of_county(county_code), county_code=county_code)


@transaction.atomic
def obligations_update_above_counties(*, today: dt.date, counties: Collection[str]) -> dict[str, int]:
    """The part of the daily job no county task carries, run by the job itself before it fans out: the
    obligations keyed to the province, the cities and counties outside ``counties``
    (``selectors.obligations_above_counties``)."""
    return _update(today=today, obligations=selectors.obligations_above_counties(counties), county_code="")


def _update(*, today: dt.date, obligations: QuerySet[Obligation], county_code: str) -> dict[str, int]:
    """For ``obligations`` (one run's share: a county's, or those above the counties when
    ``county_code`` is empty): fulfil those whose records exist elsewhere (第十五条5 work-log checks,
    第十四条3 county opinions), mark the ones past their date overdue and tell the level above (第十七条),
    and remind bodies before their due dates. Idempotent: the status change and ``reminded_days`` make
    each escalation and each reminder go once."""
    fulfilled = _fulfil_from_records(today=today, obligations=obligations, county_code=county_code)
    late = _mark_overdue(today=today, obligations=obligations)
    reminders = _remind(today=today, obligations=obligations)
    _notify(late=late, reminders=reminders, county_code=county_code)
    return {"fulfilled_by_records": fulfilled, "overdue": len(late), "reminded": sum(reminders.values())}


#: the duties that records kept elsewhere fulfil (``catalogue.Duty.fulfilled_by_records``)
_BY_RECORDS = ("township_log_check", "county_evaluation_opinions")


def _fulfil_from_records(*, today: dt.date, obligations: QuerySet[Obligation], county_code: str) -> int:
    pending = list(
        obligations.filter(
            status__in=[Obligation.Status.OPEN, Obligation.Status.OVERDUE],
            period_start__lte=today,
            duty__in=_BY_RECORDS,
        )
    )
    done: list[tuple[Obligation, dt.date, str]] = []
    # 第十五条5: a township's check of a work log in its villages, by a township account, within the period
    checks = [o for o in pending if o.duty == "township_log_check"]
    if checks:
        since = min(o.period_start for o in checks)
        from attendance.models import WorkLog

        logs = WorkLog.objects.filter(checked_at__isnull=False, checked_by__role=Role.TOWNSHIP)
        if county_code:  # the county's villages only, through the (village code, date) index
            logs = logs.filter(village_code__startswith=county_code)
        dates: dict[str, list[dt.date]] = defaultdict(list)
        for township, day in (
            logs.annotate(township=Substr("village_code", 1, 9), day=TruncDate("checked_at"))
            .filter(township__in=sorted({o.region_code for o in checks}), day__gte=since, day__lte=today)
            .values_list("township", "day")
            .distinct()
        ):
            dates[township].append(day)
        for o in checks:
            last = max(o.period_end, o.due)
            inside = [d for d in dates.get(o.region_code, []) if o.period_start <= d <= last]
            if inside:
                done.append((o, min(inside), "work_log_checks"))
    # 第十四条3: the county's evaluation opinions of the year
    opinions = [o for o in pending if o.duty == "county_evaluation_opinions"]
    if opinions:
        from assessment.models import CountyEvaluationOpinion

        first = {
            (county, year): moment
            for county, year, moment in CountyEvaluationOpinion.objects.filter(
                year__in={o.year for o in opinions}, county_code__in={o.region_code for o in opinions}
            )
            .values("county_code", "year")
            .annotate(first=Min("recorded_at"))
            .values_list("county_code", "year", "first")
        }
        for o in opinions:
            moment = first.get((o.region_code, o.year))
            if moment is not None:
                done.append((o, min(timezone.localtime(moment).date(), today), "county_opinions"))
    events = []
    for o, day, source in done:
        before = snapshot(o, _STATE_FIELDS)
        o.status, o.fulfilled_on, o.fulfilled_by_records = Obligation.Status.DONE, day, source
        o.fulfilled_at = timezone.now()
        o.note = o.note or (
            "依据系统中乡镇对《工作日志》的检查记录自动登记。"
            if source == "work_log_checks"
            else "依据系统中县级评价意见记录自动登记。"
        )
        events.append(
            audit_event(
                actor=None, action="duties.fulfil_from_records", obj=o, before=before,
                after=snapshot(o, _STATE_FIELDS), region_code=o.region_code,
            )
        )  # fmt: skip
    if done:
        Obligation.objects.bulk_update(
            [o for o, _, _ in done], ["status", "fulfilled_on", "fulfilled_by_records", "fulfilled_at", "note"]
        )
        audit_record_many(events)
    return len(done)


#: whom a run tells: (role, region code) of a department, county or township, or ("unit", unit id)
_Accounts = tuple[str, str | int]


def _accounts(keys: Collection[_Accounts]) -> dict[_Accounts, list[int]]:
    """The active accounts of ``keys`` (``catalogue.body_accounts``, ``catalogue.level_above``): the
    bodies one run tells and the departments above them, never the whole country's accounts. One query
    (none without keys); its lists are as long as the county's units and townships."""
    units = sorted({int(key) for role, key in keys if role == Role.UNIT})
    regional = {(role, str(key)) for role, key in keys if role and role != Role.UNIT}
    condition = Q()
    if units:
        condition |= Q(role=Role.UNIT, unit_id__in=units)
    if regional:
        condition |= Q(role__in=sorted({r for r, _ in regional}), region_id__in=sorted({c for _, c in regional}))
    if not condition:
        return {}
    found: dict[_Accounts, list[int]] = defaultdict(list)
    rows = User.objects.filter(condition, is_active=True).values_list("pk", "role", "region_id", "unit_id")
    for pk, role, region, unit in rows:
        key: _Accounts = ("unit", unit) if role == Role.UNIT else (role, str(region or ""))
        if key in keys:
            found[key].append(pk)
    return found


def _mark_overdue(*, today: dt.date, obligations: QuerySet[Obligation]) -> list[Obligation]:
    """Mark the open obligations past their due date overdue, with their audit events; returns them."""
    late = list(obligations.filter(status=Obligation.Status.OPEN, due__lt=today))
    if not late:
        return []
    now = timezone.now()
    Obligation.objects.filter(pk__in=[o.pk for o in late], status=Obligation.Status.OPEN).update(
        status=Obligation.Status.OVERDUE, overdue_at=now
    )
    audit_record_many(
        [
            audit_event(
                actor=None, action="duties.overdue", obj=o, before={"status": "open"},
                after={"status": "overdue", "due": o.due.isoformat()}, region_code=o.region_code,
            )
            for o in late
        ]
    )  # fmt: skip
    return late


def _remind(*, today: dt.date, obligations: QuerySet[Obligation]) -> dict[tuple[_Accounts, int], int]:
    """Note the reminders due on open obligations (``reminded_days``: each day once); returns how many
    obligations each body is reminded of, by (body, days before the due date)."""
    days = catalogue.reminder_days(profile_on(today))
    if not days:
        return {}
    soon = list(
        obligations.filter(status=Obligation.Status.OPEN, due__gte=today, due__lte=today + dt.timedelta(days[0]))
    )
    counts: dict[tuple[_Accounts, int], int] = defaultdict(int)
    changed = []
    for o in soon:
        left = (o.due - today).days
        applicable = {d for d in days if left <= d}
        sent = {int(d) for d in o.reminded_days.split(",") if d}
        if applicable - sent:
            key = catalogue.body_accounts(o.body_type, region_code=o.region_code, unit_id=o.unit_id)
            counts[(key, min(applicable - sent))] += 1
            o.reminded_days = ",".join(str(d) for d in sorted(applicable | sent, reverse=True))
            changed.append(o)
    if changed:
        Obligation.objects.bulk_update(changed, ["reminded_days"])
    return counts


def _notify(*, late: list[Obligation], reminders: dict[tuple[_Accounts, int], int], county_code: str) -> None:
    """Tell each body of its obligations overdue and due soon, and the level above of the overdue ones
    (第十七条). A department above the county hears from each county's task of that county's, named
    (docs/decisions/0181): "下级甲县有 2 项…"; what the job itself marks above the counties, and what a
    county's own department hears, is not named. One notification per body or department and kind."""
    own: dict[_Accounts, int] = defaultdict(int)
    above: dict[_Accounts, int] = defaultdict(int)
    for o in late:
        own[catalogue.body_accounts(o.body_type, region_code=o.region_code, unit_id=o.unit_id)] += 1
        upper = catalogue.level_above(o)
        if upper is not None:
            above[upper] += 1
    if not (own or above or reminders):
        return
    accounts = _accounts({*own, *above, *(key for key, _ in reminders)})
    named = {key for key in above if county_code and not str(key[1]).startswith(county_code)}
    county = ""
    if named:
        county = Region.objects.filter(code=county_code).values_list("name", flat=True).first() or county_code
    mine_url, compliance_url = reverse("duties-mine"), reverse("duties-compliance") + "?status=overdue"
    notify_many(
        [
            *(
                Message(accounts[key], f"您有 {n} 项履职事项已逾期，请尽快履行并登记", url=mine_url)
                for key, n in own.items()
                if accounts.get(key)
            ),
            *(
                Message(
                    accounts[key],
                    f"下级{county if key in named else ''}有 {n} 项履职事项已逾期（第十七条），请督促",
                    url=compliance_url,
                )
                for key, n in above.items()
                if accounts.get(key)
            ),
            *(
                Message(accounts[key], f"您有 {n} 项履职事项将在 {d} 天内到期，请按时履行并登记", url=mine_url)
                for (key, d), n in reminders.items()
                if accounts.get(key)
            ),
        ]
    )


# --- The body fulfils its obligation ------------------------------------------------------------


def _check_fulfil(
    *, actor: User, obligation: Obligation, day: dt.date | None, note: str, files: list[Any], today: dt.date
) -> dict[str, list[str]]:
    if not catalogue.is_body(actor, obligation):
        raise PermissionDenied(f"只有责任主体（{obligation.body_name}）本身可以登记该项职责的履行情况。")
    if obligation.status == Obligation.Status.DONE:
        raise Conflict(f"该项职责已于 {obligation.fulfilled_on:%Y-%m-%d} 登记履行，不能重复登记。")
    errors: dict[str, list[str]] = {}
    if day is None:
        errors["date"] = ["请填写履职日期（YYYY-MM-DD）。"]
    else:
        try:
            catalogue.check_fulfil_date(
                day=day, period_start=obligation.period_start, period_end=obligation.period_end,
                due=obligation.due, today=today, period_label=obligation.period_label,
            )  # fmt: skip
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if not note.strip():
        errors["note"] = ["请简要写明履职情况，例如会议名称、参加人员和研究的事项。"]
    if len(files) > MAX_EVIDENCE_FILES:
        errors["evidence"] = [f"每项职责最多上传 {MAX_EVIDENCE_FILES} 个佐证材料。"]
    return errors


def _lock(obligation: Obligation) -> Obligation:
    fresh = Obligation.objects.select_for_update().get(pk=obligation.pk)
    if fresh.status == Obligation.Status.DONE:  # a racing second fulfilment
        raise Conflict(f"该项职责已于 {fresh.fulfilled_on:%Y-%m-%d} 登记履行，不能重复登记。")
    return fresh


def _fulfil(
    *, actor: User, obligation: Obligation, day: dt.date, note: str, cleaned: Iterable[Any], action: str
) -> Obligation:
    before = snapshot(obligation, _STATE_FIELDS)
    obligation.status = Obligation.Status.DONE
    obligation.fulfilled_on = day
    obligation.note = note.strip()[:4000]
    obligation.fulfilled_by = actor
    obligation.fulfilled_at = timezone.now()
    obligation.save(update_fields=["status", "fulfilled_on", "note", "fulfilled_by", "fulfilled_at"])
    files = [
        Evidence.objects.create(
            obligation=obligation, region_code=obligation.region_code, kind=c.kind, file=c.content,
            original_name=c.original_name, size=c.size, sha256=c.sha256, uploaded_by=actor,
        )
        for c in cleaned
    ]  # fmt: skip
    audit_record(
        actor=actor,
        action=action,
        obj=obligation,
        before=before,
        after={**snapshot(obligation, _STATE_FIELDS), "evidence": [[e.pk, e.original_name, e.sha256] for e in files]},
        region_code=obligation.region_code,
    )
    return obligation


@transaction.atomic
def obligation_fulfil(
    *,
    actor: User,
    obligation: Obligation,
    day: dt.date | None,
    note: str,
    evidence: Iterable[IO[bytes]] = (),
    today: dt.date | None = None,
) -> Obligation:
    """The body records that it fulfilled ``obligation`` on ``day`` (within the period, not in the
    future), with a note and evidence files. Only the body (403); once (409); bad input 400, nothing
    written."""
    today = today or timezone.localdate()
    files = list(evidence)
    errors = _check_fulfil(actor=actor, obligation=obligation, day=day, note=note, files=files, today=today)
    cleaned = []
    if not errors:
        try:
            cleaned = [document_clean(upload, field="evidence") for upload in files]
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    assert day is not None
    locked = _lock(obligation)
    return _fulfil(actor=actor, obligation=locked, day=day, note=note, cleaned=cleaned, action="duties.fulfil")


# --- Written reports drafted by the system (第九条4, 第十三条5) ------------------------------------


@transaction.atomic
def report_file(
    *, actor: User, obligation: Obligation, narrative: str, day: dt.date | None, today: dt.date | None = None
) -> Any:
    """File the written report of a drafted duty: the facts the system knows of the period, as of
    filing, and the body's narrative; this fulfils the obligation (dated the report's day)."""
    from . import reports
    from .models import Report

    today = today or timezone.localdate()
    if not obligation.duty_def.drafted:
        raise ValidationError({"detail": ["该项职责不是书面报告，请直接登记履职情况。"]})
    errors = _check_fulfil(actor=actor, obligation=obligation, day=day, note=narrative or "-", files=[], today=today)
    if not (narrative or "").strip():
        errors["narrative"] = ["请填写报告正文：本期工作情况、存在的问题和下一步打算。"]
    elif len(narrative) > 20000:
        errors["narrative"] = ["报告正文不能超过 20000 字。"]
    if errors:
        raise ValidationError(errors)
    assert day is not None
    locked = _lock(obligation)
    facts = reports.facts_for(locked)
    report = Report.objects.create(
        obligation=locked,
        region_code=locked.region_code,
        title=reports.title_for(locked),
        facts=facts,
        narrative=narrative.strip(),
        filed_on=day,
        filed_by=actor,
    )
    audit_record(
        actor=actor, action="duties.report_file", obj=report,
        after=snapshot(report, ["title", "filed_on", "narrative"]), region_code=report.region_code,
    )  # fmt: skip
    _fulfil(
        actor=actor, obligation=locked, day=day, note=f"已提交书面报告《{report.title}》。", cleaned=[],
        action="duties.fulfil",
    )  # fmt: skip
    return report


# --- 第十七条: an overdue obligation becomes an accountability record ------------------------------


def may_hold_accountable(user: User | AnonymousUser, obligation: Obligation) -> bool:
    """An organization department that sees the obligation, other than the body itself (第十七条: 由各级
    组织部门组织实施)."""
    return scoping.can(user, "assessment.accountability") and not catalogue.is_body(user, obligation)


@transaction.atomic
def accountability_from_obligation(
    *,
    actor: User,
    obligation: Obligation,
    measure: str,
    decided_on: dt.date,
    failed_duty: str,
    facts: str,
    person_name: str = "",
) -> Any:
    """One step from an overdue obligation to an accountability record (第十七条), pre-filled by
    ``catalogue.accountability_prefill``; the obligation keeps the link. Once per obligation (409)."""
    from assessment.services import accountability_record

    if not may_hold_accountable(actor, obligation):
        raise PermissionDenied("追责问责由上级党委组织部门组织实施（第十七条），责任主体本身不能对自己问责。")
    locked = Obligation.objects.select_for_update().get(pk=obligation.pk)
    if locked.accountability_id is not None:
        raise Conflict("该逾期事项已生成追责问责记录，不能重复生成。")
    if locked.status != Obligation.Status.OVERDUE:
        raise ValidationError({"detail": ["只有已逾期且未履行的事项才能转为追责问责记录。"]})
    duty = CATALOGUE[locked.duty]
    record = accountability_record(
        actor=actor,
        measure=measure,
        target_type="unit" if locked.unit_id else "person",
        unit=locked.unit,
        person_name=person_name or ("" if locked.unit_id else f"{locked.body_name}{duty.responsible}"),
        failed_duty=failed_duty,
        facts=facts,
        decided_on=decided_on,
        duty_ref=f"duties.obligation:{locked.pk}",
    )
    locked.accountability = record
    locked.save(update_fields=["accountability"])
    audit_record(
        actor=actor, action="duties.accountability", obj=locked, before={"accountability": None},
        after={"accountability": record.pk, "measure": measure}, region_code=locked.region_code,
    )  # fmt: skip
    return record
