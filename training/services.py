"""Writes of training (第十三条4, 第十五条3): atomic, validated first (Chinese messages by field,
nothing written), audited in the same transaction. Enrolling records the days as official business in
bulk (leave.services.official_business_record_many), a fixed number of queries for any number of cadres."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cadres.models import Cadre, Region
from leave.models import OfficialBusiness
from leave.services import official_business_record_many
from zhucun.audit import audit_event, audit_record, audit_record_many, snapshot

from . import rules
from .models import TrainingAttendance, TrainingEvent

if TYPE_CHECKING:
    from accounts.models import User


@transaction.atomic
def event_create(
    *, actor: User, title: str, kind: str, start: dt.date, end: dt.date, place: str, today: dt.date | None = None
) -> TrainingEvent:
    """Record a training event organized by the actor's department or township."""
    organizer = rules.organizer_of(actor)
    if organizer is None:
        raise PermissionDenied("培训由各级党委组织部门或乡镇党委举办，您的角色无权登记。")
    today = today or timezone.localdate()
    rules.clean_event(organizer=organizer, kind=kind, start=start, end=end, today=today)
    title, place = (title or "").strip(), (place or "").strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = ["请填写培训名称，例如「2026年全县驻村干部轮训班」。"]
    if not place:
        errors["place"] = ["请填写培训地点。"]
    if errors:
        raise ValidationError(errors)
    region = Region.objects.filter(code=organizer.region_code).values_list("name", flat=True).first() or ""
    event = TrainingEvent.objects.create(
        title=title[:100],
        kind=kind,
        organizer_level=organizer.level,
        region_code=organizer.region_code,
        organizer_name=f"{region}{'党委' if organizer.level == 'township' else '委组织部'}",
        start=start,
        end=end,
        place=place[:100],
        created_by=actor,
    )
    audit_record(actor=actor, action="training.event_create", obj=event, after=snapshot(event))
    return event


@dataclasses.dataclass(frozen=True)
class EnrolResult:
    enrolled: int
    already: int

    def as_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)


@transaction.atomic
def event_enrol(*, actor: User, event: TrainingEvent, cadres: list[Cadre]) -> EnrolResult:
    """Record who attended (the event already fetched through the actor's scope, the cadres too). Only
    the organizing body enrols; each cadre must be one it may train (rules.py); the days become
    official business. Cadres already enrolled are left as they are (a second submission changes
    nothing)."""
    if not rules.is_organizer_of(actor, event):
        raise PermissionDenied("只有举办该培训的组织部门或乡镇党委可以登记参训人员。")
    organizer = rules.organizer_of(actor)
    assert organizer is not None
    if not cadres:
        raise ValidationError({"cadres": ["请选择参训的驻村干部。"]})
    ids = [cadre.pk for cadre in cadres]
    allowed = set(Cadre.objects.filter(pk__in=ids).filter(rules.enrollable_q(organizer)).values_list("pk", flat=True))
    refused = [cadre for cadre in cadres if cadre.pk not in allowed]
    if refused:
        names = "、".join(cadre.name for cadre in refused[:10]) + ("等" if len(refused) > 10 else "")
        local = organizer.level in ("county", "township")
        whom = "本辖区在岗的各级驻村干部" if local else "本级派出、在岗的驻村干部"
        raise PermissionDenied(f"{names}不在可以调训的驻村干部之列（{rules.LEVEL_NAMES[organizer.level]}调训{whom}）。")
    TrainingEvent.objects.select_for_update().filter(pk=event.pk).first()  # one enrolment at a time
    already = set(TrainingAttendance.objects.filter(event=event, cadre_id__in=ids).values_list("cadre_id", flat=True))
    fresh = list(
        Cadre.objects.filter(pk__in=[pk for pk in dict.fromkeys(ids) if pk not in already]).select_related("team")
    )
    businesses = official_business_record_many(
        actor=actor,
        cadres=fresh,
        kind=OfficialBusiness.Kind.TRAINING,
        start=event.start,
        end=event.end,
        title=f"{event.get_kind_display()}：{event.title}",
        source=OfficialBusiness.Source.TRAINING_EVENT,
        source_ref=f"training_event:{event.pk}",
    )
    by_cadre = {business.cadre_id: business for business in businesses}
    rows = TrainingAttendance.objects.bulk_create(
        [
            TrainingAttendance(
                event=event,
                cadre=cadre,
                village_code=cadre.team.village_id,
                business=by_cadre[cadre.pk],
                enrolled_by=actor,
            )
            for cadre in fresh
        ],
        batch_size=1000,
    )
    audit_record_many(
        [
            audit_event(
                actor=actor,
                action="training.enrol",
                obj=row,
                before=None,
                after=snapshot(row),
                region_code=row.village_code,
            )
            for row in rows
        ]
    )
    return EnrolResult(enrolled=len(rows), already=len(already))
