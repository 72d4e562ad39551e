"""Reactions to other apps' signals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.dispatch import receiver

from attendance.models import AbsenceFinding
from attendance.signals import absence_finding_confirmed

if TYPE_CHECKING:
    from accounts.models import User


@receiver(absence_finding_confirmed, sender=AbsenceFinding, dispatch_uid="assessment.recall_on_absence")
def recall_on_confirmed_absence(sender: type[AbsenceFinding], finding: AbsenceFinding, actor: User, **_: Any) -> None:
    """第二十条2: the third confirmed absence day opens the recall case at once, in the transaction that
    confirmed the finding (the nightly job is the backstop)."""
    from .services import recall_detect_absences

    recall_detect_absences(cadre_ids=[finding.cadre_id], actor=None)
