"""N (issue 16 item 5): the national-size benchmark, ``make bench NATION=1`` — measured, not extrapolated.

``bench/run.py`` with NATION=1 seeds the nation (``bench/nation_seed.py``) into its own database
(``zhucun_nation``) and calls :func:`run`, which measures on that database:

* **N1** the national attendance dashboard (``GET /api/v1/dashboards/attendance/?month=`` as the national
  persona: one row per province, the per-cadre list paged) through gunicorn, p95 ≤ 1 s;
* **N2** a province's (``&region=13``), p95 ≤ 300 ms; each beside psql answering the same question from
  the tables the app reads (the monthly rollup: the baseline) and from the sign-ins themselves
  (``signins_sql_p95_ms``: what the rollup saves);
* **N3** sign-ins through gunicorn under wrk (``bench/signin.lua``, as B1) with the rollup trigger on
  (the new path) and off (``ALTER TABLE attendance_signin DISABLE TRIGGER``: the statement as it was),
  alternating within each round, ratio ≥ 0.9; and pgbench inserting into the partitioned table and into
  a plain table of the same shape (ratio recorded);
* **N4** ``EXPLAIN (ANALYZE, BUFFERS)`` of the month queries on ``attendance_signin`` — the province's
  and a county's dashboard statements and the province's month asked of the sign-ins — each scanning
  only the partition of the month it asks about (asserted here; the plans go to the raw results);
* **N5** ``manage.py run_jobs`` with real Celery workers on Redis: from its start until every task it
  enqueued (one per county for the day's absences) has run, ≤ 5 minutes.

:func:`smoke` runs each figure's in-process pieces on the tiny nation (tests/test_bench_nation.py).

Needs a configured Django (the caller's ``django.setup()``). Not named after an app: bench/ is on
``sys.path`` in the benchmark.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import re
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from attendance import partitions, rollup
from bench.harness import DASHBOARD_SQL, GOALS

#: The first page of the per-cadre list (``page``/``page_size`` of the dashboard API).
PAGE_SIZE = 50
#: wrk and pgbench: as B1.
CONNECTIONS = 16


#: ``?region=nation``: the national view (attendance.api.views.NATION_PARAM).
NATION_PARAM = "nation"


def dashboard_path(*, code: str, month: dt.date, page: int = 1) -> str:
    """The dashboard API of region ``code`` ("" the nation) for ``month``, the list's page ``page``."""
    return (
        f"/api/v1/dashboards/attendance/?month={month:%Y-%m}&region={code or NATION_PARAM}"
        f"&page={page}&page_size={PAGE_SIZE}"
    )


# --- N1, N2: the question in raw SQL -------------------------------------------------------------------

PRESENT_SQL = "('ok', 'late')"


def dashboard_statements(*, code: str, month: dt.date, today: dt.date, signins: bool = False) -> list[tuple[str, str]]:
    """The dashboard API's question for region ``code`` ("" the nation) and ``month`` as of ``today``, in
    raw SQL, labelled: from the tables the app reads (the monthly rollup, decision 0177), or with
    ``signins`` from the sign-ins themselves, as the dashboards read them before the rollup. The child
    regions; per child its villages (teams), active cadres, cadres and villages present today, pending
    findings; the cadres not in post the whole period with their days so far, and — once a cadre can be
    behind (``rules.days_needed_before_today``, about the 8th of a month) — per child the others who have
    made the days needed; the first page of uncovered villages; the first page of cadres (registration
    order, one more to know whether there is a next page) with their days present in ``month`` and
    their approved leave."""
    from attendance import rules
    from zhucun.policy import profile_on
    from zhucun.workcalendar import month_bounds

    profile = profile_on(today)
    needed = rules.days_needed_before_today(profile=profile, today=today)
    period = rules.judged_period(month=today, profile=profile)
    last = month_bounds(month)[1]
    prefix, n = code, len(code) + 2
    children = "parent_id IS NULL" if not code else f"parent_id = '{code}'"
    cadres = f"cadres_cadre c JOIN cadres_team t ON t.id = c.team_id WHERE t.village_id LIKE '{prefix}%'"
    business = (
        "SELECT cadre_id FROM leave_officialbusiness WHERE cancelled_at IS NULL "
        f"AND start <= '{period.last}' AND \"end\" >= '{period.first}'"
    )
    irregular = (
        f"SELECT c.id FROM {cadres} AND c.status = 'active' AND (c.term_start > '{period.first}' "
        f"OR c.term_end < '{period.last}' OR c.id IN ({business}))"
    )
    page = (
        f"SELECT c.id, c.name, t.village_id FROM {cadres} AND c.term_start <= '{last}' "
        f"AND c.term_end >= '{month}' AND (c.status = 'active' OR c.term_end <= '{last}') "
        f"ORDER BY c.id LIMIT {PAGE_SIZE + 1}"
    )
    if signins:
        present = (
            f"SELECT substr(village_code, 1, {n}), count(DISTINCT cadre_id), count(DISTINCT village_code) "
            f"FROM attendance_signin WHERE date = '{today}' AND status IN {PRESENT_SQL} "
            f"AND village_code LIKE '{prefix}%' GROUP BY 1"
        )
        irregular_days = (
            f"SELECT cadre_id, count(*) FROM attendance_signin WHERE cadre_id IN ({irregular}) "
            f"AND date BETWEEN '{period.first}' AND '{today - dt.timedelta(days=1)}' AND status IN {PRESENT_SQL} "
            "GROUP BY cadre_id"
        )
        made = (
            f"SELECT substr(t.village_id, 1, {n}), count(*) FROM {cadres} AND c.status = 'active' "
            f"AND c.id NOT IN ({irregular}) AND c.id IN (SELECT cadre_id FROM attendance_signin "
            f"WHERE date BETWEEN '{period.first}' AND '{today - dt.timedelta(days=1)}' AND status IN {PRESENT_SQL} "
            f"AND village_code LIKE '{prefix}%' GROUP BY cadre_id HAVING count(*) >= {needed}) GROUP BY 1"
        )
        days = (
            "(SELECT count(*) FROM attendance_signin s WHERE s.cadre_id = c.id "
            f"AND s.date BETWEEN '{month}' AND '{last}' AND s.status IN {PRESENT_SQL})"
        )
    else:
        present = (
            f"SELECT substr(village_code, 1, {n}), count(cadre_id), count(DISTINCT village_code) "
            f"FROM attendance_signin_month WHERE month = '{today.replace(day=1)}' AND last_present = '{today}' "
            f"AND village_code LIKE '{prefix}%' GROUP BY 1"
        )
        irregular_days = (
            "SELECT cadre_id, sum(days_present) - count(*) FILTER (WHERE last_present = "
            f"'{today}') FROM attendance_signin_month WHERE cadre_id IN ({irregular}) "
            f"AND month BETWEEN '{period.first}' AND '{today}' GROUP BY cadre_id"
        )
        # one row per cadre and month, counted where the cadre last signed in (as the app does)
        made = (
            f"SELECT substr(village_code, 1, {n}), count(*) FROM attendance_signin_month "
            f"WHERE month = '{period.first}' AND village_code LIKE '{prefix}%' AND cadre_id NOT IN ({irregular}) "
            "AND cadre_id NOT IN (SELECT id FROM cadres_cadre WHERE status <> 'active' "
            f"AND term_end >= '{period.first}') "
            f"AND days_present - CASE WHEN last_present = '{today}' THEN 1 ELSE 0 END >= {needed} GROUP BY 1"
        )
        days = (
            "coalesce((SELECT sum(days_present) FROM attendance_signin_month m "
            f"WHERE m.cadre_id = c.id AND m.month = '{month}'), 0)"
        )
    statements = [
        ("children", f"SELECT code, name FROM cadres_region WHERE {children} ORDER BY code"),
        (
            "villages",
            f"SELECT substr(village_id, 1, {n}), count(*) FROM cadres_team "
            f"WHERE village_id LIKE '{prefix}%' GROUP BY 1",
        ),
        ("cadres", f"SELECT substr(t.village_id, 1, {n}), count(*) FROM {cadres} AND c.status = 'active' GROUP BY 1"),
        ("present", present),
        (
            "findings",
            f"SELECT substr(village_code, 1, {n}), count(*) FROM attendance_absencefinding "
            f"WHERE village_code LIKE '{prefix}%' AND status = 'pending' GROUP BY 1",
        ),
        (
            "irregular",
            irregular.replace("SELECT c.id FROM", "SELECT c.id, t.village_id, c.term_start, c.term_end FROM"),
        ),
        ("irregular_days", irregular_days),
    ]
    if needed > 0 and not period.yearly:  # the bench's profile: 25 days a month (第五条)
        statements.append(("made", made))
    if prefix:  # the nation lists no uncovered villages, its provinces count them (decision 0177)
        statements.append(
            (
                "uncovered",
                f"SELECT t.village_id, v.name FROM cadres_team t JOIN cadres_region v ON v.code = t.village_id "
                f"WHERE t.village_id LIKE '{prefix}%' AND NOT EXISTS (SELECT 1 FROM attendance_signin s "
                f"WHERE s.village_code = t.village_id AND s.date = '{today}' AND s.status IN {PRESENT_SQL}) "
                f"ORDER BY t.village_id LIMIT {PAGE_SIZE}",
            )
        )
    statements += [
        (
            "leave",
            "SELECT l.cadre_id, l.start, l.\"end\" FROM leave_leaverequest l WHERE l.status = 'approved' "
            f"AND l.start <= '{last}' AND l.\"end\" >= '{month}' AND l.cadre_id IN (SELECT id FROM ({page}) p)",
        ),
        (
            "page",
            f"SELECT c.id, c.name, v.name, {days} FROM ({page}) c JOIN cadres_region v ON v.code = c.village_id "
            "ORDER BY c.id",
        ),
    ]
    return statements


def dashboard_sql(*, code: str, month: dt.date, today: dt.date, signins: bool = False) -> str:
    """``dashboard_statements`` as one script (what psql runs as the baseline)."""
    return (
        ";\n".join(sql for _, sql in dashboard_statements(code=code, month=month, today=today, signins=signins)) + ";"
    )


def dashboard_answers(payload: dict[str, Any], answers: dict[str, list[tuple[Any, ...]]]) -> None:
    """Assert that the raw SQL's answers (by label) are the API's — the smoke test's check that the
    baseline asks the same question: every figure of every child (who is behind only when nobody is
    judged one by one: the rule's verdict is Python's), the uncovered villages' first page, the first
    page of cadres with their days present, and whether there is a next page."""
    expected = {}
    for code, name in answers["children"]:
        teams, active = dict(answers["villages"]).get(code, 0), dict(answers["cadres"]).get(code, 0)
        signed, covered = next(((n, v) for child, n, v in answers["present"] if child == code), (0, 0))
        expected[code] = {
            "code": code,
            "name": name,
            "villages": teams,
            "covered": covered,
            "uncovered": teams - covered,
            "cadres": active,
            "signed_in": signed,
            "pending_findings": dict(answers["findings"]).get(code, 0),
            "below_days": active - dict(answers["made"]).get(code, 0) if "made" in answers else 0,
        }
    rows = {row["code"]: row for row in payload["children"]}
    if answers["irregular"]:
        for entry in (*rows.values(), *expected.values()):
            entry.pop("below_days")
    assert rows == expected, (rows, expected)
    listed = [code for code, _ in answers.get("uncovered", [])]
    assert [row["code"] for row in payload["uncovered_villages_today"]] == listed
    shown = [(row["id"], row["name"], row["village"], row["days_present"]) for row in payload["cadres"]]
    page = [(pk, name, village, int(days)) for pk, name, village, days in answers["page"]]
    assert page[:PAGE_SIZE] == shown, (page[:3], shown[:3])
    assert payload["next_page"] == (2 if len(page) > PAGE_SIZE else None), payload["next_page"]


# --- N3: sign-ins with the trigger on and off ------------------------------------------------------------


def execute(sql: str) -> list[tuple[Any, ...]]:
    """Run one statement on the bench process's connection (autocommit outside a transaction)."""
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return list(cursor.fetchall()) if cursor.description else []


def rollup_total(month: dt.date) -> int:
    """The days present the rollup holds for ``month`` (how a phase shows whether the trigger was on)."""
    total = execute(f"SELECT coalesce(sum(days_present), 0) FROM attendance_signin_month WHERE month = '{month}'")
    return int(total[0][0])


#: The sign-ins N3 makes: the token cadres' (the seed gives them none today).
SIGNING_CADRES = "cadre_id IN (SELECT cadre_id FROM accounts_user WHERE role = 'cadre' AND cadre_id IS NOT NULL)"


def delete_today() -> None:
    """The token cadres' sign-ins of today deleted (through the trigger when it is on), as B1 cleans up
    between rounds; the morning the seed gave the others stays."""
    execute(f"DELETE FROM attendance_signin WHERE date = '{timezone.localdate()}' AND {SIGNING_CADRES}")


def clear_day(day: dt.date, *, vacuum: bool = True) -> None:
    """Every sign-in of ``day`` deleted with the trigger off and its month's rollup rebuilt from the
    sign-ins (``rollup.rebuild``) — pgbench leaves ~150,000 rows, a trigger call each would take a
    minute — then the tables vacuumed, as autovacuum would after a bulk delete (it is off here)."""
    for trigger in rollup.SIGNIN_TRIGGERS:
        execute(f"ALTER TABLE attendance_signin DISABLE TRIGGER {trigger}")
    try:
        execute(f"DELETE FROM attendance_signin WHERE date = '{day}'")
    finally:
        for trigger in rollup.SIGNIN_TRIGGERS:
            execute(f"ALTER TABLE attendance_signin ENABLE TRIGGER {trigger}")
    rollup.rebuild(day, day)
    if vacuum:
        execute(f"VACUUM (ANALYZE) attendance_signin_month, {partitions.name_of(day)}")


@contextlib.contextmanager
def trigger_off() -> Iterator[None]:
    """The sign-in statement as it was before the rollup: the trigger disabled for the block (``ALTER
    TABLE … DISABLE TRIGGER``). The token cadres' sign-ins of today are deleted before (trigger on: the
    rollup loses them) and after (trigger off: they were never in it), so the rollup stays exact."""
    delete_today()
    for trigger in rollup.SIGNIN_TRIGGERS:  # the rollup's and the county counts' (decision 0180)
        execute(f"ALTER TABLE attendance_signin DISABLE TRIGGER {trigger}")
    try:
        yield
    finally:
        delete_today()
        for trigger in rollup.SIGNIN_TRIGGERS:
            execute(f"ALTER TABLE attendance_signin ENABLE TRIGGER {trigger}")


#: B1's pgbench statement, for any cadre (the partitioned table keeps its foreign key) on a day without
#: sign-ins (tomorrow: its partition exists, made ahead), in the cadre's own village: spread over the
#: counties as a morning's are (rows all in one village would queue on its county's day count, 0180).
PGBENCH_SCRIPT = """\\set cid random({first}, {last})
INSERT INTO {table} (cadre_id, village_code, date, client_id, status, inside_geofence, distance_m, \
latitude, longitude, photo, server_time, offline) VALUES (:cid, (SELECT t.village_id FROM cadres_team t \
JOIN cadres_cadre c ON c.team_id = t.id WHERE c.id = :cid), '{day}', gen_random_uuid(), \
'ok', true, 120, 38.041, 114.512, '', now(), false) ON CONFLICT DO NOTHING;
"""


def plain_table() -> None:
    """A plain table of the sign-ins' shape: columns, defaults, indexes and constraints, and the foreign
    key to the cadres (which ``LIKE`` leaves out) — the partitioned table's baseline in pgbench."""
    execute(f"DROP TABLE IF EXISTS {PLAIN_TABLE}")
    execute(f"CREATE TABLE {PLAIN_TABLE} (LIKE attendance_signin INCLUDING ALL)")
    execute(
        f"ALTER TABLE {PLAIN_TABLE} ADD FOREIGN KEY (cadre_id) REFERENCES cadres_cadre (id) "
        "DEFERRABLE INITIALLY DEFERRED"
    )


PLAIN_TABLE = "bench_signin_plain"


def pgbench_tps(*, pg_url: str, env: dict[str, str], script: Path, seconds: int) -> dict[str, float]:
    result = subprocess.run(
        ["pgbench", "-n", "-c", str(CONNECTIONS), "-j", "2", "-T", str(seconds), "-f", str(script), pg_url],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    tps = float(re.search(r"tps = ([\d.]+)", result).group(1))  # type: ignore[union-attr]
    latency = float(re.search(r"latency average = ([\d.]+) ms", result).group(1))  # type: ignore[union-attr]
    return {"tps": tps, "latency_avg_ms": latency}


def signin_figures(
    *,
    wrk_signins: Callable[[], dict[str, float]],
    pg_url: str,
    env: dict[str, str],
    out: Path,
    rounds: int,
    seconds: int,
    log: Callable[[str], None],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """N3: wrk with the trigger on and off, in alternating order each round; pgbench into the
    partitioned table (trigger on, and off) and into a plain table of the same shape."""
    from bench.harness import figure, median

    today = timezone.localdate()
    month = today.replace(day=1)
    on_runs: list[dict[str, float]] = []
    off_runs: list[dict[str, float]] = []
    for r in range(rounds):
        for phase in ("off", "on") if r % 2 == 0 else ("on", "off"):
            if phase == "on":
                delete_today()
                before = rollup_total(month)
                run = wrk_signins()
                counted = rollup_total(month) - before
                on_runs.append({**run, "rollup_days_added": counted})
            else:
                with trigger_off():
                    before = rollup_total(month)
                    run = wrk_signins()
                    counted = rollup_total(month) - before
                off_runs.append({**run, "rollup_days_added": counted})
                assert counted == 0, f"the trigger was not off: the rollup gained {counted} days"
            log(
                f"  round {r + 1} trigger {phase}: {run['rps']:.0f} req/s p99 {run['p99_ms']:.1f} ms, "
                f"{run['rows_created']} rows, non2xx {run['non2xx']}, rollup +{counted}"
            )
        assert on_runs[-1]["rollup_days_added"] == on_runs[-1]["rows_created"], on_runs[-1]
    delete_today()

    ((first, last, village),) = execute(
        "SELECT min(c.id), max(c.id), min(t.village_id) FROM cadres_cadre c JOIN cadres_team t ON t.id = c.team_id"
    )
    day = today + dt.timedelta(days=1)
    plain_table()
    clear_day(day)
    scripts = {}
    for name, table in (("plain", PLAIN_TABLE), ("partitioned", "attendance_signin")):
        scripts[name] = out / f"pgbench_{name}.sql"
        scripts[name].write_text(PGBENCH_SCRIPT.format(first=first, last=last, village=village, day=day, table=table))
    bench: dict[str, list[dict[str, float]]] = {"plain": [], "partitioned": [], "partitioned_trigger_off": []}
    for r in range(rounds):
        order = ["plain", "partitioned", "partitioned_trigger_off"]
        for variant in order if r % 2 == 0 else order[::-1]:
            if variant == "plain":
                execute(f"TRUNCATE {PLAIN_TABLE}")
                bench[variant].append(pgbench_tps(pg_url=pg_url, env=env, script=scripts["plain"], seconds=seconds))
            elif variant == "partitioned":
                bench[variant].append(
                    pgbench_tps(pg_url=pg_url, env=env, script=scripts["partitioned"], seconds=seconds)
                )
                clear_day(day)
            else:
                for trigger in rollup.SIGNIN_TRIGGERS:
                    execute(f"ALTER TABLE attendance_signin DISABLE TRIGGER {trigger}")
                try:
                    bench[variant].append(
                        pgbench_tps(pg_url=pg_url, env=env, script=scripts["partitioned"], seconds=seconds)
                    )
                finally:
                    for trigger in rollup.SIGNIN_TRIGGERS:
                        execute(f"ALTER TABLE attendance_signin ENABLE TRIGGER {trigger}")
                clear_day(day)
        log(
            f"  round {r + 1} pgbench: plain {bench['plain'][-1]['tps']:.0f} tps, partitioned "
            f"{bench['partitioned'][-1]['tps']:.0f} tps (trigger off {bench['partitioned_trigger_off'][-1]['tps']:.0f})"
        )
    execute(f"DROP TABLE {PLAIN_TABLE}")
    # the rollup of this month (and tomorrow's) is still exactly the sign-ins' after all the phases
    assert not rollup.differences(today, day), "the rollup differs from the sign-ins after N3"
    assert not rollup.counter_differences(today, day), "the county counts differ from the sign-ins after N3"

    on_rps, off_rps = median([x["rps"] for x in on_runs]), median([x["rps"] for x in off_runs])
    plain, partitioned = median([x["tps"] for x in bench["plain"]]), median([x["tps"] for x in bench["partitioned"]])
    results = {
        "N3.signin_rps": figure(
            "N3.signin_rps",
            on_rps,
            off_rps,
            p99_ms=round(median([x["p99_ms"] for x in on_runs]), 1),
            p99_ms_trigger_off=round(median([x["p99_ms"] for x in off_runs]), 1),
            requests=int(median([x["requests"] for x in on_runs])),
        ),
        "N3.pgbench_tps": figure(
            "N3.pgbench_tps",
            partitioned,
            plain,
            tps_partitioned_trigger_off=round(median([x["tps"] for x in bench["partitioned_trigger_off"]]), 1),
        ),
    }
    return results, {"wrk_trigger_on": on_runs, "wrk_trigger_off": off_runs, "pgbench": bench}


# --- N4: partition pruning ------------------------------------------------------------------------------


def partition_bounds() -> dict[str, tuple[dt.date | None, dt.date | None]]:
    """The partitions of attendance_signin: name → [from, to) (None, None for the default partition)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'attendance_signin'::regclass"
        )
        bounds: dict[str, tuple[dt.date | None, dt.date | None]] = {}
        for name, bound in cursor.fetchall():
            days = re.findall(r"'(\d{4}-\d{2}-\d{2})'", bound)
            bounds[name] = (
                (dt.date.fromisoformat(days[0]), dt.date.fromisoformat(days[1])) if len(days) == 2 else (None, None)
            )
        return bounds


def partitions_of(
    *, first: dt.date, last: dt.date, bounds: dict[str, tuple[dt.date | None, dt.date | None]]
) -> set[str]:
    """The partitions holding the days ``[first, last]``."""
    return {
        name
        for name, (start, end) in bounds.items()
        if start is not None and end is not None and start <= last and first < end
    }


def scanned(plan: str, partitions: set[str]) -> list[str]:
    """The partitions a plan's scans read (runtime-pruned scans, ``never executed``, excluded)."""
    found = []
    for line in plan.splitlines():
        if "never executed" in line:
            continue
        match = re.search(r"Scan(?: Backward)? (?:using \S+ )?on (\S+)", line)
        if match and match.group(1) in partitions:
            found.append(match.group(1))
    return sorted(set(found))


def signin_statements(*, user: Any, path: str) -> list[str]:
    """The statements a dashboard request runs on attendance_signin (as executed), in-process."""
    client = APIClient()
    client.force_authenticate(user=user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return [q["sql"] for q in ctx.captured_queries if re.search(r'"?attendance_signin"?[\s.]', q["sql"])]


def days_asked(sql: str) -> tuple[dt.date, dt.date] | None:
    """The span of dates a statement asks about (its date literals), None without any."""
    days = sorted(dt.date.fromisoformat(day) for day in re.findall(r"'(\d{4}-\d{2}-\d{2})'", sql))
    return (days[0], days[-1]) if days else None


def pruning(
    *, personas: dict[str, Any], scopes: dict[str, str], month: dt.date, strict: bool = True
) -> tuple[dict[str, Any], dict[str, Any]]:
    """N4: EXPLAIN (ANALYZE, BUFFERS) of the queries on attendance_signin — the statements the
    province's and the county's dashboards run, and B2's month question (``harness.DASHBOARD_SQL``: each
    cadre's days in the month, the villages without anyone today) for both — and the partitions each
    scanned. Each must scan only the partitions of the days it asks about (never the default partition,
    never another month), and B2's month question exactly the month's: ``strict`` asserts it, otherwise
    the figure is not met and ``failures`` says which query read what (the full run records its other
    figures before it fails). PostgreSQL only."""
    from bench.harness import figure

    bounds = partition_bounds()
    assert bounds, "attendance_signin has no partitions"
    today = timezone.localdate()
    queries: list[tuple[str, str]] = []
    for level in ("province", "county"):
        path = dashboard_path(code=scopes[level], month=month)
        queries += [(f"{level} dashboard", sql) for sql in signin_statements(user=personas[level], path=path)]
    # B2's month question asked of the sign-ins (what the dashboards read before the rollup)
    from zhucun.workcalendar import month_bounds

    for level in ("province", "county"):
        sql = DASHBOARD_SQL.format(prefix=scopes[level], first=month, last=month_bounds(month)[1], today=today)
        for n, statement in enumerate(part.strip() for part in sql.split(";") if part.strip()):
            queries.append((f"{level} month from the sign-ins ({n + 1})", statement))
    plans: list[dict[str, Any]] = []
    for label, sql in queries:
        span = days_asked(sql)
        if span is None:
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        read = scanned(plan, set(bounds))
        expected = partitions_of(first=span[0], last=span[1], bounds=bounds)
        plans.append({"query": label, "days": [str(span[0]), str(span[1])], "scanned": read,
                      "expected": sorted(expected), "sql": sql, "plan": plan})  # fmt: skip
    failures = [
        f"{p['query']} asks about {p['days'][0]}..{p['days'][1]} ({', '.join(p['expected'])}) "
        f"but scanned {', '.join(p['scanned'])}"
        for p in plans
        if not set(p["scanned"]) <= set(p["expected"])
    ]
    # B2's month question for each level reads the month's partition, and that one only
    months = [p for p in plans if p["query"].endswith("month from the sign-ins (1)")]
    failures += [f"{p['query']} scanned {p['scanned']}" for p in months if p["scanned"] != [partitions.name_of(month)]]
    assert len(months) == 2, [p["query"] for p in plans]
    assert not (strict and failures), "\n".join(failures)
    widest = max(len(p["scanned"]) for p in plans)
    result = figure(
        "N4.partitions_scanned",
        widest,
        None,
        partitions=len(bounds),
        queries=[{k: p[k] for k in ("query", "days", "scanned")} for p in plans],
    )
    if failures:
        result.update(met=False, failures=failures)
    return {"N4.partitions_scanned": result}, {
        "plans": plans,
        "partitions": {k: [str(x) for x in v] for k, v in bounds.items()},
    }


# --- N5: the national jobs with real workers -------------------------------------------------------------


#: A line of the worker's log about one task: time, task name, what happened.
TASK_LINE = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}): \w+/[\w-]+\] Task ([\w.]+)\[[\w-]+\] (\w+)")


def fan_out(log_text: str) -> dict[str, Any]:
    """The county tasks in a worker's log (INFO): how many were received and succeeded, how many
    failed or were retried, and the seconds from the first received to the last finished."""
    received: list[dt.datetime] = []
    finished: list[dt.datetime] = []
    outcomes: dict[str, int] = {}
    for line in log_text.splitlines():
        match = TASK_LINE.match(line)
        if not match or not match.group(2).endswith("_county"):
            continue
        # the worker's local time; only differences are used
        at = dt.datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S,%f").replace(tzinfo=dt.UTC)
        outcome = match.group(3)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        (received if outcome == "received" else finished).append(at)
    seconds = (max(finished) - min(received)).total_seconds() if received and finished else None
    return {"outcomes": outcomes, "seconds": seconds}


def jobs_with_workers(
    *, root: Path, python: str, env: dict[str, str], redis_url: str, out: Path, log: Callable[[str], None]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """N5: ``manage.py run_jobs`` against Redis with a real Celery worker consuming the three queues
    (``celery -A zhucun worker -Q jobs,exports,notifications``, two processes: the machine's cores).

    The figure is the fan-out's: from the first county task the worker received (the fan-out is
    published when its job commits, and the worker takes each task as it comes: prefetch 1) until the
    last one finished, from the worker's own log. That every task has run is checked with Celery's
    inspect: the queues empty and nothing active, reserved or scheduled, twice a second apart; the
    county tasks that succeeded must be one per county. ``run_jobs_s`` is the whole command (every
    other job runs in its process, one after the other), ``until_idle_s`` from its start until the
    worker was idle."""
    import redis as redis_lib

    from attendance.models import AbsenceFinding
    from bench.harness import figure
    from cadres.selectors import county_codes
    from zhucun.celery import app
    from zhucun.queues import QUEUES

    broker = redis_lib.Redis.from_url(redis_url)
    broker.flushdb()
    name = f"nation-{int(time.time())}@bench"
    celery = str(Path(python).parent / "celery")
    worker_log = out / "celery.log"
    worker = subprocess.Popen(
        [celery, "-A", "zhucun", "worker", "-Q", ",".join(QUEUES), "-n", name, "--concurrency=2",
         "--prefetch-multiplier=1", "--loglevel=INFO", "--without-gossip", "--without-mingle"],
        cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=open(worker_log, "wb"),  # noqa: SIM115
    )  # fmt: skip
    try:
        inspect = app.control.inspect(destination=[name], timeout=2.0)
        for _ in range(120):
            if inspect.ping():
                break
            time.sleep(0.5)
        else:
            raise RuntimeError("the Celery worker did not start; see bench/out/celery.log")
        findings_before = AbsenceFinding.objects.count()
        counties = len(county_codes())
        connection.close()
        started = time.perf_counter()
        jobs = subprocess.run(
            [python, "manage.py", "run_jobs"], cwd=root, env=env, check=True, capture_output=True, text=True
        )
        run_jobs_s = time.perf_counter() - started
        log(f"  run_jobs returned after {run_jobs_s:.1f} s; waiting for the worker")
        idle_since = None
        while True:
            queued = sum(int(broker.llen(queue)) for queue in QUEUES)
            busy = [inspect.active(), inspect.reserved(), inspect.scheduled()]
            pending = queued + sum(len(tasks) for reply in busy if reply for tasks in reply.values())
            if pending == 0 and all(busy):
                if idle_since is None:
                    idle_since = time.perf_counter()
                elif time.perf_counter() - idle_since >= 1.0:  # idle twice in a row, a second apart
                    break
            else:
                idle_since = None
            time.sleep(0.5)
        until_idle_s = idle_since - started
        ran: dict[str, int] = ((inspect.stats() or {}).get(name) or {}).get("total", {})
        findings = AbsenceFinding.objects.count() - findings_before
        connection.close()
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
        broker.flushdb()
    tasks = fan_out(worker_log.read_text(errors="replace"))
    # every county task received succeeded, one per county for each fan-out (absences, insurance gaps, the
    # year's obligations — twice in December; coverage after the window)
    received = tasks["outcomes"].get("received", 0)
    assert tasks["outcomes"].get("succeeded", 0) == received and received and received % counties == 0, tasks
    job_seconds = {
        match.group(1): float(match.group(2))
        for match in re.finditer(r"^([\w.]+): .* \(([\d.]+) s\)$", jobs.stdout, re.M)
    }
    result = figure(
        "N5.jobs_s",
        tasks["seconds"],
        None,
        counties=counties,
        county_tasks=tasks["outcomes"],
        tasks_run=ran,
        run_jobs_s=round(run_jobs_s, 1),
        until_idle_s=round(until_idle_s, 1),
        slowest_jobs_s=dict(sorted(job_seconds.items(), key=lambda item: -item[1])[:5]),
        findings_created=findings,
    )
    log(
        f"  county tasks {tasks['outcomes']} in {tasks['seconds']} s (first received → last finished); "
        f"run_jobs {run_jobs_s:.1f} s, idle after {until_idle_s:.1f} s; {findings} findings created"
    )
    return {"N5.jobs_s": result}, {"run_jobs": jobs.stdout.splitlines(), "tasks": ran, "fan_out": tasks}


# --- the full run ------------------------------------------------------------------------------------------


def run(
    *,
    seeded: Any,
    personas: dict[str, Any],
    tokens: dict[str, str],
    http_samples: Callable[[str, dict[str, str], int], tuple[list[float], int]],
    psql_p95: Callable[[str, int], float],
    wrk_signins: Callable[[], dict[str, float]],
    start_gunicorn: Callable[..., Any],
    pg_url: str,
    redis_url: str,
    env: dict[str, str],
    root: Path,
    python: str,
    out: Path,
    rounds: int,
    seconds: int,
    log: Callable[[str], None],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Every N figure on the seeded national database; returns (results, raw)."""
    from attendance import rules
    from bench.harness import figure, median, p95
    from zhucun.policy import profile_on
    from zhucun.workcalendar import month_bounds

    today = timezone.localdate()
    # N1 and N2 are asked on the seeded month's last day (the workers' clock set back, bench/faked_wsgi.py): a
    # whole month in the rollup, presence today and "below the minimum" all counted — the month's
    # heaviest day. The day after (today, the next month's first) is recorded beside it.
    month_end = min(month_bounds(seeded.month)[1], today - dt.timedelta(days=1))
    results: dict[str, Any] = {}
    raw: dict[str, Any] = {}
    only = {part for part in os.environ.get("NATION_ONLY", "").split(",") if part}  # e.g. N3,N5; empty: all

    def want(part: str) -> bool:
        return not only or part in only

    measured: dict[str, dict[dt.date, dict[str, Any]]] = {"N1.national_p95_ms": {}, "N2.province_p95_ms": {}}
    for day in (today, month_end) if want("N1") or want("N2") else ():
        gunicorn = start_gunicorn(None if day == today else day)
        needed = rules.days_needed_before_today(profile=profile_on(day), today=day)
        try:
            log(f"N1, N2 dashboards of {seeded.month:%Y-%m} as of {day}: the API through gunicorn vs psql")
            for key, level, samples, slow_samples in (("N1.national_p95_ms", "nation", 10, 3),
                                                      ("N2.province_p95_ms", "province", 20, 5)):  # fmt: skip
                code = seeded.persona_scopes[level]
                path = dashboard_path(code=code, month=seeded.month)
                headers = {"Authorization": f"Token {tokens[level]}"}
                rollup_sql = dashboard_sql(code=code, month=seeded.month, today=day)
                signins_sql = dashboard_sql(code=code, month=seeded.month, today=day, signins=True)
                api_runs, sql_runs, signins_runs, floor_runs, p50_runs = [], [], [], [], []
                for _ in range(rounds):
                    sql_runs.append(psql_p95(rollup_sql, samples))
                    signins_runs.append(psql_p95(signins_sql, slow_samples))
                    floor_runs.append(p95(http_samples("/healthz/", {}, samples)[0]))
                    times, status = http_samples(path, headers, samples)
                    api_runs.append((p95(times), status))
                    p50_runs.append(median(times))
                measured[key][day] = {
                    "api": median([x[0] for x in api_runs]),
                    "sql": median(sql_runs),
                    "status": api_runs[-1][1],
                    "needed": needed,
                    "p50": median(p50_runs),
                    "signins_sql": median(signins_runs),
                    "healthz": median(floor_runs),
                }
                raw[f"{key}@{day}"] = {"api": api_runs, "api_p50": p50_runs, "sql": sql_runs,
                                       "signins_sql": signins_runs, "healthz": floor_runs}  # fmt: skip
                entry = measured[key][day]
                log(
                    f"  {level}: api p95 {entry['api']:.1f} ms, p50 {entry['p50']:.1f} ms (status {entry['status']}), "
                    f"psql {entry['sql']:.1f} ms from the rollup, {entry['signins_sql']:.1f} ms from the sign-ins; "
                    f"days needed before today {needed}"
                )
        finally:
            gunicorn.send_signal(signal.SIGTERM)
            gunicorn.wait(timeout=30)
    for key, days in measured.items():
        if not days:
            continue
        heavy, after = days[month_end], days[today]
        results[key] = figure(
            key,
            heavy["api"],
            heavy["sql"],
            api_status=heavy["status"],
            asked_on=f"{month_end}",
            days_needed_before_today=heavy["needed"],  # "below the minimum" counted (decision 0177)
            p50_ms=round(heavy["p50"], 1),
            signins_sql_p95_ms=round(heavy["signins_sql"], 1),
            healthz_p95_ms=round(heavy["healthz"], 2),
            month=f"{seeded.month:%Y-%m}",
            day_after={
                "asked_on": f"{today}",
                "api_p95_ms": round(after["api"], 1),
                "sql_p95_ms": round(after["sql"], 1),
                "api_status": after["status"],
                "days_needed_before_today": after["needed"],
            },
        )
        if heavy["status"] != 200 or after["status"] != 200:
            results[key]["met"] = False  # an error page is not a dashboard
        elif after["api"] > GOALS[key]["limit"]:
            results[key]["met"] = False  # both days are held to the goal
    if want("N3"):
        gunicorn = start_gunicorn()
        try:
            log("N3 sign-ins: wrk with the rollup trigger on and off; pgbench partitioned vs plain")
            n3, raw["N3"] = signin_figures(
                wrk_signins=wrk_signins, pg_url=pg_url, env=env, out=out, rounds=rounds, seconds=seconds,
                log=log,
            )  # fmt: skip
            results.update(n3)
        finally:
            gunicorn.send_signal(signal.SIGTERM)
            gunicorn.wait(timeout=30)

    if want("N4"):
        log("N4 partition pruning: EXPLAIN (ANALYZE, BUFFERS) of the month queries")
        n4, raw["N4"] = pruning(personas=personas, scopes=seeded.persona_scopes, month=seeded.month, strict=False)
        results.update(n4)
        connection.close()
        for entry in results["N4.partitions_scanned"]["queries"]:
            log(f"  {entry['query']}: days {entry['days'][0]}..{entry['days'][1]} scanned {entry['scanned']}")
        for failure in results["N4.partitions_scanned"].get("failures", []):
            log(f"  NOT PRUNED: {failure}")
        (out / "nation_plans.txt").write_text(
            "\n\n".join(
                f"-- {p['query']} ({p['days'][0]}..{p['days'][1]})\n{p['sql']}\n{p['plan']}" for p in raw["N4"]["plans"]
            )
        )

    if want("N5"):
        log("N5 national jobs: run_jobs with a real Celery worker")
        n5, raw["N5"] = jobs_with_workers(root=root, python=python, env=env, redis_url=redis_url, out=out, log=log)
        results.update(n5)
    return results, json.loads(json.dumps(raw, default=str))


# --- the smoke run: every N figure in miniature, in-process (tests/test_bench_nation.py) -----------------


def smoke() -> dict[str, Any]:
    """Seed the tiny nation into the current (test) database and produce every N key, each figure's
    in-process pieces run in miniature: the dashboards beside both raw-SQL formulations (which must
    give the API's answers), a sign-in with the trigger on and off, pgbench's statement into both
    tables, the pruning plans (PostgreSQL), run_jobs with its county tasks in-process. The caller
    freezes the clock."""
    from django.core.management import call_command

    from accounts.models import User
    from attendance.models import AbsenceFinding
    from bench.harness import figure, p95, run_statements
    from bench.nation_seed import NationSize, seed_nation
    from cadres.selectors import county_codes

    postgresql = connection.vendor == "postgresql"
    today = timezone.localdate()
    seeded = seed_nation(size=NationSize.tiny())
    personas = {level: User.objects.get(username=name) for level, name in seeded.personas.items()}
    results: dict[str, Any] = {}

    for key, level in (("N1.national_p95_ms", "nation"), ("N2.province_p95_ms", "province")):
        code = seeded.persona_scopes[level]
        client = APIClient()
        client.force_authenticate(user=personas[level])
        times = []
        for _ in range(3):
            started = time.perf_counter()
            response = client.get(dashboard_path(code=code, month=seeded.month))
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.content[:300]
        payload = response.json()
        sql_ms = []
        for signins in (False, True):
            statements = dashboard_statements(code=code, month=seeded.month, today=today, signins=signins)
            seconds, answers = run_statements(";\n".join(sql for _, sql in statements))
            dashboard_answers(payload, dict(zip([label for label, _ in statements], answers, strict=True)))
            sql_ms.append(seconds * 1000)
        results[key] = figure(
            key, p95(times), sql_ms[0], signins_sql_ms=round(sql_ms[1], 1), children=len(payload["children"])
        )

    # N3: a token cadre's sign-in adds its day to the rollup; with the trigger off (PostgreSQL), not
    from cadres.models import Cadre

    month = today.replace(day=1)
    keys = dict(seeded.cadre_tokens)
    cadres = {c.pk: c for c in Cadre.objects.filter(pk__in=keys).select_related("team__village")}

    def sign_in(cadre_id: int) -> float:
        village = cadres[cadre_id].team.village
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {keys[cadre_id]}")
        body = {"client_id": str(uuid.uuid4()), "latitude": str(village.latitude),
                "longitude": str(village.longitude)}  # fmt: skip
        started = time.perf_counter()
        response = client.post("/api/v1/signins/", body, format="json")
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 201, response.content[:300]
        return elapsed

    first, second = list(keys)[:2]
    before = rollup_total(month)
    on_ms = sign_in(first)
    assert rollup_total(month) == before + 1
    off_ms = None
    if postgresql:
        with trigger_off():
            before = rollup_total(month)
            off_ms = sign_in(second)
            assert rollup_total(month) == before
        plain_table()
        ((low, high, village),) = execute(
            "SELECT min(c.id), max(c.id), min(t.village_id) FROM cadres_cadre c JOIN cadres_team t ON t.id = c.team_id"
        )
        day = today + dt.timedelta(days=1)
        for table in (PLAIN_TABLE, "attendance_signin"):
            statement = PGBENCH_SCRIPT.format(first=low, last=high, village=village, day=day, table=table)
            execute(statement.split("\n", 1)[1].replace(":cid", str(low)))
            assert execute(f"SELECT count(*) FROM {table} WHERE date = '{day}'") == [(1,)], table
        execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's transaction: the deferred key checked now
        execute(f"DROP TABLE {PLAIN_TABLE}")
        clear_day(day, vacuum=False)  # (no VACUUM inside the test's transaction)
    delete_today()
    assert not rollup.differences(today, today + dt.timedelta(days=1))
    assert not rollup.counter_differences(today, today + dt.timedelta(days=1))
    results["N3.signin_rps"] = figure("N3.signin_rps", 1000 / on_ms, 1000 / off_ms if off_ms else None)
    results["N3.pgbench_tps"] = figure("N3.pgbench_tps", None, None, statements_ran=postgresql)

    if postgresql:
        n4, raw = pruning(personas=personas, scopes=seeded.persona_scopes, month=seeded.month)
        results.update(n4)
        results["N4.partitions_scanned"]["plans"] = len(raw["plans"])
    else:
        results["N4.partitions_scanned"] = figure("N4.partitions_scanned", None, None)

    # N5: run_jobs with its county tasks in-process (no broker in the tests): yesterday's absences
    findings = AbsenceFinding.objects.count()
    started = time.perf_counter()
    call_command("run_jobs", stdout=io.StringIO())
    results["N5.jobs_s"] = figure(
        "N5.jobs_s",
        time.perf_counter() - started,
        None,
        counties=len(county_codes()),
        findings_created=AbsenceFinding.objects.count() - findings,
    )
    return results
