"""The attendance jobs' work, set-based per county (one task per county, never one per cadre) and
idempotent through the tables' unique constraints: running twice changes nothing."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from accounts.models import Role, User
from cadres.models import Cadre, Region, Team
from zhucun.audit import audit_event, audit_record_many, snapshot
from zhucun.notifications import notify

from .models import AbsenceFinding, CoverageAlert, SignIn, Whereabouts
from .selectors import PRESENT, leave_days


def county_codes() -> list[str]:
    return list(
        Region.objects.filter(level=Region.Level.COUNTY, children__isnull=False)
        .distinct()
        .values_list("code", flat=True)
    )


@transaction.atomic
def coverage_check(*, county_code: str, day: dt.date) -> int:
    """第五条 保证驻在村每天有驻村干部在岗: at the end of the sign-in window, every village of the
    county whose team has active cadres and where none signed in inside the geofence gets an alert,
    and its township's officials a notification. Returns the number of new alerts."""
    present = SignIn.objects.filter(village_code=OuterRef("village_id"), date=day, status__in=PRESENT)
    staffed = Cadre.objects.filter(team_id=OuterRef("pk"), status=Cadre.Status.ACTIVE)
    uncovered = list(
        Team.objects.filter(village__code__startswith=county_code)
        .filter(Exists(staffed), ~Exists(present))
        .values_list("village_id", "village__name")
    )
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
        by_township.setdefault(code[:9], []).append(name)
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


@transaction.atomic
def absence_findings_for_day(*, county_code: str, day: dt.date) -> int:
    """A day's absences without leave become *pending* findings for the township to confirm or
    dismiss (第十九条1 and 3). One finding per cadre-day:

    * no sign-in inside the geofence, no approved leave, and no whereabouts posted → 未公示去向
      (按缺岗处理);
    * no sign-in, no leave, but 在村 posted → 未签到;
    * a posted whereabouts other than 在村 (外出开会, 培训, 轮休 …) is a known absence, not a finding.
    """
    present = SignIn.objects.filter(cadre_id=OuterRef("pk"), date=day, status__in=PRESENT)
    candidates = list(
        Cadre.objects.filter(
            team__village__code__startswith=county_code, status=Cadre.Status.ACTIVE, term_start__lte=day
        )
        .filter(~Exists(present))
        .values_list("pk", "team__village_id")
    )
    if not candidates:
        return 0
    ids = [pk for pk, _ in candidates]
    on_leave = leave_days(cadre_ids=ids, start=day, end=day)
    posted = dict(Whereabouts.objects.filter(cadre_id__in=ids, date=day).values_list("cadre_id", "status"))
    findings = []
    for pk, village_code in candidates:
        if pk in on_leave:
            continue
        status = posted.get(pk)
        if status is None:
            source = AbsenceFinding.Source.WHEREABOUTS_UNPOSTED
        elif status == Whereabouts.Status.IN_VILLAGE:
            source = AbsenceFinding.Source.MISSING_SIGNIN
        else:
            continue
        findings.append(AbsenceFinding(cadre_id=pk, village_code=village_code, date=day, source=source))
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
