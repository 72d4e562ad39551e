"""B9 in miniature (issue 14): ``make bench`` is not run in CI, so its household seeding (PostgreSQL
SQL), the due list's baseline SQL and the import probe run here on the tiny ``seed_scale --small``
province — on PostgreSQL only (the seeding is PostgreSQL SQL, as the benchmark's database is)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection

from bench import b9_households as b9
from households import selectors
from households.models import Household, Visit
from zhucun.policy import profile_cache_clear

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the benchmark's seeding is PostgreSQL SQL")


def test_the_b9_seed_builds_households_visits_and_their_last_visit_dates() -> None:
    call_command("seed_scale", "--small", stdout=io.StringIO())
    profile_cache_clear()
    counts = b9.seed(per_village=40, log=lambda message: None)
    assert counts["households"] == 20 * 40 == Household.objects.count()
    assert counts["visits"] == Visit.objects.count() > 0
    assert not Visit.objects.filter(work_log__isnull=True).exists()
    wrong = [h for h in Household.objects.all() if h.last_visit_on != max(
        (v.date for v in h.visits.all()), default=None)]  # fmt: skip
    assert wrong == []
    first = Household.objects.values_list("village_code", flat=True).first()
    assert first is not None
    prefix = first[:9]
    with connection.cursor() as cursor:
        cursor.execute(b9.due_sql(prefix).split(";")[0])
        (count,) = cursor.fetchone()
    assert count == selectors.due(Household.objects.filter(village_code__startswith=prefix)).count() > 0
    seconds = b9.measure_import(username="bench_township", rounds=1, rows=50)
    assert len(seconds) == 1
