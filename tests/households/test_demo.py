"""`make run` shows households and visits: the demo has due and overdue households in 龙州镇, a
coverage chart, and every visit in a work log of its day."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db.models import F
from django.test import Client

from accounts.models import User
from households import selectors
from households.models import Household, Visit


@pytest.mark.django_db
def test_the_demo_province_has_households_due_and_overdue() -> None:
    call_command("seed_demo")
    assert Household.objects.count() == 30 * 24
    assert not Visit.objects.exclude(work_log__date=F("date")).exists()
    assert not Visit.objects.exclude(work_log__author=F("cadre")).exists()
    township = Household.objects.filter(village_code__startswith="130125100")
    assert selectors.overdue(township).exists()
    assert selectors.due(township).count() > selectors.overdue(township).count()
    client = Client()
    client.force_login(User.objects.get(username="longzhou"))
    page = client.get("/households/regions/130125100/")
    assert page.status_code == 200 and "visits-coverage-data" in page.content.decode()
    call_command("seed_demo")  # idempotent
    assert Household.objects.count() == 30 * 24
