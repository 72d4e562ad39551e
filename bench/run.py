"""``make bench``: the province-scale benchmark (issue 6). Not run in CI.

On a fresh PostgreSQL database (``zhucun_bench``, dropped and created) and Redis: seeds the province,
starts the app as production runs it (gunicorn, 2 workers per core, zhucun.settings.production), and
measures each figure beside its physical baseline, alternating baseline and app for BENCH_ROUNDS
rounds, reporting medians. Writes bench/results.json and prints a table.

Environment: BENCH_CADRES (22000), BENCH_DAYS (365), BENCH_ROUNDS (3), BENCH_SECONDS (10, per wrk
and pgbench run), BENCH_PG (postgres://zhucun:zhucun@127.0.0.1:5432), BENCH_REDIS
(redis://127.0.0.1:6379/5), BENCH_PORT (8765), BENCH_KEEP=1 keeps the database afterwards,
BENCH_REUSE=1 measures a kept database without seeding (a database kept before the team funds existed
gets them first: funding/scale.py), BENCH_RESULTS (bench/results.json) where to write, BENCH_ONLY=B7
(comma-separated groups B1..B9) measures only those groups and merges their keys into the existing
results file, keeping every other key as it was (the partial run is recorded under ``run_<group>``).

NATION=1: the national-size benchmark instead (issue 16 item 5, ``bench/nation.py``): its own database
``zhucun_nation`` (BENCH_KEEP=1 keeps it, BENCH_REUSE=1 measures it again), seeded by
``bench/nation_seed.py`` at NATION_CADRES (660000) cadres, NATION_DAYS (30) days of the last complete
month and NATION_TOKENS (6000) cadres with a token; records the N keys in the results file, keeping the
B keys as they were (the run is recorded under ``run_N``). NATION_ONLY=N3,N5: only those figures (N1 and
N2 go together), replacing only their keys (the run is recorded under ``run_N_N3_N5``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PY = sys.executable
CADRES = int(os.environ.get("BENCH_CADRES", "22000"))
DAYS = int(os.environ.get("BENCH_DAYS", "365"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
PG = os.environ.get("BENCH_PG", "postgres://zhucun:zhucun@127.0.0.1:5432")
#: NATION=1: the national benchmark (bench/nation.py) on a database of its own.
NATION = os.environ.get("NATION", "") not in ("", "0")
DB = "zhucun_nation" if NATION else "zhucun_bench"
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/5")
PORT = int(os.environ.get("BENCH_PORT", "8765"))
WORKERS = int(os.environ.get("WEB_CONCURRENCY", str(2 * (os.cpu_count() or 1) + 1)))  # as gunicorn.conf.py
CONNECTIONS = 16
#: BENCH_ONLY=B7 (or B2,B7, ...): the groups to measure; empty, all of them.
ONLY = {group.strip().upper() for group in os.environ.get("BENCH_ONLY", "").split(",") if group.strip()}


def want(group: str) -> bool:
    return not ONLY or group in ONLY


ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "bench.settings",  # production settings (see bench/settings.py)
    "SECRET_KEY": "bench-" + "x" * 50,
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "DATABASE_URL": f"{PG}/{DB}",
    "REDIS_URL": REDIS,
    "SECURE_SSL_REDIRECT": "false",
    "PGPASSWORD": os.environ.get("PGPASSWORD", "zhucun"),
}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def psql(sql: str, db: str = DB) -> str:
    url = f"{PG}/{db}"
    return subprocess.run(
        ["psql", url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
        env=ENV,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def fresh_database() -> None:
    psql(f"DROP DATABASE IF EXISTS {DB}", db="postgres")
    psql(f"CREATE DATABASE {DB}", db="postgres")
    subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=ENV, check=True)


def start_gunicorn(today: dt.date | None = None) -> subprocess.Popen[bytes]:
    """gunicorn.conf.py, as production starts it; only the address and the logs differ. ``today``: Django's
    clock set to that day (``bench/faked_wsgi.py``; NATION's month-end day)."""
    application = "zhucun.wsgi" if today is None else "bench.faked_wsgi:application"
    command = [str(Path(PY).parent / "gunicorn"), application, "--config", str(ROOT / "gunicorn.conf.py")]
    faked = {} if today is None else {"BENCH_TODAY": today.isoformat()}
    env = {
        **ENV,
        **faked,
        "GUNICORN_BIND": f"127.0.0.1:{PORT}",
        "WEB_CONCURRENCY": str(WORKERS),
        "GUNICORN_ACCESS_LOG": "-" if os.environ.get("BENCH_ACCESS_LOG") else "",
        "GUNICORN_LOG_LEVEL": "warning",
    }
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(OUT / "gunicorn.log", "wb"),  # noqa: SIM115
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/accounts/login/", timeout=2)
            return process
        except Exception:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start; see bench/out/gunicorn.log")


# --- B1 -------------------------------------------------------------------------------------------


def _ms(text: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk_floor() -> float:
    """The floor of one request through the same gunicorn: /healthz/ (no login, one SELECT 1), req/s."""
    result = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", f"http://127.0.0.1:{PORT}/healthz/"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", result).group(1))  # type: ignore[union-attr]


def wrk_signins(only: str = "") -> dict[str, float]:
    """``only``: a condition on the sign-ins deleted before and counted after (NATION: the token cadres')."""
    only = f" AND {only}" if only else ""
    psql(f"DELETE FROM attendance_signin WHERE date = (now() AT TIME ZONE 'Asia/Shanghai')::date{only}")  # noqa: S608
    result = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{CONNECTIONS}",
            f"-d{SECONDS}s",
            "--latency",
            "-s",
            "bench/signin.lua",
            f"http://127.0.0.1:{PORT}",
        ],
        cwd=ROOT,
        env={**ENV, "BENCH_TOKENS": str(OUT / "tokens.txt"), "BENCH_THREADS": "2"},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    (OUT / "wrk_last.txt").write_text(result)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", result).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", result, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", result, re.M).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", result)
    total = int(re.search(r"(\d+) requests in", result).group(1))  # type: ignore[union-attr]
    created = int(
        psql(
            f"SELECT count(*) FROM attendance_signin WHERE date = (now() AT TIME ZONE 'Asia/Shanghai')::date{only}"  # noqa: S608
        ).split()[2]
    )
    return {
        "rps": rps,
        "p50_ms": p50,
        "p99_ms": p99,
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "requests": total,
        "rows_created": created,
    }


PGBENCH_SETUP = """
DROP TABLE IF EXISTS bench_signin;
CREATE TABLE bench_signin (LIKE attendance_signin INCLUDING ALL);
"""
PGBENCH_SCRIPT = """\\set cid random(1, 100000000)
INSERT INTO bench_signin (cadre_id, village_code, date, client_id, status, inside_geofence, distance_m, \
latitude, longitude, photo, server_time, offline) VALUES (:cid, '130102001001', current_date, gen_random_uuid(), \
'ok', true, 120, 38.041, 114.512, '', now(), false) ON CONFLICT DO NOTHING;
"""


def pgbench_inserts() -> dict[str, float]:
    psql(PGBENCH_SETUP)
    script = OUT / "pgbench_insert.sql"
    script.write_text(PGBENCH_SCRIPT)
    result = subprocess.run(
        ["pgbench", "-n", "-c", str(CONNECTIONS), "-j", "2", "-T", str(SECONDS), "-f", str(script), f"{PG}/{DB}"],
        env=ENV,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    tps = float(re.search(r"tps = ([\d.]+)", result).group(1))  # type: ignore[union-attr]
    latency = float(re.search(r"latency average = ([\d.]+) ms", result).group(1))  # type: ignore[union-attr]
    return {"tps": tps, "latency_avg_ms": latency}


# --- B2 -------------------------------------------------------------------------------------------


def http_p95(path: str, headers: dict[str, str], n: int) -> tuple[float, int]:
    from harness import p95

    times, status = http_samples(path, headers, n)
    return p95(times), status


def http_samples(path: str, headers: dict[str, str], n: int) -> tuple[list[float], int]:
    """``n`` sequential keep-alive GETs after one that warms the worker: their milliseconds, the status."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
    times: list[float] = []
    status = 0
    for i in range(n + 1):
        started = time.perf_counter()
        conn.request("GET", path, headers={"Host": "127.0.0.1", **headers})
        response = conn.getresponse()
        response.read()
        status = response.status
        if i:  # the first request warms the worker
            times.append((time.perf_counter() - started) * 1000)
    conn.close()
    return times, status


def psql_p95(sql: str, n: int) -> float:
    from harness import p95

    script = "\\timing on\n" + "\n".join([sql] * (n + 1))
    out = subprocess.run(
        ["psql", f"{PG}/{DB}", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-o", "/dev/null"],
        input=script,
        env=ENV,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    times = [float(x) for x in re.findall(r"Time: ([\d.]+) ms", out)]
    per_run = len(times) // (n + 1)  # the SQL has several statements: sum them per run
    sums = [sum(times[i * per_run : (i + 1) * per_run]) for i in range(1, n + 1)]
    return p95(sums)


def session_cookie(user: Any) -> dict[str, str]:
    """A signed-in browser's cookie for ``user`` (the pages are behind login; sessions in the cache)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db import connection

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    connection.close()
    return {"Cookie": f"sessionid={store.session_key}"}


def http_seconds(path: str, headers: dict[str, str]) -> tuple[float, int, int]:
    """One GET through gunicorn on a fresh connection, body read to the end: (seconds, status, bytes)."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=300)
    started = time.perf_counter()
    conn.request("GET", path, headers={"Host": "127.0.0.1", **headers})
    response = conn.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed, response.status, len(body)


# --- B3 -------------------------------------------------------------------------------------------

EXPORT_PROBE = """
import json, os, sys, tempfile, time, tracemalloc, resource
sys.path.insert(0, {root!r}); sys.path.insert(0, {bench!r})
import django; django.setup()
from accounts.models import User
import harness
mode, username, trace = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
user = User.objects.get(username=username)
year = __import__("django.utils.timezone", fromlist=["x"]).localdate().year - 1
rows = harness.export_rows_from_memory(user=user, year=year) if mode == "raw" else None
rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if trace: tracemalloc.start()
out = tempfile.TemporaryFile()
t = time.perf_counter()
n = harness.raw_openpyxl(rows, out) if mode == "raw" else harness.app_export(user=user, year=year, out=out)
elapsed = time.perf_counter() - t
peak = tracemalloc.get_traced_memory()[1] if trace else None
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"rows": n, "seconds": elapsed, "peak_bytes": peak, "maxrss_kb": rss, "maxrss_before_kb": rss0}}))
"""


def export_probe(mode: str, username: str, trace: bool) -> dict[str, Any]:
    code = EXPORT_PROBE.format(root=str(ROOT), bench=str(ROOT / "bench"))
    out = subprocess.run(
        [PY, "-c", code, mode, username, "1" if trace else "0"],
        cwd=ROOT,
        env=ENV,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


# --- B7 -------------------------------------------------------------------------------------------


def funds_figures(personas: dict[str, Any], scopes: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Issue 12: the funds overview page of the province (per city) and of a county (per team), each
    beside psql answering the same question; the county's ledger workbook downloaded through gunicorn,
    beside bare openpyxl writing the same rows from memory."""
    import tempfile

    import harness
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from cadres.models import Region
    from funding import selectors as funds_selectors

    year = harness.funds_year()
    results: dict[str, Any] = {}
    raw: dict[str, Any] = {"year": year}
    samples = {"province": 10, "county": 20}
    for level in ("province", "county"):
        code = scopes[level]
        path = f"/funds/regions/{code}/?year={year}"
        cookie = session_cookie(personas[level])
        sql = harness.funds_sql(code=code, year=year)
        ledger_sql = harness.funds_sql(code=code, year=year, ledger=True)
        client = Client()
        client.force_login(personas[level])
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        assert response.status_code == 200, response.status_code
        queries = len(ctx.captured_queries)  # the whole request: session, user, region, overview
        region = Region.objects.get(code=code)
        rows = len(funds_selectors.overview(user=personas[level], region=region, year=year).rows)
        connection.close()
        n = samples[level]
        page_runs, sql_runs, ledger_runs, floor_runs = [], [], [], []
        for _ in range(ROUNDS):
            sql_runs.append(psql_p95(sql, n))
            ledger_runs.append(psql_p95(ledger_sql, max(5, n // 2)))
            floor_runs.append(http_p95("/healthz/", {}, n)[0])
            page_runs.append(http_p95(path, cookie, n))
        page = harness.median([x[0] for x in page_runs])
        base = harness.median(sql_runs)
        results[f"B7.{level}_overview_p95_ms"] = harness.figure(
            f"B7.{level}_overview_p95_ms",
            page,
            base,
            page_status=page_runs[-1][1],
            rows=rows,
            queries=queries,
            ledger_sql_p95_ms=round(harness.median(ledger_runs), 1),
            healthz_p95_ms=round(harness.median(floor_runs), 2),
        )
        raw[level] = {
            "page": page_runs,
            "sql": sql_runs,
            "ledger_sql": ledger_runs,
            "healthz": floor_runs,
            "queries": queries,
        }
        log(
            f"  {level} overview: page p95 {page:.1f} ms (status {page_runs[-1][1]}, {queries} queries), "
            f"psql {base:.1f} ms (from the ledger: {harness.median(ledger_runs):.1f} ms)"
        )

    county = scopes["county"]
    cookie = session_cookie(personas["county"])
    table = harness.funds_ledger_table(user=personas["county"], code=county, year=year)
    connection.close()
    app_runs, raw_runs, in_process = [], [], []
    status = size = lines = 0
    for _ in range(ROUNDS):
        with tempfile.TemporaryFile() as out:
            started = time.perf_counter()
            lines = harness.raw_openpyxl_table(table, out)
            raw_runs.append(time.perf_counter() - started)
        seconds, status, size = http_seconds(f"/funds/regions/{county}/?year={year}&export=ledger", cookie)
        app_runs.append(seconds)
        started = time.perf_counter()
        harness.app_ledger_export(user=personas["county"], code=county, year=year)
        in_process.append(time.perf_counter() - started)
        connection.close()
        log(
            f"  county ledger: raw openpyxl {raw_runs[-1]:.2f} s ({lines} rows); "
            f"download {app_runs[-1]:.2f} s (status {status}, {size} bytes); in-process {in_process[-1]:.2f} s"
        )
    raw_s, app_in = harness.median(raw_runs), harness.median(in_process)
    results["B7.county_ledger_export_s"] = harness.figure(
        "B7.county_ledger_export_s",
        harness.median(app_runs),
        raw_s,
        rows=lines,
        status=status,
        bytes=size,
        in_process_s=round(app_in, 3),
        in_process_ratio=round(app_in / raw_s, 3) if raw_s else None,
    )
    raw["export"] = {"download_s": app_runs, "raw_openpyxl_s": raw_runs, "in_process_s": in_process}
    return results, raw


# --- main -----------------------------------------------------------------------------------------


def reused_seed(size: Any) -> Any:
    """The SeedResult of the database a previous run kept, read back from it."""
    from django.utils import timezone

    from accounts.models import ApiToken, User
    from attendance.models import SignIn
    from cadres.models import Cadre
    from funding.models import LedgerEntry
    from funding.scale import seed_funds_scale
    from zhucun.management.commands.seed_scale import SeedResult

    today = timezone.localdate()
    t = time.perf_counter()
    funds = seed_funds_scale(year=today.year - 1, today=today)  # nothing when the kept database has them
    if funds:
        log(f"  the kept database had no team funds: seeded them in {time.perf_counter() - t:.1f} s {funds}")
    personas = {u.username.removeprefix("bench_"): u for u in User.objects.filter(username__startswith="bench_")}
    from zhucun.management.commands.seed_scale import bench_key

    rows = ApiToken.objects.filter(user__role="cadre", device="bench").order_by("user_id")
    tokens = [
        (cadre_id, bench_key(username)) for cadre_id, username in rows.values_list("user__cadre_id", "user__username")
    ]
    # the kept database's own size, whatever BENCH_CADRES says now
    from django.db.models import Count, Max, Min

    from cadres.models import Region

    levels = dict(Region.objects.values_list("level").annotate(n=Count("code")).values_list("level", "n"))
    span = SignIn.objects.aggregate(first=Min("date"), last=Max("date"))
    days = (span["last"] - span["first"]).days + 1 if span["first"] else 0
    size = type(size)(
        cities=levels.get("city", 0),
        counties=levels.get("county", 0),
        townships=levels.get("township", 0),
        villages=levels.get("village", 0),
        cadres=Cadre.objects.count(),
        days=days,
    )
    return SeedResult(
        size=size,
        timings={},
        counts={
            "cadres": size.cadres,
            "signins": SignIn.objects.count(),
            "ledger_entries": LedgerEntry.objects.count(),
            "reused": 1,
        },
        personas={level: user.username for level, user in personas.items()},
        persona_scopes={level: str(user.region_id) for level, user in personas.items()},
        cadre_tokens=tokens,
        signin_until=dt.datetime.now(dt.UTC).date(),
    )


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    os.environ.update(ENV)
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    started_all = time.perf_counter()
    import preflight

    try:  # the tools and the database role, as `make run` prepares its own (issue 16 item 6)
        preflight.prepare(PG)
    except preflight.PreflightError as problem:
        sys.exit(f"make bench: {problem}")
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    log(
        f"{'kept' if os.environ.get('BENCH_REUSE') else 'fresh'} database {DB}; size cadres={CADRES} days={DAYS}; "
        f"rounds={ROUNDS}; {WORKERS} gunicorn workers; groups {','.join(sorted(ONLY)) or 'all'}"
    )
    reuse = bool(os.environ.get("BENCH_REUSE"))
    if not reuse:
        fresh_database()
    else:  # a kept database gets the migrations written since (their data migrations timed at scale)
        t = time.perf_counter()
        subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=ENV, check=True)
        log(f"migrate (kept database) in {time.perf_counter() - t:.1f} s")
    # The production static files storage (manifest): pages need the collected manifest.
    subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=ENV, check=True)

    import django

    django.setup()
    import harness
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from zhucun.management.commands.seed_scale import HEBEI, ScaleSize, seed_scale

    size = ScaleSize(**HEBEI, days=DAYS) if HEBEI["cadres"] == CADRES else ScaleSize.for_cadres(CADRES, DAYS)
    t = time.perf_counter()
    # BENCH_REUSE=1: measure the database a previous BENCH_KEEP=1 run left (no seeding).
    seeded = reused_seed(size) if reuse else seed_scale(size=size, log=log)
    size = seeded.size
    seed_s = time.perf_counter() - t
    log(f"seeded in {seed_s:.1f} s: {seeded.counts}")
    # What autovacuum does in production soon after a bulk load (it is off on these machines): fresh
    # statistics, and the visibility map that lets the dashboards' index-only scans skip the table.
    t = time.perf_counter()
    connection.close()
    psql("VACUUM (ANALYZE)")
    log(f"VACUUM (ANALYZE) in {time.perf_counter() - t:.1f} s")
    from cadres.models import Cadre

    villages = {c.pk: c.team.village for c in Cadre.objects.select_related("team__village")}
    with open(OUT / "tokens.txt", "w", encoding="utf-8") as handle:
        for cadre_id, key in seeded.cadre_tokens:
            handle.write(f"{key} {villages[cadre_id].latitude} {villages[cadre_id].longitude}\n")
    personas = {level: User.objects.get(username=name) for level, name in seeded.personas.items()}
    tokens = {level: harness.token_for(user) for level, user in personas.items()}
    connection.close()

    results: dict[str, Any] = {}
    raw: dict[str, Any] = {"seed": {"seconds": round(seed_s, 1), **seeded.counts, "timings": seeded.timings}}

    # B1 -------------------------------------------------------------------------------------------
    gunicorn = start_gunicorn() if want("B1") or want("B2") or want("B7") or want("B8") else None
    try:
        if want("B1"):
            log("B1 sign-in: wrk vs pgbench")
            app_runs, base_runs, floor_runs = [], [], []
            for r in range(ROUNDS):
                base_runs.append(pgbench_inserts())
                floor_runs.append(wrk_floor())
                app_runs.append(wrk_signins())
                log(
                    f"  round {r + 1}: pgbench {base_runs[-1]['tps']:.0f} tps; /healthz/ {floor_runs[-1]:.0f} req/s; "
                    f"app {app_runs[-1]['rps']:.0f} req/s "
                    f"p50 {app_runs[-1]['p50_ms']:.1f} ms p99 {app_runs[-1]['p99_ms']:.1f} ms "
                    f"non2xx {app_runs[-1]['non2xx']}"
                )
            psql(
                "DROP TABLE IF EXISTS bench_signin; "
                "DELETE FROM attendance_signin WHERE date = (now() AT TIME ZONE 'Asia/Shanghai')::date"
            )
            queries = harness.signin_queries()
            connection.close()
            rps = harness.median([x["rps"] for x in app_runs])
            tps = harness.median([x["tps"] for x in base_runs])
            results["B1.signin_rps"] = harness.figure(
                "B1.signin_rps", rps, tps, healthz_rps=round(harness.median(floor_runs), 1)
            )
            results["B1.p99_ms"] = harness.figure(
                "B1.p99_ms",
                harness.median([x["p99_ms"] for x in app_runs]),
                harness.median([x["latency_avg_ms"] for x in base_runs]),
                p50_ms=round(harness.median([x["p50_ms"] for x in app_runs]), 2),
            )
            results["B1.queries"] = harness.figure("B1.queries", queries["max"], 1, statuses=queries["statuses"])
            raw["B1"] = {"app": app_runs, "pgbench": base_runs, "healthz_rps": floor_runs, "queries": queries}

        # B2 ---------------------------------------------------------------------------------------
        if want("B2"):
            log("B2 dashboards: API and page vs psql")
            from importlib import import_module

            from django.conf import settings
            from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

            today = timezone.localdate()
            first = today.replace(day=1)
            samples = {"township": 20, "county": 20, "city": 10, "province": 10}
            raw["B2"] = {}
            for level in ("township", "county", "city", "province"):
                code = seeded.persona_scopes[level]
                store = import_module(settings.SESSION_ENGINE).SessionStore()
                store[SESSION_KEY] = str(personas[level].pk)
                store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
                store[HASH_SESSION_KEY] = personas[level].get_session_auth_hash()
                store.create()
                connection.close()
                n = samples[level]
                sql = harness.DASHBOARD_SQL.format(prefix=code, first=first, last=today, today=today)
                api_runs, page_runs, sql_runs, floor_runs = [], [], [], []
                for _ in range(ROUNDS):
                    sql_runs.append(psql_p95(sql, n))
                    floor_runs.append(http_p95("/healthz/", {}, n)[0])
                    api_runs.append(
                        http_p95(
                            f"/api/v1/dashboards/attendance/?region={code}",
                            {"Authorization": f"Token {tokens[level]}"},
                            n,
                        )
                    )
                    page_runs.append(
                        http_p95(
                            f"/attendance/dashboard/{code}/",
                            {"Cookie": f"sessionid={store.session_key}"},
                            max(5, n // 4),
                        )
                    )
                api = harness.median([x[0] for x in api_runs])
                page = harness.median([x[0] for x in page_runs])
                base = harness.median(sql_runs)
                results[f"B2.{level}_p95_ms"] = harness.figure(
                    f"B2.{level}_p95_ms",
                    api,
                    base,
                    page_p95_ms=round(page, 1),
                    healthz_p95_ms=round(harness.median(floor_runs), 2),
                    api_status=api_runs[-1][1],
                    page_status=page_runs[-1][1],
                )
                raw["B2"][level] = {"api": api_runs, "page": page_runs, "sql": sql_runs, "healthz": floor_runs}
                log(
                    f"  {level}: api p95 {api:.1f} ms (status {api_runs[-1][1]}), "
                    f"page p95 {page:.1f} ms (status {page_runs[-1][1]}), psql {base:.1f} ms"
                )

        # B7 ---------------------------------------------------------------------------------------
        if want("B7"):
            log("B7 team funds: overview pages vs psql, the county ledger export vs raw openpyxl")
            funds, raw["B7"] = funds_figures(personas, seeded.persona_scopes)
            results.update(funds)

        # B8 ---------------------------------------------------------------------------------------
        if want("B8"):
            import b8_duties

            log("B8 duties: the year's obligations generated, the compliance pages vs psql")
            duties_results, raw["B8"] = b8_duties.run(
                personas=personas, cookie=session_cookie, http_p95=http_p95, psql_p95=psql_p95, rounds=ROUNDS,
                log=log,
            )  # fmt: skip
            results.update(duties_results)
    finally:
        if gunicorn is not None:
            gunicorn.send_signal(signal.SIGTERM)
            gunicorn.wait(timeout=30)

    # B3 -------------------------------------------------------------------------------------------
    if want("B3"):
        log("B3 export: app workbook vs raw openpyxl write-only")
        app_x, raw_x = [], []
        for _ in range(ROUNDS):
            raw_x.append(export_probe("raw", seeded.personas["province"], False))
            app_x.append(export_probe("app", seeded.personas["province"], False))
            log(
                f"  raw {raw_x[-1]['rows']} rows {raw_x[-1]['seconds']:.2f} s; "
                f"app {app_x[-1]['rows']} rows {app_x[-1]['seconds']:.2f} s"
            )
        mem_10 = export_probe("app", seeded.personas["city"], True)
        mem_100 = export_probe("app", seeded.personas["province"], True)
        export_s = harness.median([x["seconds"] for x in app_x])
        app_rate = harness.median([x["rows"] / x["seconds"] for x in app_x])
        raw_rate = harness.median([x["rows"] / x["seconds"] for x in raw_x])
        results["B3.export_s"] = harness.figure(
            "B3.export_s", export_s, harness.median([x["seconds"] for x in raw_x]), rows=app_x[-1]["rows"]
        )
        results["B3.rows_ratio"] = harness.figure(
            "B3.rows_ratio", app_rate / raw_rate, 1.0, app_rows_per_s=round(app_rate), raw_rows_per_s=round(raw_rate)
        )
        results["B3.memory_ratio"] = harness.figure(
            "B3.memory_ratio",
            mem_100["peak_bytes"] / mem_10["peak_bytes"],
            1.0,
            peak_10_mb=round(mem_10["peak_bytes"] / 2**20, 1),
            peak_100_mb=round(mem_100["peak_bytes"] / 2**20, 1),
            rows_10=mem_10["rows"],
            rows_100=mem_100["rows"],
        )
        raw["B3"] = {"app": app_x, "raw": raw_x, "memory_10": mem_10, "memory_100": mem_100}
        log(
            f"  memory peak (tracemalloc): 10% {mem_10['peak_bytes'] / 2**20:.1f} MB, "
            f"100% {mem_100['peak_bytes'] / 2**20:.1f} MB"
        )

    # B4 -------------------------------------------------------------------------------------------
    if want("B4"):
        log("B4 import: roster_import vs COPY")
        rows = harness.roster_rows(county=seeded.persona_scopes["county"], count=CADRES)
        data = harness.roster_file(rows)
        imports, copies = [], []
        counts: dict[str, int] = {}
        for _ in range(ROUNDS):
            copies.append(harness.copy_once(rows))
            seconds, counts = harness.import_once(actor=personas["province"], data=data)
            imports.append(seconds)
            log(f"  COPY {copies[-1]:.2f} s; import {imports[-1]:.2f} s {counts}")
        results["B4.import_s"] = harness.figure(
            "B4.import_s", harness.median(imports), harness.median(copies), rows=len(rows), created=counts
        )
        raw["B4"] = {"import_s": imports, "copy_s": copies, "file_bytes": len(data)}

    # B5 -------------------------------------------------------------------------------------------
    if want("B5"):
        log("B5 run_jobs")
        import redis as redis_lib

        broker = redis_lib.Redis.from_url(REDIS)
        broker.flushdb()
        t = time.perf_counter()
        jobs = subprocess.run(
            [PY, "manage.py", "run_jobs"], cwd=ROOT, env=ENV, check=True, capture_output=True, text=True
        ).stdout
        jobs_s = time.perf_counter() - t
        enqueued = sum(broker.llen(k) for k in broker.keys("*") if broker.type(k) == b"list")
        results["B5.jobs_s"] = harness.figure(
            "B5.jobs_s", jobs_s, None, tasks_enqueued=enqueued, counties=size.counties
        )
        raw["B5"] = {"output": jobs.splitlines(), "seconds": jobs_s, "enqueued": enqueued}
        broker.flushdb()
        log(f"  {jobs_s:.1f} s, {enqueued} tasks enqueued")

    # B6 -------------------------------------------------------------------------------------------
    if want("B6"):
        log("B6 query counts: township scope vs province scope")
        growth = harness.endpoint_queries(
            small_user=personas["township"],
            large_user=personas["province"],
            small_code=seeded.persona_scopes["township"],
            large_code="13",
        )
        log("B6 query counts: the same personas on a fresh --small database (two data sizes)")
        sizes = subprocess.run(
            [PY, "bench/evidence.py", "growth"], cwd=ROOT, env=ENV, check=True, capture_output=True, text=True
        ).stdout
        by_size = json.loads(sizes[sizes.index("{") :])
        results["B6.max_query_growth"] = harness.figure(
            "B6.max_query_growth",
            by_size["max_growth_between_db_sizes"],
            0,
            endpoints=by_size["endpoints"],
            scope_growth_township_to_province=growth["max_growth"],
        )

    # B9 (issue 14): households and visits, seeded and measured in bench/b9_households.py ----------
    if want("B9"):
        import b9_households

        b9_results, raw["B9"] = b9_households.run(
            personas=personas, tokens=tokens, scopes=seeded.persona_scopes, start_gunicorn=start_gunicorn,
            http_p95=http_p95, psql_p95=psql_p95, rounds=ROUNDS, log=log,
        )  # fmt: skip
        results.update(b9_results)

    run_info = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "rounds": ROUNDS,
        "seconds_per_load_run": SECONDS,
        "gunicorn_workers": WORKERS,
        "connections": CONNECTIONS,
        "total_s": round(time.perf_counter() - started_all, 1),
        "load_average_at_start": load_at_start,
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
    }
    target = Path(os.environ.get("BENCH_RESULTS", ROOT / "bench" / "results.json"))
    if ONLY and target.exists():
        # A partial run: the other keys stay as the last full run measured them.
        document = json.loads(target.read_text())
        for key in [key for key in document if key.split(".")[0] in ONLY]:
            del document[key]
        document.update(results)
        for group in sorted(ONLY):
            document[f"run_{group}"] = {
                **run_info,
                "size": {**size.as_dict(), **{k: v for k, v in seeded.counts.items() if k != "reused"}},
                "reused_database": reuse,
                "note": f"only {group} measured in this run; the other keys are the run under 'run'",
            }
        target.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
        (OUT / "raw.json").write_text(json.dumps(raw, ensure_ascii=False, indent=2, default=str) + "\n")
        print_table(document)
        if not os.environ.get("BENCH_KEEP"):
            connection.close()
            psql(f"DROP DATABASE IF EXISTS {DB}", db="postgres")
        return
    document = {
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "postgres": psql("SHOW server_version").split()[2],
            "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        },
        "size": {
            **size.as_dict(),
            "signins": seeded.counts["signins"],
            "ledger_entries": seeded.counts.get("ledger_entries", 0),
        },
        "run": run_info,
        **results,
    }
    target.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    (OUT / "raw.json").write_text(json.dumps(raw, ensure_ascii=False, indent=2, default=str) + "\n")
    print_table(document)
    if not os.environ.get("BENCH_KEEP"):
        connection.close()
        psql(f"DROP DATABASE IF EXISTS {DB}", db="postgres")


def main_nation() -> None:
    """NATION=1: seed the nation (or reuse the kept one) and measure the N figures (bench/nation.py)."""
    OUT.mkdir(parents=True, exist_ok=True)
    os.environ.update(ENV)
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    started_all = time.perf_counter()
    import preflight

    try:
        preflight.prepare(PG)
    except preflight.PreflightError as problem:
        sys.exit(f"make bench: {problem}")
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    reuse = bool(os.environ.get("BENCH_REUSE"))
    cadres = int(os.environ.get("NATION_CADRES", "660000"))
    days = int(os.environ.get("NATION_DAYS", "30"))
    tokens_wanted = int(os.environ.get("NATION_TOKENS", "6000"))
    log(
        f"NATION: {'kept' if reuse else 'fresh'} database {DB}; cadres={cadres} days={days} tokens={tokens_wanted}; "
        f"rounds={ROUNDS}; {WORKERS} gunicorn workers"
    )
    if not reuse:
        fresh_database()
    else:
        subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=ENV, check=True)
    subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=ENV, check=True)

    import django

    django.setup()
    import harness
    from django.db import connection

    from accounts.models import User
    from bench import nation, nation_seed
    from cadres.models import Cadre

    t = time.perf_counter()
    if reuse:
        seeded = nation_seed.reused_nation()
    else:
        size = nation_seed.NationSize.for_cadres(cadres, days, tokens_wanted)
        log(f"seeding {size.as_dict()}")
        seeded = nation_seed.seed_nation(size=size, log=log)
    seed_s = time.perf_counter() - t
    log(f"seeded in {seed_s:.1f} s: {seeded.counts}")
    connection.close()
    t = time.perf_counter()
    psql("VACUUM (ANALYZE)")  # what autovacuum does after a bulk load (off on these machines)
    vacuum_s = time.perf_counter() - t
    log(f"VACUUM (ANALYZE) in {vacuum_s:.1f} s")
    ids = [cadre_id for cadre_id, _ in seeded.cadre_tokens]
    villages = {c.pk: c.team.village for c in Cadre.objects.filter(pk__in=ids).select_related("team__village")}
    with open(OUT / "tokens.txt", "w", encoding="utf-8") as handle:
        for cadre_id, key in seeded.cadre_tokens:
            handle.write(f"{key} {villages[cadre_id].latitude} {villages[cadre_id].longitude}\n")
    personas = {level: User.objects.get(username=name) for level, name in seeded.personas.items()}
    tokens = {level: harness.token_for(user) for level, user in personas.items()}
    connection.close()

    results, raw = nation.run(
        seeded=seeded, personas=personas, tokens=tokens, http_samples=http_samples, psql_p95=psql_p95,
        wrk_signins=lambda: wrk_signins(only=nation.SIGNING_CADRES), start_gunicorn=start_gunicorn,
        pg_url=f"{PG}/{DB}", redis_url=REDIS, env=ENV,
        root=ROOT, python=PY, out=OUT, rounds=ROUNDS, seconds=SECONDS, log=log,
    )  # fmt: skip
    raw["seed"] = {
        "seconds": round(seed_s, 1),
        "vacuum_s": round(vacuum_s, 1),
        **seeded.counts,
        "timings": seeded.timings,
    }
    target = Path(os.environ.get("BENCH_RESULTS", ROOT / "bench" / "results.json"))
    document = json.loads(target.read_text()) if target.exists() else {}
    if not os.environ.get("NATION_ONLY"):  # a partial run (NATION_ONLY=N3,N5) replaces only its figures
        for key in [key for key in document if key.startswith("N")]:
            del document[key]
    document.update(results)
    only = os.environ.get("NATION_ONLY", "")
    document["run_N" if not only else f"run_N_{only.replace(',', '_')}"] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "rounds": ROUNDS,
        "seconds_per_load_run": SECONDS,
        "gunicorn_workers": WORKERS,
        "connections": CONNECTIONS,
        "total_s": round(time.perf_counter() - started_all, 1),
        "load_average_at_start": load_at_start,
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "reused_database": reuse,
        "database": DB,
        "size": {**seeded.size.as_dict(), "signins": seeded.counts.get("signins", 0)},
        "month": f"{seeded.month:%Y-%m}",
        "seed_s": round(seed_s, 1),
        "seed_timings": seeded.timings,
        "vacuum_s": round(vacuum_s, 1),
        "note": "NATION=1: only the N keys come from this run; the B keys are the runs under 'run' and 'run_B*'",
    }
    target.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    (OUT / "raw_nation.json").write_text(json.dumps(raw, ensure_ascii=False, indent=2, default=str) + "\n")
    print_table({"size": seeded.size.as_dict(), **results})
    if not os.environ.get("BENCH_KEEP"):
        connection.close()
        psql(f"DROP DATABASE IF EXISTS {DB}", db="postgres")
    if results.get("N4.partitions_scanned", {}).get("failures"):  # asserted, once every figure is written down
        sys.exit(
            "N4: a query read partitions outside its dates:\n" + "\n".join(results["N4.partitions_scanned"]["failures"])
        )


def print_table(document: dict[str, Any]) -> None:
    print(f"\nsize: {document['size']}")
    print(f"{'figure':<30}{'value':>12}  {'unit':<22}{'baseline':>12}{'ratio':>9}  goal")
    for key, entry in document.items():
        if not re.match(r"[BN]\d", key):
            continue
        value = "-" if entry["value"] is None else f"{entry['value']:.2f}"
        base = "-" if entry["baseline"] is None else f"{entry['baseline']:.2f}"
        ratio = "-" if entry["ratio"] is None else f"{entry['ratio']:.3f}"
        met = {True: "  met", False: "  NOT MET", None: ""}[entry.get("met")]
        print(f"{key:<30}{value:>12}  {entry['unit']:<22}{base:>12}{ratio:>9}  {entry['goal']}{met}")


if __name__ == "__main__":
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk")
    if NATION:
        main_nation()
    else:
        main()
