"""The benchmark harness in miniature (issue 6): ``make bench`` is not run in CI, so this runs each of
its figures on the tiny ``seed_scale --small`` preset, in-process, to keep the harness from rotting."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from django.core.management import call_command

from accounts.models import User
from attendance import rollup
from attendance.models import SignIn, SignInMonth
from bench import harness
from cadres.idnumbers import id_number_error
from cadres.models import Cadre, Region, Team
from zhucun.policy import profile_cache_clear

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture(autouse=True)
def _forget_the_bench_policy_profile() -> Iterator[None]:
    """seed_scale adds an all-day sign-in window for today; the profile cache must not outlive the
    rolled-back row into other tests."""
    yield
    profile_cache_clear()


def test_seed_scale_small_builds_a_valid_province_through_the_fast_paths() -> None:
    call_command("seed_scale", "--small", stdout=io.StringIO())
    villages = Region.objects.filter(level=Region.Level.VILLAGE)
    assert villages.count() == 20
    assert all(len(code) == 12 and code.startswith("13") for code in villages.values_list("code", flat=True))
    assert Region.objects.filter(level=Region.Level.COUNTY).count() == 4
    assert Cadre.objects.count() == 60
    assert all(id_number_error(number) is None for number in Cadre.objects.values_list("id_number", flat=True))
    for team in Team.objects.all():
        assert team.cadres.filter(role=Cadre.Role.FIRST_SECRETARY_LEADER).count() == 1
    assert SignIn.objects.exclude(village_code__startswith="13").count() == 0
    # the COPY ran with the rollup trigger off and the months were rebuilt after (decision 0177)
    first, last = SignIn.objects.order_by("date").first(), SignIn.objects.order_by("date").last()
    assert first is not None and last is not None
    assert SignInMonth.objects.exists() and rollup.differences(first.date, last.date) == []
    assert SignIn.objects.count() > 60 * 10 * 0.8
    assert User.objects.filter(username__startswith="bench_").count() == 4


def test_the_bench_harness_produces_every_figure_of_results_json() -> None:
    results = harness.smoke()
    assert set(results) == {key for key in harness.GOALS if key.startswith("B")}  # N: tests/test_bench_nation.py
    for key, entry in results.items():
        assert {"value", "unit", "baseline", "ratio", "goal"} <= set(entry), key
    assert results["B1.queries"]["value"] <= 6
    assert results["B4.import_s"]["created"]["cadres"] == 30
    assert results["B6.max_query_growth"]["value"] is not None
    # issue 12: the funds overview one level down and the county's ledger, each with its pass/fail
    assert results["B7.county_ledger_export_s"]["rows"] >= 5 * 50  # the county's 5 teams, ~60 entries each
    assert all(results[key]["met"] is not None for key in results if key.startswith("B7."))
    # issue 13: the year's obligations of every body, and the compliance pages beside their own SQL
    assert results["B8.generate_year_s"]["obligations"] > 100
    assert results["B8.province_compliance_p95_ms"]["rows"] == 50
