"""In-process pieces of the benchmark, shared by ``bench/run.py`` (the full run on PostgreSQL) and the
smoke test (tests/test_bench_smoke.py, the tiny preset on the test database).

Everything here needs a configured Django (``django.setup()`` done by the caller).
"""

from __future__ import annotations

import datetime as dt
import io
import statistics
import time
import uuid
from typing import Any

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import Workbook
from rest_framework.test import APIClient

from accounts.models import User
from attendance.models import SignIn
from cadres.idnumbers import check_digit
from cadres.models import Cadre, Region
from cadres.roster import COLUMNS

#: The keys of bench/results.json (issue 6), with the goal of each.
GOALS: dict[str, dict[str, Any]] = {
    "B1.signin_rps": {"unit": "req/s", "goal": ">= 400 and >= 0.07 x pgbench"},
    "B1.p99_ms": {"unit": "ms", "goal": "<= 100"},
    "B1.queries": {"unit": "queries", "goal": "<= 4"},
    "B2.township_p95_ms": {"unit": "ms", "goal": "<= 50 and <= 1.5 x raw SQL"},
    "B2.county_p95_ms": {"unit": "ms", "goal": "<= 150 and <= 1.5 x raw SQL"},
    "B2.city_p95_ms": {"unit": "ms", "goal": "<= 1.5 x raw SQL"},
    "B2.province_p95_ms": {"unit": "ms", "goal": "<= 800 and <= 1.5 x raw SQL"},
    "B3.export_s": {"unit": "s", "goal": "<= 10"},
    "B3.rows_ratio": {"unit": "x raw openpyxl rows/s", "goal": ">= 0.8"},
    "B3.memory_ratio": {"unit": "x peak at 10%", "goal": "<= 1.2"},
    "B4.import_s": {"unit": "s", "goal": "<= 30"},
    "B5.jobs_s": {"unit": "s", "goal": "<= 60, ~1 task per county"},
    "B6.max_query_growth": {"unit": "queries", "goal": "0"},
}

#: B2: the attendance dashboard question in raw SQL (what psql runs as the baseline). Parameters:
#: region prefix, first and last day of the month, today.
DASHBOARD_SQL = """
SELECT c.id, c.name, v.name,
       count(s.date) FILTER (WHERE s.status IN ('ok', 'late')) AS days_present
FROM cadres_cadre c
JOIN cadres_team t ON t.id = c.team_id
JOIN cadres_region v ON v.code = t.village_id
LEFT JOIN attendance_signin s ON s.cadre_id = c.id AND s.date BETWEEN '{first}' AND '{last}'
WHERE t.village_id LIKE '{prefix}%' AND c.status = 'active'
GROUP BY c.id, c.name, c.role, v.name, t.village_id
ORDER BY t.village_id, c.role, c.name;
SELECT t.village_id, v.name FROM cadres_team t JOIN cadres_region v ON v.code = t.village_id
WHERE t.village_id LIKE '{prefix}%' AND NOT EXISTS (
  SELECT 1 FROM attendance_signin s WHERE s.village_code = t.village_id AND s.date = '{today}'
  AND s.status IN ('ok', 'late'));
"""


def figure(key: str, value: float | None, baseline: float | None = None, **extra: Any) -> dict[str, Any]:
    """One entry of results.json: value, unit, baseline, ratio (value / baseline), goal."""
    ratio = round(value / baseline, 3) if value is not None and baseline else None
    return {
        "value": None if value is None else round(value, 3),
        "unit": GOALS[key]["unit"],
        "baseline": None if baseline is None else round(baseline, 3),
        "ratio": ratio,
        "goal": GOALS[key]["goal"],
        **extra,
    }


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


_KEYS: dict[int, str] = {}


def token_for(user: User) -> str:
    """One device token per user for the run (keys are stored hashed, so they are kept here)."""
    from accounts.services import token_issue

    if user.pk not in _KEYS:
        _KEYS[user.pk] = token_issue(user=user, device="bench")
    return _KEYS[user.pk]


# --- B1: queries per sign-in ------------------------------------------------------------------


def signin_queries(*, sample: int = 5) -> dict[str, Any]:
    """Sign in ``sample`` cadres who have not signed in today through the API (token auth, as a
    phone does) and count the SQL of each request. Their rows are deleted afterwards."""
    today = timezone.localdate()
    signed = SignIn.objects.filter(date=today).values("cadre_id")
    users = list(
        User.objects.filter(role="cadre", cadre__status=Cadre.Status.ACTIVE)
        .exclude(cadre_id__in=signed)
        .select_related("cadre__team__village")
        .order_by("id")[:sample]
    )
    counts: list[int] = []
    statuses: list[int] = []
    created: list[str] = []
    for user in users:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
        assert user.cadre is not None
        village = user.cadre.team.village
        client_id = str(uuid.uuid4())
        body = {"client_id": client_id, "latitude": str(village.latitude), "longitude": str(village.longitude)}
        with CaptureQueriesContext(connection) as ctx:
            response = client.post("/api/v1/signins/", body, format="json")
        counts.append(len(ctx.captured_queries))
        statuses.append(response.status_code)
        created.append(client_id)
    SignIn.objects.filter(client_id__in=created).delete()
    return {"max": max(counts) if counts else None, "counts": counts, "statuses": statuses}


# --- B3: export ---------------------------------------------------------------------------------


def export_rows_from_memory(*, user: Any, year: int) -> list[tuple[Any, list[tuple[Any, ...]]]]:
    """Exactly the rows the export writes — every sheet, its title and header rows, its rows with the
    same values (assessment.exports.workbook_sheets, the app's own row producer) — read into memory
    beforehand: (sheet, rows) per sheet. Reading them (the queries) is not timed."""
    from assessment.exports import workbook_sheets

    return [
        (sheet, [(sheet.title,), tuple(sheet.headers), *(tuple(row) for row in sheet.rows)])
        for sheet in workbook_sheets(user=user, year=year)
    ]


def raw_openpyxl(sheets: list[tuple[Any, list[tuple[Any, ...]]]], out: Any) -> int:
    """The physical limit: openpyxl write-only appending the rows of ``export_rows_from_memory`` from
    memory, plain values, the same sheets; returns the number of subject rows (as the app does)."""
    workbook = Workbook(write_only=True)
    subjects = 0
    for spec, rows in sheets:
        sheet = workbook.create_sheet(spec.name[:31])
        for row in rows:
            sheet.append(row)
        if spec.subjects:
            subjects += len(rows) - 2  # the title and header rows are not subjects
    workbook.save(out)
    return subjects


def app_export(*, user: Any, year: int, out: Any) -> int:
    from assessment.exports import write_assessment_workbook

    return write_assessment_workbook(user=user, year=year, out=out)


# --- B4: roster import ------------------------------------------------------------------------


def roster_rows(*, county: str, count: int, serial_base: int = 900_000) -> list[list[str]]:
    """``count`` valid roster rows for new townships and villages of an existing ``county`` (code and
    names consistent with the seeded tree), one 第一书记兼队长 and two 队员 per village."""
    county_region = Region.objects.select_related("parent").get(code=county)
    assert county_region.parent is not None
    rows: list[list[str]] = []
    for i in range(count):
        village_no, position = divmod(i, 3)
        township_no, v = divmod(village_no, 50)
        township = f"{county}{900 - township_no:03d}"  # 900 downwards: never a seeded township
        code = f"{township}{v + 1:03d}"
        serial = serial_base + i
        birth = dt.date(1970, 1, 1) + dt.timedelta(days=serial // 999 % 9000)
        first17 = f"{county}{birth:%Y%m%d}{serial % 999 + 1:03d}"
        rows.append(
            [
                county_region.parent.name,
                county_region.name,
                f"导入{township}镇",
                f"导入{code}村",
                code,
                "114.500000",
                "38.040000",
                f"导入单位{village_no % 40 + 1}",
                "省",
                f"导入干部{i}",
                "男" if i % 3 else "女",
                first17 + check_digit(first17),
                f"137{i:08d}",
                "第一书记兼队长" if position == 0 else "队员",
                "2025-07-01",
            ]
        )
    return rows


def roster_file(rows: list[list[str]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("花名册")
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class _Rollback(Exception):
    pass


def import_once(*, actor: Any, data: bytes) -> tuple[float, dict[str, int]]:
    """Run the roster import and roll it back (so rounds repeat on the same data). Wall seconds."""
    from cadres.services import roster_import

    result: dict[str, int] = {}
    started = time.perf_counter()
    try:
        with transaction.atomic():
            result = roster_import(actor=actor, upload=io.BytesIO(data)).as_dict()
            elapsed = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    return elapsed, result


def copy_once(rows: list[list[str]]) -> float:
    """The physical limit of B4: COPY the same rows into a bare table (PostgreSQL), rolled back."""
    started = time.perf_counter()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cols = ", ".join(f"c{i} text" for i in range(len(COLUMNS)))
            cursor.execute(f"CREATE TEMP TABLE bench_roster ({cols}) ON COMMIT DROP")
            with cursor.cursor.copy("COPY bench_roster FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            elapsed = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    return elapsed


# --- B6: query counts by scope size ----------------------------------------------------------------


def endpoint_queries(*, small_user: Any, large_user: Any, small_code: str, large_code: str) -> dict[str, Any]:
    """The SQL count of each list, dashboard and export endpoint for a small scope (a township) and the
    whole province. A count that grows with the data is an N+1."""
    year = timezone.localdate().year - 1
    endpoints = [
        "/api/v1/regions/",
        "/api/v1/teams/",
        "/api/v1/cadres/",
        "/api/v1/signins/",
        "/api/v1/absence-findings/",
        "/api/v1/leave-requests/",
        "/api/v1/dashboards/attendance/?region={code}",
        f"/api/v1/exports/assessments.xlsx?year={year}",
    ]
    counts: dict[str, dict[str, int]] = {}
    for path in endpoints:
        per: dict[str, int] = {}
        for label, user, code in (("small", small_user, small_code), ("large", large_user, large_code)):
            client = APIClient()
            client.force_authenticate(user=user)
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(path.format(code=code))
                if hasattr(response, "streaming_content"):
                    b"".join(response.streaming_content)
            per[label] = len(ctx.captured_queries)
            per[f"{label}_status"] = response.status_code
        counts[path.split("?")[0]] = per
    growth = max(per["large"] - per["small"] for per in counts.values())
    return {"max_growth": growth, "endpoints": counts}


# --- the smoke run: every figure in miniature, in-process (tests/test_bench_smoke.py) -------------


def smoke(*, log: Any = lambda _: None) -> dict[str, Any]:
    """Seed the tiny preset into the current (test) database and produce a results dict with every
    key of bench/results.json, each figure measured in miniature in this process."""
    from django.core.management import call_command

    from zhucun.management.commands.seed_scale import ScaleSize, seed_scale

    seeded = seed_scale(size=ScaleSize.small(), log=log)
    personas = {level: User.objects.get(username=name) for level, name in seeded.personas.items()}
    results: dict[str, Any] = {}

    started = time.perf_counter()
    queries = signin_queries(sample=3)
    elapsed_ms = (time.perf_counter() - started) * 1000 / max(1, len(queries["counts"]))
    assert all(code == 201 for code in queries["statuses"]), queries
    results["B1.signin_rps"] = figure("B1.signin_rps", 1000 / elapsed_ms, None)
    results["B1.p99_ms"] = figure("B1.p99_ms", elapsed_ms, None)
    results["B1.queries"] = figure("B1.queries", queries["max"], 1)

    for level in ("township", "county", "city", "province"):
        client = APIClient()
        client.force_authenticate(user=personas[level])
        times = []
        for _ in range(3):
            started = time.perf_counter()
            response = client.get(f"/api/v1/dashboards/attendance/?region={seeded.persona_scopes[level]}")
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.content
        results[f"B2.{level}_p95_ms"] = figure(f"B2.{level}_p95_ms", p95(times), None)

    year = timezone.localdate().year - 1
    raw_rows = export_rows_from_memory(user=personas["province"], year=year)
    started = time.perf_counter()
    raw_n = raw_openpyxl(raw_rows, io.BytesIO())
    raw_s = time.perf_counter() - started
    started = time.perf_counter()
    app_n = app_export(user=personas["province"], year=year, out=io.BytesIO())
    app_s = time.perf_counter() - started
    results["B3.export_s"] = figure("B3.export_s", app_s, raw_s, rows=app_n)
    results["B3.rows_ratio"] = figure("B3.rows_ratio", (app_n / app_s) / (raw_n / raw_s), 1.0)
    results["B3.memory_ratio"] = figure("B3.memory_ratio", None, None)

    rows = roster_rows(county=seeded.persona_scopes["county"], count=30)
    import_s, created = import_once(actor=personas["province"], data=roster_file(rows))
    assert created["cadres"] == 30, created
    copy_s = copy_once(rows) if connection.vendor == "postgresql" else None
    results["B4.import_s"] = figure("B4.import_s", import_s, copy_s, created=created)

    started = time.perf_counter()
    call_command("run_jobs", stdout=io.StringIO())
    results["B5.jobs_s"] = figure("B5.jobs_s", time.perf_counter() - started, None)

    growth = endpoint_queries(
        small_user=personas["township"],
        large_user=personas["province"],
        small_code=seeded.persona_scopes["township"],
        large_code="13",
    )
    results["B6.max_query_growth"] = figure(
        "B6.max_query_growth", growth["max_growth"], 0, endpoints=growth["endpoints"]
    )
    return results
