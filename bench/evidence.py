"""Profile evidence for docs/performance.md, on the database ``make bench`` kept (BENCH_KEEP=1).

``python bench/evidence.py signin|dashboard|export|growth`` (environment as bench/run.py sets it):

* ``signin``: cProfile of 300 sign-ins through the API client (where a request's time goes).
* ``dashboard``: the province dashboard's SQL (EXPLAIN ANALYZE) and a cProfile of one request.
* ``export``: cProfile of the province workbook.
* ``growth``: B6 at two database sizes — the same endpoints counted on this database and on a fresh
  ``--small`` one (zhucun_bench_small), for the province and a township persona.
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")


def top(profile: cProfile.Profile, n: int = 25) -> str:
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(n)
    return out.getvalue()


def main(what: str) -> None:
    import django

    django.setup()
    import harness
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from rest_framework.test import APIClient

    from accounts.models import User
    from attendance.models import SignIn

    if what == "signin":
        users = list(User.objects.filter(role="cadre").select_related("cadre__team__village").order_by("?")[:300])
        SignIn.objects.filter(date=timezone.localdate(), cadre_id__in=[u.cadre_id for u in users]).delete()
        clients = []
        for user in users:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Token {harness.token_for(user)}")
            assert user.cadre is not None
            clients.append((client, user.cadre.team.village))
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        with CaptureQueriesContext(connection) as ctx:
            for client, village in clients:
                body = {"client_id": str(uuid.uuid4()), "latitude": village.latitude, "longitude": village.longitude}
                client.post("/api/v1/signins/", body, format="json")
        profile.disable()
        elapsed = time.perf_counter() - started
        sql_ms = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
        print(
            f"{len(clients)} sign-ins in {elapsed:.2f} s ({elapsed / len(clients) * 1000:.1f} ms each in one process)"
        )
        print(f"SQL: {len(ctx.captured_queries)} queries, {sql_ms / len(clients):.2f} ms per sign-in")
        for q in ctx.captured_queries[:4]:
            print("  ", q["sql"][:160])
        print(top(profile))
        SignIn.objects.filter(date=timezone.localdate(), cadre_id__in=[u.cadre_id for u in users]).delete()
    elif what == "dashboard":
        user = User.objects.get(username="bench_province")
        client = APIClient()
        client.force_authenticate(user=user)
        profile = cProfile.Profile()
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            profile.enable()
            client.get("/api/v1/dashboards/attendance/?region=13")
            profile.disable()
            elapsed = time.perf_counter() - started
        print(f"province dashboard in-process: {elapsed * 1000:.0f} ms, {len(ctx.captured_queries)} queries")
        with connection.cursor() as cursor:
            for q in ctx.captured_queries:
                print(f"  {float(q['time']) * 1000:8.1f} ms  {q['sql'][:200]}")
                if q["sql"].startswith("SELECT") and "attendance_signin" in q["sql"] and "cadre_id" in q["sql"]:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
                    print("\n".join("      " + row[0] for row in cursor.fetchall()))
        print(top(profile))
    elif what == "export":
        user = User.objects.get(username="bench_province")
        profile = cProfile.Profile()
        profile.enable()
        rows = harness.app_export(user=user, year=timezone.localdate().year - 1, out=io.BytesIO())
        profile.disable()
        print(f"{rows} rows")
        print(top(profile, 30))
    elif what == "counts":
        personas = {u.username: u for u in User.objects.filter(username__in=["bench_township", "bench_province"])}
        result = harness.endpoint_queries(
            small_user=personas["bench_township"],
            large_user=personas["bench_province"],
            small_code=personas["bench_township"].region_id,
            large_code="13",
        )
        print(json.dumps(result))


def growth() -> None:
    """B6 at two database sizes (this one and a fresh --small one), same personas and endpoints."""
    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    small = f"{base}/zhucun_bench_small"
    env = {**os.environ, "DATABASE_URL": small}
    subprocess.run(
        ["psql", f"{base}/postgres", "-qc", "DROP DATABASE IF EXISTS zhucun_bench_small"], env=env, check=True
    )
    subprocess.run(["psql", f"{base}/postgres", "-qc", "CREATE DATABASE zhucun_bench_small"], env=env, check=True)
    py = sys.executable
    subprocess.run([py, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([py, "manage.py", "seed_scale", "--small"], cwd=ROOT, env=env, check=True, capture_output=True)
    counts = {}
    for label, url in (("small_db", small), ("large_db", os.environ["DATABASE_URL"])):
        out = subprocess.run(
            [py, __file__, "counts"], cwd=ROOT, env={**os.environ, "DATABASE_URL": url}, check=True, capture_output=True
        ).stdout.decode()
        counts[label] = json.loads(out.strip().splitlines()[-1])["endpoints"]
    subprocess.run(["psql", f"{base}/postgres", "-qc", "DROP DATABASE zhucun_bench_small"], env=env, check=True)
    table = {}
    for path in counts["large_db"]:
        table[path] = {
            scope: {"small_db": counts["small_db"][path][scope], "large_db": counts["large_db"][path][scope]}
            for scope in ("small", "large")
        }
    growth = max(v["large_db"] - v["small_db"] for per in table.values() for v in per.values())
    print(json.dumps({"max_growth_between_db_sizes": growth, "endpoints": table}, indent=1))


def b2_sql() -> None:
    """Re-measure the B2 psql baselines (3 rounds, medians) and update bench/results.json in place."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    import django

    django.setup()
    import harness
    import run

    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    document = json.loads((ROOT / "bench" / "results.json").read_text())
    scopes = {"township": "130101001", "county": "130101", "city": "1301", "province": "13"}
    for level, code in scopes.items():
        sql = harness.DASHBOARD_SQL.format(prefix=code, first=today.replace(day=1), last=today, today=today)
        n = 20 if level in ("township", "county") else 10
        base = harness.median([run.psql_p95(sql, n) for _ in range(run.ROUNDS)])
        entry = document[f"B2.{level}_p95_ms"]
        entry["baseline"] = round(base, 3)
        entry["ratio"] = round(entry["value"] / base, 3)
        print(f"{level}: psql p95 {base:.1f} ms; app {entry['value']:.1f} ms; ratio {entry['ratio']}")
    (ROOT / "bench" / "results.json").write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n")


if __name__ == "__main__":
    if sys.argv[1] == "b2sql":
        b2_sql()
    elif sys.argv[1] == "growth":
        growth()
    else:
        main(sys.argv[1])
