"""Supervision reads. Each starts from the caller's scoped queryset (zhucun.scoping) and owns its
``select_related``, so a list's queries do not grow with its rows."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from cadres.models import Cadre
from zhucun import scoping

from .models import PresenceCheck


def presence_checks(*, user: Any) -> QuerySet[PresenceCheck]:
    """The checks the user sees: a region's, or a cadre's own."""
    return scoping.restrict(PresenceCheck.objects.select_related("cadre", "issued_by"), user).order_by(
        "-issued_at", "-id"
    )


def my_presence_checks(*, user: Any) -> QuerySet[PresenceCheck]:
    """The caller's own checks as a cadre (``?mine=true``); nothing for anyone else."""
    cadre_id = getattr(user, "cadre_id", None) if getattr(user, "role", "") == "cadre" else None
    return presence_checks(user=user).filter(cadre_id=cadre_id or 0)


def issuable_cadres(*, user: Any) -> QuerySet[Cadre]:
    """The cadres in post the user may ask to confirm presence (their region's, or lent by a grant)."""
    return (
        scoping.restrict(Cadre.objects.filter(status=Cadre.Status.ACTIVE), user)
        .select_related("team__village")
        .order_by("team__village_id", "role", "name")
    )
