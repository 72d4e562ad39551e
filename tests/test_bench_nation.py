"""The national benchmark in miniature (issue 16 item 5): ``make bench NATION=1`` is not run in CI, so
this seeds the tiny nation and runs each N figure's in-process pieces, to keep them from rotting."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import ApiToken, User
from attendance import rollup
from attendance.models import AbsenceFinding, SignIn
from bench import harness, nation
from bench.nation_seed import PROVINCES, NationSize, asked_month, build_nation, seed_nation
from cadres.idnumbers import id_number_error
from cadres.models import Cadre, Region, Team
from zhucun import scoping
from zhucun.policy import profile_cache_clear

pytestmark = pytest.mark.django_db(transaction=False)

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
#: The frozen morning: the seed's days are 15 to 19 December, this morning half signed in; the cadres
#: already behind the 25 days of December (they needed 13 before today) are counted.
MORNING = dt.datetime(2026, 12, 20, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _morning(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(timezone, "now", lambda: MORNING)
    yield
    profile_cache_clear()  # the seed's all-day sign-in profile must not outlive the rolled-back row


def test_the_nation_has_the_real_province_codes_and_every_level_fits_its_digits() -> None:
    size = NationSize.for_cadres(660000)
    assert (size.provinces, size.cities, size.counties, size.townships, size.villages) == (
        31, 333, 2800, 40000, 220000,
    )  # fmt: skip
    assert [code for code, _ in PROVINCES][:3] == ["11", "12", "13"] and PROVINCES[-1] == ("65", "新疆维吾尔自治区")
    small = NationSize.for_cadres(20000)
    regions, villages = build_nation(small)
    assert len(villages) == small.villages == 6667
    assert {code[:2] for code in villages} == {code for code, _ in PROVINCES}
    assert all(len(r.code) == Region.length_of(r.level) and r.code.startswith(str(r.parent_id)) for r in regions)


def test_the_month_asked_about_is_the_one_with_most_seeded_days() -> None:
    today = dt.date(2026, 12, 3)
    assert asked_month(first_day=today - dt.timedelta(days=30), today=today) == (
        dt.date(2026, 11, 1),
        dt.date(2026, 11, 30),
    )
    today = dt.date(2026, 12, 20)
    assert asked_month(first_day=today - dt.timedelta(days=30), today=today)[0] == dt.date(2026, 12, 1)


def test_the_tiny_nation_is_seeded_through_the_fast_paths_with_its_rollup_exact() -> None:
    seeded = seed_nation(size=NationSize.tiny())
    assert sorted(Region.objects.filter(level=Region.Level.PROVINCE).values_list("code", flat=True)) == [
        "11", "12", "13",
    ]  # fmt: skip
    assert Team.objects.count() == 30 and Cadre.objects.count() == 90
    assert all(id_number_error(number) is None for number in Cadre.objects.values_list("id_number", flat=True))
    today = timezone.localdate()
    assert SignIn.objects.filter(date__lt=today).count() > 90 * 5 * 0.85
    assert SignIn.objects.filter(date__gt=today).count() == 0
    # this morning: some cadres signed in, never one with a token (they sign in during N3)
    morning = set(SignIn.objects.filter(date=today).values_list("cadre_id", flat=True))
    tokens = {cadre_id for cadre_id, _ in seeded.cadre_tokens}
    assert morning and not morning & tokens and len(tokens) == 20
    assert ApiToken.objects.filter(user__cadre_id__in=tokens).count() == 20
    assert not rollup.differences(seeded.first_day, today)
    assert scoping.sees_nation(User.objects.get(username="bench_nation"))
    assert seeded.persona_scopes == {"nation": "", "province": "13", "county": seeded.persona_scopes["county"]}
    assert seeded.month == dt.date(2026, 12, 1) and AbsenceFinding.objects.exists()


def test_every_national_figure_in_miniature() -> None:
    results = nation.smoke()
    assert set(results) == {key for key in harness.GOALS if key.startswith("N")}
    for key, entry in results.items():
        assert {"value", "unit", "baseline", "ratio", "goal"} <= set(entry), key
    assert results["N1.national_p95_ms"]["children"] == 3  # one row per province
    assert results["N3.signin_rps"]["value"] > 0
    assert results["N5.jobs_s"]["findings_created"] > 0  # yesterday's absences, county by county
    if connection.vendor == "postgresql":
        assert results["N4.partitions_scanned"]["value"] == 1
        assert results["N3.pgbench_tps"]["statements_ran"]


def test_the_fan_out_is_read_from_the_workers_log() -> None:
    log = """\
[2026-12-01 05:36:46,164: INFO/MainProcess] Task attendance.absence_findings_county[a4999e17] received
[2026-12-01 05:36:46,167: INFO/MainProcess] Task attendance.absence_findings_county[c980324f] received
[2026-12-01 05:36:46,231: INFO/ForkPoolWorker-1] Task attendance.absence_findings_county[a4999e17] succeeded in 0.06s
[2026-12-01 05:36:48,500: INFO/ForkPoolWorker-2] Task attendance.absence_findings_county[c980324f] succeeded in 2.3s
[2026-12-01 05:36:49,000: INFO/ForkPoolWorker-2] Task zhucun.send_delivery[d1] succeeded in 0.1s: None
"""
    read: dict[str, Any] = nation.fan_out(log)
    assert read == {"outcomes": {"received": 2, "succeeded": 2}, "seconds": 2.336}
