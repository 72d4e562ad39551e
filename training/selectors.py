"""Reads of training. Each is a fixed number of queries whatever the number of events or cadres."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, QuerySet

from cadres.models import Cadre
from zhucun import scoping

from . import rules
from .models import TrainingAttendance, TrainingEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


def events(*, user: User | AnonymousUser) -> QuerySet[TrainingEvent]:
    return scoping.restrict(TrainingEvent.objects.all(), user).annotate(attendee_count=Count("attendances"))


def attendances(*, user: User | AnonymousUser) -> QuerySet[TrainingAttendance]:
    return scoping.restrict(TrainingAttendance.objects.all(), user).select_related(
        "event", "cadre__team__village", "cadre__unit"
    )


def untrained(*, user: User | AnonymousUser, year: int) -> QuerySet[Cadre]:
    """第十三条4 每年至少对驻村干部轮训1次: the cadres in post the user's department answers for who have
    attended no rotation training starting in ``year``. One query (a NOT EXISTS)."""
    department = scoping.department_of(user)
    if department is None:
        return Cadre.objects.none()
    trained = TrainingAttendance.objects.filter(rules.rotation_year_q(year), cadre_id=OuterRef("pk"))
    return (
        scoping.restrict(Cadre.objects.filter(status=Cadre.Status.ACTIVE), user)
        .filter(rules.duty_cadres_q(department))
        .filter(~Exists(trained))
        .select_related("team__village", "unit")
        .order_by("team__village_id", "name", "id")
    )
