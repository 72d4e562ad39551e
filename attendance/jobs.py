"""The attendance jobs' work, set-based per county (one task per county, never one per cadre) and
idempotent through the tables' unique constraints: running twice changes nothing."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import Role, User
from cadres.models import Cadre, Region, Team
from leave.selectors import excused_halves
from zhucun.audit import audit_event, audit_record_many, snapshot
from zhucun.notifications import notify

from . import rules
from .models import AbsenceFinding, CoverageAlert, SignIn, Whereabouts
from .rules import PRESENT
from .selectors import someone_present


@transaction.atomic
def coverage_check(*, county_code: str, day: dt.date) -> int:
    """第五条 保证驻在村每天有驻村干部在岗: at the end of the sign-in window, every village of the
    county with a team where nobody signed in inside the geofence gets an alert, and its township's
    officials a notification — a village whose cadres were all recalled or whose terms ended too: it
    still needs a cadre on duty (docs/decisions/0075). Alerts of the day whose village has since been
    signed into are resolved (the sign-in does it at once; this is the backstop). Returns the number
    of new alerts."""
    uncovered = list(
        Team.objects.filter(village__code__startswith=county_code)
        .filter(~someone_present(day))
        .values_list("village_id", "village__name")
    )
    _resolve_covered(county_code=county_code, day=day)
    existing = set(
        CoverageAlert.objects.filter(date=day, village_code__startswith=county_code).values_list(
            "village_code", flat=True
        )
    )
    new = [(code, name) for code, name in uncovered if code not in existing]
    # No ignore_conflicts: the rows were filtered above inside this transaction, and the ids are
    # needed for the audit trail; a concurrent duplicate run fails on the unique constraint instead.
    alerts = CoverageAlert.objects.bulk_create([CoverageAlert(village_code=code, date=day) for code, _ in new])
    audit_record_many(
        [audit_event(actor=None, action="coverage_alert.create", obj=a, before=None, after=snapshot(a),
                     region_code=a.village_code) for a in alerts]
    )  # fmt: skip
    by_township: dict[str, list[str]] = {}
    for code, name in new:
        by_township.setdefault(Region.township_of(code), []).append(name)
    recipients = User.objects.filter(role=Role.TOWNSHIP, region_id__in=list(by_township), is_active=True)
    for township_code, names in by_township.items():
        ids = [user.pk for user in recipients if user.region_id == township_code]
        if ids:
            notify(
                recipient_ids=ids,
                title=f"今日 {len(names)} 个村无驻村干部在岗",
                body="、".join(names[:10]) + ("等" if len(names) > 10 else ""),
                url=f"/attendance/dashboard/{township_code}/",
            )
    return len(new)


def _resolve_covered(*, county_code: str, day: dt.date) -> None:
    alerts = list(
        CoverageAlert.objects.select_for_update()
        .filter(village_code__startswith=county_code, date=day, resolved_at__isnull=True)
        .filter(someone_present(day, "village_code"))
    )
    if not alerts:
        return
    now = timezone.now()
    CoverageAlert.objects.filter(pk__in=[a.pk for a in alerts]).update(resolved_at=now)
    audit_record_many(
        [audit_event(actor=None, action="coverage_alert.resolve", obj=a, before={"resolved_at": None},
                     after={"resolved_at": now.isoformat()}, region_code=a.village_code) for a in alerts]
    )  # fmt: skip


@transaction.atomic
def absence_findings_for_day(*, county_code: str, day: dt.date) -> int:
    """A day's absences without approval become *pending* findings for the township to confirm or
    dismiss (第十九条1 and 3, 第二十条2). Only approved leave and official business excuse, each its
    own half (``leave.selectors.excused_halves``; docs/decisions/0070, 0073); one finding per cadre-day,
    for the half left unexcused (or the whole day), its source from what was posted
    (``rules.finding_source_for``):

    * nothing posted → 未公示去向 (按缺岗处理);
    * 在村 posted but no sign-in → 未签到;
    * 请假, 轮休, 外出开会, 其他 … posted without approval → 离村未经批准 — a posting is the cadre's
      word, not an approval, whoever posted it.
    """
    present = SignIn.objects.filter(cadre_id=OuterRef("pk"), date=day, status__in=PRESENT)
    candidates = list(
        Cadre.objects.filter(
            team__village__code__startswith=county_code,
            status=Cadre.Status.ACTIVE,
            term_start__lte=day,
            term_end__gte=day,
        )
        .filter(~Exists(present))
        .values_list("pk", "team__village_id")
    )
    if not candidates:
        return 0
    ids = [pk for pk, _ in candidates]
    excused = excused_halves(cadre_ids=ids, start=day, end=day)
    posted = dict(Whereabouts.objects.filter(cadre_id__in=ids, date=day).values_list("cadre_id", "status"))
    labels = dict(Whereabouts.Status.choices)
    findings = []
    for pk, village_code in candidates:
        half = rules.unexcused_half(excused.get(pk, {}).get(day, {}))
        if half is None:
            continue
        status = posted.get(pk)
        source = rules.finding_source_for(status)
        note = ""
        if status is not None and source == AbsenceFinding.Source.UNAPPROVED_ABSENCE:
            note = f"公示为「{labels[status]}」，无已批准的请假或公务。"
        findings.append(
            AbsenceFinding(cadre_id=pk, village_code=village_code, date=day, source=source, half=half, note=note)
        )
    already = set(AbsenceFinding.objects.filter(cadre_id__in=ids, date=day).values_list("cadre_id", flat=True))
    new = AbsenceFinding.objects.bulk_create([finding for finding in findings if finding.cadre_id not in already])
    audit_record_many(
        [audit_event(actor=None, action="absence_finding.detect", obj=f, before=None, after=snapshot(f),
                     region_code=f.village_code) for f in new]
    )  # fmt: skip
    return len(new)


@transaction.atomic
def coordinates_erase(*, before: dt.date) -> int:
    """SPEC.md "Light on the cadres": raw sign-in coordinates are kept for the retention period, then
    erased; the inside/outside decision and the distance stay."""
    return (
        SignIn.objects.filter(date__lt=before)
        .filter(Q(latitude__isnull=False) | Q(longitude__isnull=False))
        .update(latitude=None, longitude=None)
    )
