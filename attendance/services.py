"""Attendance writes: sign-in, whereabouts, work logs, absence findings. Each is atomic and audited
(the sign-in's audit record is the row itself: who, when by server and device, where)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Role, User
from cadres.models import Cadre, Team
from zhucun import scoping
from zhucun.audit import audit_record, snapshot, update_audited
from zhucun.photos import photo_clean
from zhucun.policy import profile_on

from . import rules
from .models import AbsenceFinding, CoverageAlert, SignIn, Whereabouts, WorkLog, WorkLogPhoto
from .signals import absence_finding_confirmed

#: How far a phone's clock may run ahead of the server before its time is not believed.
DEVICE_CLOCK_TOLERANCE = dt.timedelta(minutes=10)


@dataclasses.dataclass(frozen=True)
class SignInResult:
    signin: SignIn
    created: bool


def _acting_cadre(actor: User) -> Cadre:
    """The cadre behind a ``cadre`` account, with the team's village: already read with the API token
    (accounts.authentication), else one query."""
    if getattr(actor, "role", "") != Role.CADRE or not actor.cadre_id:
        raise PermissionDenied("只有驻村干部本人可以签到。")
    known = actor.cadre if User.cadre.is_cached(actor) else None  # no query when not read with the token
    if known is not None and Cadre.team.is_cached(known) and Team.village.is_cached(known.team):
        cadre: Cadre = known
    else:
        cadre = Cadre.objects.select_related("team__village").get(pk=actor.cadre_id)
    if cadre.status != Cadre.Status.ACTIVE:
        raise PermissionDenied(f"您的驻村状态为「{cadre.get_status_display()}」，不能签到。")
    return cadre


def signin_create(
    *,
    actor: User,
    client_id: uuid.UUID,
    latitude: Decimal,
    longitude: Decimal,
    device_time: dt.datetime | None = None,
    photo: IO[bytes] | None = None,
) -> SignInResult:
    """第十九条1: the day's sign-in. Idempotent by ``client_id``; one per cadre per day, enforced by
    the database (INSERT … ON CONFLICT DO NOTHING), never by select-then-insert. A sign-in captured
    offline is accepted when synced the same day, with its device time and the server time kept.

    Three queries on the normal path (token, cadre, insert); the policy profile is cached.
    """
    cadre = _acting_cadre(actor)
    now = timezone.now()
    captured = now
    offline = False
    if device_time is not None:
        if device_time > now + DEVICE_CLOCK_TOLERANCE:
            raise ValidationError({"device_time": ["手机时间比服务器快太多，请校准手机时间后重试。"]})
        if timezone.localdate(device_time) != timezone.localdate(now):
            raise ValidationError({"device_time": ["离线签到只能在当天同步，已过当天的签到无法补交。"]})
        offline = now - device_time > dt.timedelta(minutes=2)
        captured = device_time
    day = timezone.localdate(captured)
    profile = profile_on(day)
    village = cadre.team.village
    reading = rules.village_geofence(
        village=village, latitude=float(latitude), longitude=float(longitude), profile=profile
    )
    if reading is None:
        raise ValidationError({"detail": ["驻在村尚未设置位置，暂不能签到，请联系县驻村办。"]})
    distance, inside = reading.distance_m, reading.inside
    try:
        status = rules.signin_status(
            local_time=timezone.localtime(captured).time(), inside_geofence=inside, profile=profile
        )
    except rules.SignInRefused as exc:
        raise ValidationError({"detail": [exc.message]}) from None
    photo_name = ""
    if photo is not None:
        cleaned = photo_clean(photo)
        photo_name = default_storage.save(f"signins/{day:%Y/%m}/{cleaned.name}", cleaned)
    new_id = _insert_signin(
        cadre_id=cadre.pk,
        village_code=village.code,
        day=day,
        client_id=client_id,
        status=status,
        inside=inside,
        distance=distance,
        latitude=latitude,
        longitude=longitude,
        photo=photo_name,
        device_time=device_time,
        server_time=now,
        offline=offline,
    )
    if new_id is not None:
        signin = SignIn(
            pk=new_id, cadre=cadre, village_code=village.code, date=day, client_id=client_id, status=status,
            inside_geofence=inside, distance_m=distance, latitude=latitude, longitude=longitude, photo=photo_name,
            device_time=device_time, server_time=now, offline=offline,
        )  # fmt: skip
        if rules.counts_as_present(status) and rules.after_window(timezone.localtime(now).time(), profile):
            # Alerts exist only once the window has closed, so the morning's sign-ins skip this query.
            _coverage_alert_resolve(actor=actor, village_code=village.code, day=day, now=now)
        return SignInResult(signin=signin, created=True)
    if photo_name:
        default_storage.delete(photo_name)  # a retried or second submission keeps the first photo
    existing = (
        SignIn.objects.filter(cadre=cadre, date=day).first() or SignIn.objects.filter(client_id=client_id).first()
    )
    if existing is None or existing.cadre_id != cadre.pk:
        raise ValidationError({"client_id": ["该客户端编号已被使用，请重新生成后再签到。"]})
    return SignInResult(signin=existing, created=False)


def _coverage_alert_resolve(*, actor: User, village_code: str, day: dt.date, now: dt.datetime) -> None:
    """第五条 保证驻在村每天有驻村干部在岗: someone signed in after the day's alert, so the village is
    covered again; the alert is resolved (audited, with the cadre as the actor)."""
    alert = CoverageAlert.objects.filter(village_code=village_code, date=day, resolved_at__isnull=True).first()
    if alert is not None:
        update_audited(
            actor=actor,
            action="coverage_alert.resolve",
            obj=alert,
            changes={"resolved_at": now},
            region_code=village_code,
        )


def _insert_signin(**values: Any) -> int | None:
    """One INSERT that yields the new id, or None when the day's row or the client id already exists."""
    table = SignIn._meta.db_table
    columns = [
        "cadre_id", "village_code", "date", "client_id", "status", "inside_geofence", "distance_m",
        "latitude", "longitude", "photo", "device_time", "server_time", "offline",
    ]  # fmt: skip
    fields = {f.column: f for f in SignIn._meta.concrete_fields}
    raw = {
        "cadre_id": values["cadre_id"], "village_code": values["village_code"], "date": values["day"],
        "client_id": values["client_id"], "status": values["status"], "inside_geofence": values["inside"],
        "distance_m": values["distance"], "latitude": values["latitude"], "longitude": values["longitude"],
        "photo": values["photo"], "device_time": values["device_time"], "server_time": values["server_time"],
        "offline": values["offline"],
    }  # fmt: skip
    params = [fields[c].get_db_prep_save(raw[c], connection) for c in columns]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    sql = (
        f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({placeholders}) "  # noqa: S608
        "ON CONFLICT DO NOTHING RETURNING id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return int(row[0]) if row else None


# --- Whereabouts (去向公示, 第十九条3) ----------------------------------------------------------


def _may_post_for(actor: User, cadre: Cadre) -> bool:
    """A cadre posts their own whereabouts; the team leader may post for the team's members."""
    if getattr(actor, "role", "") != Role.CADRE:
        return False
    if actor.cadre_id == cadre.pk:
        return True
    leader = actor.cadre
    return bool(leader and leader.is_leader and leader.team_id == cadre.team_id)


@transaction.atomic
def whereabouts_post(*, actor: User, cadre: Cadre, day: dt.date, status: str, note: str = "") -> Whereabouts:
    """Post (or change) a cadre's whereabouts for a day on the team's board."""
    if not _may_post_for(actor, cadre):
        raise PermissionDenied("只有本人或本队队长可以公示去向。")
    if status not in Whereabouts.Status.values:
        raise ValidationError({"status": ["去向应为 在村、请假、外出开会、培训、轮休、其他、公务外出 之一。"]})
    today = timezone.localdate()
    if not today - dt.timedelta(days=1) <= day <= today + dt.timedelta(days=7):
        raise ValidationError({"date": ["只能公示昨天到未来 7 天的去向。"]})
    existing = Whereabouts.objects.select_for_update().filter(cadre=cadre, date=day).first()
    before = snapshot(existing, ["status", "note"]) if existing else None
    row, _ = Whereabouts.objects.update_or_create(
        cadre=cadre,
        date=day,
        defaults={"status": status, "note": note[:100], "posted_by": actor, "village_code": cadre.team.village_id},
    )
    audit_record(
        actor=actor,
        action="whereabouts.post",
        obj=row,
        before=before,
        after=snapshot(row, ["status", "note"]),
        region_code=row.village_code,
    )
    return row


# --- Work logs (工作日志, 第十九条1, 第十五条5) ------------------------------------------------


@transaction.atomic
def work_log_create(*, actor: User, day: dt.date, content: str, photos: list[IO[bytes]] | None = None) -> WorkLog:
    """A cadre records a day's work; photos are uploaded per team (以工作队为单位上传电子照片)."""
    if getattr(actor, "role", "") != Role.CADRE or not actor.cadre_id:
        raise PermissionDenied("只有驻村干部可以记录工作日志。")
    content = (content or "").strip()
    if not content:
        raise ValidationError({"content": ["请填写工作内容。"]})
    if len(content) > 4000:
        raise ValidationError({"content": ["工作内容不超过 4000 字。"]})
    today = timezone.localdate()
    if not today - dt.timedelta(days=7) <= day <= today:
        raise ValidationError({"date": ["只能补记 7 天内的工作日志。"]})
    if photos and len(photos) > 9:
        raise ValidationError({"photos": ["每条日志最多 9 张照片。"]})
    cleaned = [photo_clean(photo, field="photos") for photo in photos or []]
    cadre = actor.cadre
    assert cadre is not None  # a cadre account is bound to its cadre (checked above)
    # The day's log that the day's visits started (work_log_of_day) is the one the cadre now writes:
    # the visits stay in it, nothing is typed twice (issue 14).
    started = WorkLog.objects.select_for_update().filter(author=cadre, date=day, content="").order_by("id").first()
    if started is not None:
        log = started
        update_audited(
            actor=actor, action="work_log.create", obj=log, changes={"content": content}, region_code=log.village_code
        )
    else:
        log = WorkLog.objects.create(
            team_id=cadre.team_id, village_code=cadre.team.village_id, author=cadre, date=day, content=content
        )
        audit_record(actor=actor, action="work_log.create", obj=log, after=snapshot(log), region_code=log.village_code)
    WorkLogPhoto.objects.bulk_create([WorkLogPhoto(log=log, image=default_storage.save(
        f"worklogs/{day:%Y/%m}/{photo.name}", photo)) for photo in cleaned])  # fmt: skip
    return log


@transaction.atomic
def work_log_of_day(*, actor: User, cadre: Cadre, day: dt.date) -> WorkLog:
    """The cadre's work log of ``day`` that the day's other records belong to (a household visit,
    issue 14): the day's first log, or a new one without text yet, which the cadre's own entry of that
    day later fills in (``work_log_create``). The cadre's row lock makes two visits of one day share
    one log. Callers check who may record what; this only composes."""
    Cadre.objects.select_for_update().filter(pk=cadre.pk).first()
    log = WorkLog.objects.filter(author=cadre, date=day).order_by("id").first()
    if log is not None:
        return log
    log = WorkLog.objects.create(
        team_id=cadre.team_id, village_code=cadre.team.village_id, author=cadre, date=day, content=""
    )
    audit_record(actor=actor, action="work_log.create", obj=log, after=snapshot(log), region_code=log.village_code)
    return log


@transaction.atomic
def work_log_check(*, actor: User, log: WorkLog) -> WorkLog:
    """第十五条5: the township checks the team's 工作日志."""
    scoping.require(actor, "attendance.check_work_log")
    locked = WorkLog.objects.select_for_update().get(pk=log.pk)
    if locked.checked_at is not None:
        return locked
    locked.checked_by = actor
    locked.checked_at = timezone.now()
    locked.save(update_fields=["checked_by", "checked_at"])
    audit_record(
        actor=actor,
        action="work_log.check",
        obj=locked,
        before={"checked_at": None},
        after={"checked_at": locked.checked_at.isoformat()},
        region_code=locked.village_code,
    )
    return locked


# --- Absence findings (缺岗记录) -----------------------------------------------------------------


def _refuse_when_excused(cadre: Cadre, day: dt.date, half: str) -> None:
    """第二十条2 不在岗且没有按规定履行请假手续: a finding in a half excused by approved leave or official
    business is refused; one naming no half on a partly excused day must name it (rules.finding_refusal)."""
    from leave.selectors import excused_halves

    excused = excused_halves(cadre_ids=[cadre.pk], start=day, end=day).get(cadre.pk, {}).get(day, {})
    refusal = rules.finding_refusal(half=half, excused=excused)
    if refusal is not None:
        raise ValidationError({"date": [f"{cadre.name} {day:%Y年%m月%d日} {refusal}，不能记为缺岗。"]})


@transaction.atomic
def absence_finding_create(
    *,
    actor: User,
    cadre: Cadre,
    day: dt.date,
    source: str,
    note: str = "",
    half: str = "",
    time: dt.time | None = None,
) -> AbsenceFinding:
    """A finding recorded by township or county staff (明查暗访 and the like). Recorded by an official,
    it is confirmed at once. It names its half — ``half`` (am/pm), or the ``time`` the cadre was found
    away, which decides the half — or the whole day; a half excused by approved leave or official
    business is refused (第二十条2: only absence *without* approved leave counts; 第十九条2: leave is
    counted in half days)."""
    scoping.require(actor, "attendance.record_finding")
    if half not in ("", rules.AM, rules.PM):
        raise ValidationError({"half": ["时段应为 am（上午）或 pm（下午），不填表示全天。"]})
    if time is not None:
        if half and half != rules.half_of(time):
            raise ValidationError({"half": [f"时段与检查时间 {time:%H:%M} 不符，请核对。"]})
        half = rules.half_of(time)
    if source not in AbsenceFinding.Source.values:
        raise ValidationError(
            {
                "source": [
                    "来源应为 inspection（明查暗访）、whereabouts_unposted（未公示去向）或 missing_signin（未签到）。"
                ]
            }
        )
    if day > timezone.localdate():
        raise ValidationError({"date": ["不能记录未来日期的缺岗。"]})
    if day < cadre.term_start:
        raise ValidationError({"date": ["该日期早于该干部的驻村开始日期。"]})
    _refuse_when_excused(cadre, day, half)
    if AbsenceFinding.objects.filter(cadre=cadre, date=day, source=source).exists():
        raise ValidationError({"date": ["该干部当天已有同一来源的缺岗记录。"]})
    finding = AbsenceFinding.objects.create(
        cadre=cadre,
        village_code=cadre.team.village_id,
        date=day,
        source=source,
        half=half,
        observed_at=time,
        status=AbsenceFinding.Status.CONFIRMED,
        note=note[:300],
        recorded_by=actor,
        decided_by=actor,
        decided_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action="absence_finding.create",
        obj=finding,
        after=snapshot(finding),
        region_code=finding.village_code,
    )
    absence_finding_confirmed.send(sender=AbsenceFinding, finding=finding, actor=actor)
    return finding


@transaction.atomic
def absence_finding_decide(*, actor: User, finding: AbsenceFinding, confirm: bool, reason: str) -> AbsenceFinding:
    """The township confirms or dismisses a pending finding (a job found a missing sign-in or an
    unposted whereabouts). Only confirmed findings count toward recall."""
    scoping.require(actor, "attendance.decide_finding")
    reason = (reason or "").strip()
    if not confirm and not reason:
        raise ValidationError({"reason": ["排除缺岗记录须填写理由。"]})
    locked = AbsenceFinding.objects.select_for_update().select_related("cadre").get(pk=finding.pk)
    if locked.status != AbsenceFinding.Status.PENDING:
        from zhucun.api.errors import Conflict

        raise Conflict(f"该缺岗记录已{locked.get_status_display()}，无需重复处理。")
    if confirm:
        _refuse_when_excused(locked.cadre, locked.date, locked.half)
    update_audited(
        actor=actor,
        action="absence_finding.confirm" if confirm else "absence_finding.dismiss",
        obj=locked,
        changes={
            "status": AbsenceFinding.Status.CONFIRMED if confirm else AbsenceFinding.Status.DISMISSED,
            "decided_by": actor,
            "decided_at": timezone.now(),
            "decision_reason": reason[:300],
        },
        region_code=locked.village_code,
    )
    if confirm:
        absence_finding_confirmed.send(sender=AbsenceFinding, finding=locked, actor=actor)
    return locked
