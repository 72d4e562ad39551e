"""Reads of households and visits. Each function issues a fixed number of queries whatever the number
of households or visits (issue 14: ~2 million households, ~16 million visits a year): the due list is
one indexed, set-based query on ``Household.last_visit_on`` (kept by the visit service), coverage is one
aggregate over the visits of a village prefix. Scope comes from zhucun.scoping."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, OuterRef, QuerySet, Subquery
from django.utils import timezone

from cadres.models import Region
from zhucun import scoping
from zhucun.policy import profile_on

from . import rules
from .models import Household, Visit


def cutoffs_on(today: dt.date | None = None) -> rules.Cutoffs:
    today = today or timezone.localdate()
    return rules.cutoffs(today=today, profile=profile_on(today))


def households(*, user: Any, today: dt.date | None = None) -> QuerySet[Household]:
    """The households the user sees, each with its village's name and whether its visit is due and
    overdue today (annotated in SQL: the rows of a page cost no further query)."""
    cut = cutoffs_on(today)
    return scoping.restrict(Household.objects.all(), user).annotate(
        village_name=Subquery(Region.objects.filter(code=OuterRef("village_code")).values("name")[:1]),
        is_due=ExpressionWrapper(cut.due_q(), output_field=BooleanField()),
        is_overdue=ExpressionWrapper(cut.overdue_q(), output_field=BooleanField()),
    )


def due(queryset: QuerySet[Household], *, today: dt.date | None = None) -> QuerySet[Household]:
    """第六条7–8: the households of ``queryset`` whose visit is due (overdue ones included)."""
    return queryset.filter(cutoffs_on(today).due_q())


def overdue(queryset: QuerySet[Household], *, today: dt.date | None = None) -> QuerySet[Household]:
    """The households of ``queryset`` that missed a whole period (rules.py)."""
    return queryset.filter(cutoffs_on(today).overdue_q())


def visits(*, user: Any) -> QuerySet[Visit]:
    """The visits the user sees, with the household and the cadre joined."""
    return scoping.restrict(Visit.objects.all(), user).select_related("household", "cadre")
