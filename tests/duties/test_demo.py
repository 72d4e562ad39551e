"""`make run` shows a real year of duties: open, done and overdue obligations, a filed report."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from duties.demo import seed_duties
from duties.models import Obligation, Report


@pytest.mark.django_db
def test_seed_demo_generates_this_years_obligations_with_some_done() -> None:
    call_command("seed_demo")
    statuses = set(Obligation.objects.values_list("status", flat=True))
    assert Obligation.objects.exists()
    assert statuses <= {"open", "done", "overdue"} and "done" in statuses


@pytest.mark.django_db
def test_the_demo_on_a_november_day_has_open_done_and_overdue_obligations_and_a_filed_report() -> None:
    call_command("seed_demo")
    Obligation.objects.filter(year=2025).delete()
    assert seed_duties(today=dt.date(2025, 11, 20)) > 0
    year = Obligation.objects.filter(year=2025)
    assert {"open", "done", "overdue"} <= set(year.values_list("status", flat=True))
    assert Report.objects.filter(obligation__year=2025).exists()
    assert seed_duties(today=dt.date(2025, 11, 20)) == 0  # idempotent
