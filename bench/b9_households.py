"""B9 (issue 14): households and visits at Hebei size, kept apart from the other figures of
``bench/run.py`` (it calls ``run`` once, after the others).

* ``seed``: ~270 households in every team village (15% poor, 90% of the others resident: ~2 million at
  Hebei size) and a quarter of a year's visits by each team's leader — the poor every month, the
  resident non-poor every other month (~3 million) — each in a work log of its day, then
  ``last_visit_on`` from the visits: all set-based SQL, like ``seed_scale``'s fast paths.
* ``measure_import``: the service importing a village's 500-row household list (in-process).
* ``run``: seed, then the due list of the township and county personas through the API under
  gunicorn beside the same question in raw SQL (psql), and the import; returns the B9 figures.

Needs a configured Django (the caller's ``django.setup()``). Not named ``households``: bench/ is on
``sys.path`` in the benchmark, and the module would hide the app of that name.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.utils import timezone

HOUSEHOLDS_PER_VILLAGE = int(os.environ.get("BENCH_HOUSEHOLDS_PER_VILLAGE", "270"))
#: months of visits seeded back from this one (a quarter of the year's ~16 million)
VISIT_MONTHS = 3

GOALS: dict[str, dict[str, str]] = {
    "B9.township_due_p95_ms": {"unit": "ms", "goal": "<= 50"},
    "B9.county_due_p95_ms": {"unit": "ms", "goal": "<= 150"},
    "B9.import_500_s": {"unit": "s", "goal": "<= 2"},
}


def figure(key: str, value: float | None, baseline: float | None = None, **extra: Any) -> dict[str, Any]:
    """One entry of results.json, shaped as bench/harness.py's."""
    return {
        "value": None if value is None else round(value, 3),
        "unit": GOALS[key]["unit"],
        "baseline": None if baseline is None else round(baseline, 3),
        "ratio": round(value / baseline, 3) if value is not None and baseline else None,
        "goal": GOALS[key]["goal"],
        **extra,
    }


def seed(*, per_village: int = HOUSEHOLDS_PER_VILLAGE, log: Callable[[str], None] = print) -> dict[str, int]:
    """Households of every team village and a quarter of visits (module docstring). Returns counts."""
    from households.models import Household, Visit

    if Household.objects.exists():  # BENCH_REUSE=1: a kept database already has them
        return {"households": Household.objects.count(), "visits": Visit.objects.count(), "work_logs": 0}
    today = timezone.localdate()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO households_household
                (village_code, head_name, house_number, kind, resident, phone, registered_on, created_at, updated_at)
            SELECT t.village_id, '户主' || n, n::text || '号',
                   CASE WHEN n %% 20 < 3 THEN 'poor' ELSE 'non_poor' END, n %% 10 <> 9, '', %s, now(), now()
            FROM cadres_team t CROSS JOIN generate_series(1, %s) AS n
            """,
            [today.replace(day=1, year=today.year - 1), per_village],
        )
        households = cursor.rowcount
        log(f"  B9 seed: {households} households in {time.perf_counter() - started:.1f} s")
        # The plan: each household's visits of the last months (poor monthly, resident non-poor every
        # other month), by the team's leader, on a day of the month that varies by household.
        cursor.execute("DROP TABLE IF EXISTS bench_visit_plan")
        cursor.execute(
            """
            CREATE TEMP TABLE bench_visit_plan AS
            SELECT h.id AS household_id, h.village_code, h.kind, c.id AS cadre_id, t.id AS team_id,
                   (date_trunc('month', %s::date) - make_interval(months => b))::date
                       + ((h.id * 7 + b) %% 28)::int AS date
            FROM households_household h
            JOIN cadres_team t ON t.village_id = h.village_code
            JOIN cadres_cadre c
              ON c.team_id = t.id AND c.role IN ('first_secretary_leader', 'leader') AND c.status = 'active'
            CROSS JOIN generate_series(0, %s) AS b
            WHERE h.kind = 'poor' OR (h.resident AND (h.id + b) %% 2 = 0)
            """,
            [today, VISIT_MONTHS - 1],
        )
        cursor.execute("DELETE FROM bench_visit_plan WHERE date > %s", [today])
        cursor.execute(
            """
            INSERT INTO attendance_worklog (team_id, village_code, author_id, date, content, created_at)
            SELECT DISTINCT p.team_id, p.village_code, p.cadre_id, p.date, '', now()
            FROM bench_visit_plan p
            WHERE NOT EXISTS (SELECT 1 FROM attendance_worklog w WHERE w.author_id = p.cadre_id AND w.date = p.date)
            """
        )
        logs = cursor.rowcount
        cursor.execute(
            """
            INSERT INTO households_visit
                (household_id, village_code, cadre_id, work_log_id, date, household_kind, note, monthly_income,
                 education_ok, health_ok, housing_ok, created_at)
            SELECT p.household_id, p.village_code, p.cadre_id, w.id, p.date, p.kind, '入户走访',
                   CASE WHEN p.kind = 'poor' THEN 1200 + p.household_id % 800 END,
                   CASE WHEN p.kind = 'poor' THEN true END, CASE WHEN p.kind = 'poor' THEN true END,
                   CASE WHEN p.kind = 'poor' THEN p.household_id % 13 <> 0 END, now()
            FROM bench_visit_plan p
            JOIN LATERAL (
                SELECT min(id) AS id FROM attendance_worklog w WHERE w.author_id = p.cadre_id AND w.date = p.date
            ) w ON true
            """
        )
        visits = cursor.rowcount
        # Some households fall behind: drop the visits of every 17th in the last two months (overdue).
        cursor.execute(
            "DELETE FROM households_visit WHERE household_id %% 17 = 0 AND date >= %s",
            [(today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)],
        )
        visits -= cursor.rowcount
        cursor.execute(
            """
            UPDATE households_household h SET last_visit_on = v.last
            FROM (SELECT household_id, max(date) AS last FROM households_visit GROUP BY household_id) v
            WHERE v.household_id = h.id
            """
        )
        cursor.execute("DROP TABLE bench_visit_plan")
    log(f"  B9 seed: {visits} visits in {logs} new work logs, {time.perf_counter() - started:.1f} s in all")
    return {"households": households, "visits": visits, "work_logs": logs}


def due_sql(prefix: str) -> str:
    """The due list's question in raw SQL (the psql baseline): the count and the first page."""
    from households.selectors import cutoffs_on

    assert prefix.isdigit(), prefix  # a region code: digits only, safe to inline
    cut = cutoffs_on()
    poor, other = cut.poor_due_before.isoformat(), cut.non_poor_due_before.isoformat()
    where = (
        f"village_code LIKE '{prefix}%' AND ((kind = 'poor' AND (last_visit_on IS NULL OR last_visit_on < '{poor}'))"
        f" OR (kind = 'non_poor' AND resident AND (last_visit_on IS NULL OR last_visit_on < '{other}')))"
    )
    columns = "id, village_code, head_name, kind, resident, last_visit_on"
    count = f"SELECT count(*) FROM households_household WHERE {where};"  # noqa: S608
    order = "ORDER BY village_code, head_name, id LIMIT 50"
    page = f"SELECT {columns} FROM households_household WHERE {where} {order};"  # noqa: S608
    return f"{count}\n{page}"


def measure_import(*, username: str, rounds: int = 3, rows: int = 500) -> list[float]:
    """Seconds the service takes to import a village's ``rows``-row household list (new households
    each round, so every round writes ``rows`` rows)."""
    from accounts.models import User
    from cadres.models import Region, Team
    from households.services import household_import
    from households.testing import households_xlsx

    user = User.objects.get(username=username)
    prefix = str(user.region_id)
    team = Team.objects.filter(village__code__startswith=prefix).select_related("village").order_by("pk").first()
    assert team is not None
    village: Region = team.village
    seconds = []
    for r in range(rounds):
        data = households_xlsx(
            [[village.code, village.name, f"导入户{r}-{i}", "", "非贫困户", "是", ""] for i in range(rows)]
        )
        started = time.perf_counter()
        result = household_import(actor=user, region=village, upload=io.BytesIO(data))
        seconds.append(time.perf_counter() - started)
        assert result.created == rows, result
    return seconds


def run(
    *,
    personas: dict[str, Any],
    tokens: dict[str, str],
    scopes: dict[str, str],
    start_gunicorn: Callable[[], Any],
    http_p95: Callable[[str, dict[str, str], int], tuple[float, int]],
    psql_p95: Callable[[str, int], float],
    rounds: int,
    log: Callable[[str], None],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Seed, then measure the B9 figures; returns (results, raw)."""
    import signal

    log("B9 households and visits: seed")
    counts = seed(log=log)
    connection.close()
    results: dict[str, Any] = {}
    raw: dict[str, Any] = {"seed": counts}
    gunicorn = start_gunicorn()
    try:
        for level, key in (("township", "B9.township_due_p95_ms"), ("county", "B9.county_due_p95_ms")):
            code = scopes[level]
            path = f"/api/v1/households/?region={code}&due=true"
            api_runs, sql_runs = [], []
            for _ in range(rounds):
                sql_runs.append(psql_p95(due_sql(code), 20))
                api_runs.append(http_p95(path, {"Authorization": f"Token {tokens[level]}"}, 20))
            api = statistics.median(x[0] for x in api_runs)
            base = statistics.median(sql_runs)
            results[key] = figure(key, api, base, status=api_runs[-1][1])
            raw[level] = {"api": api_runs, "sql": sql_runs}
            log(f"  {level}: due list p95 {api:.1f} ms (status {api_runs[-1][1]}), psql {base:.1f} ms")
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=30)
    seconds = measure_import(username=personas["township"].username, rounds=rounds)
    results["B9.import_500_s"] = figure("B9.import_500_s", statistics.median(seconds), None, rows=500)
    raw["import_s"] = seconds
    log(f"  import of 500 rows: {statistics.median(seconds):.2f} s")
    connection.close()
    return results, raw
