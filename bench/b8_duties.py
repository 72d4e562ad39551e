"""B8 (issue 13): the duties calendar at Hebei size, kept apart from the other figures of ``bench/run.py``
(it calls ``run`` after B7, with gunicorn up).

* ``generate``: the year's obligations for every body (``duties.services.obligations_generate``, the
  job's own service, in-process), after deleting that year's obligations a kept database already has —
  goal ≤ 60 s.
* the 履职情况 page (``/duties/compliance/``, first page of 50, overdue first) of the province and of a
  county persona through gunicorn, each beside psql running the very statements the page ran on the
  obligations (captured once with Django's test client) — goals p95 ≤ 800 ms and ≤ 150 ms.

Needs a configured Django (the caller's ``django.setup()``). Not named ``duties``: bench/ is on
``sys.path`` in the benchmark, and the module would hide the app of that name.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.utils import timezone

PATH = "/duties/compliance/"


def generate(*, year: int) -> tuple[float, int]:
    """Seconds and rows of generating ``year``'s obligations from none."""
    from duties.models import Obligation
    from duties.services import obligations_generate

    Obligation.objects.filter(year=year, evidence__isnull=True, report__isnull=True).delete()
    started = time.perf_counter()
    created = obligations_generate(year=year)
    return time.perf_counter() - started, created


def page_sql(user: Any) -> tuple[str, int]:
    """The statements the compliance page runs on the obligations for ``user`` (SQL as executed, one
    per line) and the number of queries of the whole request."""
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(PATH)
    assert response.status_code == 200, response.status_code
    statements = [q["sql"] for q in ctx.captured_queries if "duties_obligation" in q["sql"]]
    return ";\n".join(statements) + ";", len(ctx.captured_queries)


def run(
    *,
    personas: dict[str, Any],
    cookie: Callable[[Any], dict[str, str]],
    http_p95: Callable[[str, dict[str, str], int], tuple[float, int]],
    psql_p95: Callable[[str, int], float],
    rounds: int,
    log: Callable[[str], None],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Generate, then measure the compliance pages; returns (results, raw)."""
    from bench import harness

    year = timezone.localdate().year
    seconds, created = generate(year=year)
    connection.close()
    log(f"  generated {created} obligations of {year} in {seconds:.1f} s")
    results: dict[str, Any] = {
        "B8.generate_year_s": harness.figure("B8.generate_year_s", seconds, None, obligations=created, year=year)
    }
    raw: dict[str, Any] = {"generate": {"seconds": seconds, "created": created}}
    for level, samples in (("province", 10), ("county", 20)):
        sql, queries = page_sql(personas[level])
        headers = cookie(personas[level])
        connection.close()
        page_runs, sql_runs = [], []
        for _ in range(rounds):
            sql_runs.append(psql_p95(sql, samples))
            page_runs.append(http_p95(PATH, headers, samples))
        page = statistics.median(x[0] for x in page_runs)
        base = statistics.median(sql_runs)
        key = f"B8.{level}_compliance_p95_ms"
        results[key] = harness.figure(key, page, base, page_status=page_runs[-1][1], queries=queries)
        raw[level] = {"page": page_runs, "sql": sql_runs, "statements": sql}
        log(f"  {level} compliance: page p95 {page:.1f} ms (status {page_runs[-1][1]}), psql {base:.1f} ms")
    return results, raw
