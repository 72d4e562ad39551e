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
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.test import Client
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
    # issue 12: team funds (``limit``: the figure meets its goal when value <= limit, recorded as ``met``)
    "B7.province_overview_p95_ms": {"unit": "ms", "goal": "<= 800", "limit": 800},
    "B7.county_overview_p95_ms": {"unit": "ms", "goal": "<= 150", "limit": 150},
    "B7.county_ledger_export_s": {"unit": "s", "goal": "<= 5", "limit": 5},
    "B8.generate_year_s": {"unit": "s", "goal": "<= 60", "limit": 60},
    "B8.province_compliance_p95_ms": {"unit": "ms", "goal": "<= 800", "limit": 800},
    "B8.county_compliance_p95_ms": {"unit": "ms", "goal": "<= 150", "limit": 150},
    # issue 16 item 5: the national size (``make bench NATION=1``, bench/nation.py); ``min_ratio``: the
    # figure meets its goal when value / baseline >= min_ratio
    "N1.national_p95_ms": {"unit": "ms", "goal": "<= 1000 (beside psql from the rollup)", "limit": 1000},
    "N2.province_p95_ms": {"unit": "ms", "goal": "<= 300 (beside psql from the rollup)", "limit": 300},
    "N3.signin_rps": {"unit": "req/s", "goal": ">= 0.9 x with the rollup trigger off", "min_ratio": 0.9},
    "N3.pgbench_tps": {"unit": "tps", "goal": "recorded: partitioned table / plain table of the same shape"},
    "N4.partitions_scanned": {"unit": "partitions", "goal": "1 per month query (the month's only)", "limit": 1},
    "N5.jobs_s": {"unit": "s", "goal": "<= 300, every county task run by real workers", "limit": 300},
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
    entry = {
        "value": None if value is None else round(value, 3),
        "unit": GOALS[key]["unit"],
        "baseline": None if baseline is None else round(baseline, 3),
        "ratio": ratio,
        "goal": GOALS[key]["goal"],
    }
    if "limit" in GOALS[key]:
        entry["met"] = None if value is None else value <= GOALS[key]["limit"]
    if "min_ratio" in GOALS[key]:
        entry["met"] = None if ratio is None else ratio >= GOALS[key]["min_ratio"]
    return {**entry, **extra}


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


# --- B7: team funds (issue 12) --------------------------------------------------------------------

#: B7: the funds overview of a province or city in raw SQL — per child region: teams, the year's money,
#: teams with an expense waiting past the reimbursement interval; and net spending by category — what
#: funding.selectors.overview answers, from the same tables it reads: the accounts with the running
#: totals the services keep (money, waiting expenses, the oldest one's date) and their per-category
#: totals. Parameters: region code, child code length, year, overdue date.
FUNDS_REGIONS_SQL = """
SELECT code, name FROM cadres_region WHERE parent_id = '{code}' ORDER BY code;
SELECT substr(village_id, 1, {length}) AS child, count(*) FROM cadres_team
WHERE village_id LIKE '{code}%' GROUP BY 1;
SELECT substr(village_code, 1, {length}) AS child, sum(carried_in), sum(allocated), sum(spent)
FROM funding_fundaccount WHERE year = {year} AND village_code LIKE '{code}%' GROUP BY 1;
SELECT substr(village_code, 1, {length}) AS child, count(DISTINCT team_id) FROM funding_fundaccount
WHERE oldest_waiting < '{before}' AND village_code LIKE '{code}%' GROUP BY 1;
SELECT s.category, sum(s.spent) FROM funding_categoryspend s JOIN funding_fundaccount a ON a.id = s.account_id
WHERE a.year = {year} AND a.village_code LIKE '{code}%' GROUP BY 1 ORDER BY 1;
"""

#: B7: the same question answered from the ledger itself (every entry, reimbursement item and reversal),
#: as the overview did before the running totals (``ledger_sql_p95_ms`` in results.json).
FUNDS_REGIONS_LEDGER_SQL = """
SELECT code, name FROM cadres_region WHERE parent_id = '{code}' ORDER BY code;
SELECT substr(village_id, 1, {length}) AS child, count(*) FROM cadres_team
WHERE village_id LIKE '{code}%' GROUP BY 1;
SELECT substr(village_code, 1, {length}) AS child, sum(carried_in), sum(allocated), sum(spent)
FROM funding_fundaccount WHERE year = {year} AND village_code LIKE '{code}%' GROUP BY 1;
SELECT substr(e.village_code, 1, {length}) AS child, count(DISTINCT a.team_id)
FROM funding_ledgerentry e JOIN funding_fundaccount a ON a.id = e.account_id
WHERE e.kind = 'expense' AND e.date < '{before}' AND e.village_code LIKE '{code}%'
  AND NOT EXISTS (SELECT 1 FROM funding_reimbursementitem i WHERE i.expense_id = e.id)
  AND NOT EXISTS (SELECT 1 FROM funding_ledgerentry r WHERE r.reverses_id = e.id)
GROUP BY 1;
SELECT e.category, coalesce(sum(e.amount) FILTER (WHERE e.kind = 'expense'), 0)
                 - coalesce(sum(e.amount) FILTER (WHERE e.kind = 'reversal'), 0)
FROM funding_ledgerentry e JOIN funding_fundaccount a ON a.id = e.account_id
WHERE a.year = {year} AND a.village_code LIKE '{code}%' AND e.category <> '' GROUP BY 1 ORDER BY 1;
"""

#: B7: a county's overview in raw SQL — per team: village and township, responsible person, the year's
#: money; the teams with an overdue expense; net spending by category (running totals, as the app).
FUNDS_TEAMS_SQL = """
SELECT t.id, t.village_id, p.name, v.name, a.responsible_name, a.carried_in, a.allocated, a.spent
FROM cadres_team t JOIN cadres_region v ON v.code = t.village_id LEFT JOIN cadres_region p ON p.code = v.parent_id
LEFT JOIN funding_fundaccount a ON a.team_id = t.id AND a.year = {year}
WHERE t.village_id LIKE '{code}%' ORDER BY t.village_id;
SELECT DISTINCT team_id FROM funding_fundaccount WHERE oldest_waiting < '{before}' AND village_code LIKE '{code}%';
SELECT s.category, sum(s.spent) FROM funding_categoryspend s JOIN funding_fundaccount a ON a.id = s.account_id
WHERE a.year = {year} AND a.village_code LIKE '{code}%' GROUP BY 1 ORDER BY 1;
"""
FUNDS_TEAMS_LEDGER_SQL = """
SELECT t.id, t.village_id, p.name, v.name, a.responsible_name, a.carried_in, a.allocated, a.spent
FROM cadres_team t JOIN cadres_region v ON v.code = t.village_id LEFT JOIN cadres_region p ON p.code = v.parent_id
LEFT JOIN funding_fundaccount a ON a.team_id = t.id AND a.year = {year}
WHERE t.village_id LIKE '{code}%' ORDER BY t.village_id;
SELECT DISTINCT a.team_id
FROM funding_ledgerentry e JOIN funding_fundaccount a ON a.id = e.account_id
WHERE e.kind = 'expense' AND e.date < '{before}' AND e.village_code LIKE '{code}%'
  AND NOT EXISTS (SELECT 1 FROM funding_reimbursementitem i WHERE i.expense_id = e.id)
  AND NOT EXISTS (SELECT 1 FROM funding_ledgerentry r WHERE r.reverses_id = e.id);
SELECT e.category, coalesce(sum(e.amount) FILTER (WHERE e.kind = 'expense'), 0)
                 - coalesce(sum(e.amount) FILTER (WHERE e.kind = 'reversal'), 0)
FROM funding_ledgerentry e JOIN funding_fundaccount a ON a.id = e.account_id
WHERE a.year = {year} AND a.village_code LIKE '{code}%' AND e.category <> '' GROUP BY 1 ORDER BY 1;
"""


def funds_year() -> int:
    """The year the scale seed books (funding/scale.py, called by seed_scale): last year, complete."""
    return timezone.localdate().year - 1


def funds_sql(*, code: str, year: int, ledger: bool = False) -> str:
    """The raw-SQL baseline of the funds overview of region ``code`` (per team for a county): from the
    tables the app reads, or with ``ledger`` from the ledger's entries themselves."""
    from funding import policies as funds_policies
    from zhucun.policy import profile_on

    today = timezone.localdate()
    before = funds_policies.overdue_before(today=today, profile=profile_on(today))
    if len(code) >= Region.CODE_LENGTHS[Region.Level.COUNTY]:
        return (FUNDS_TEAMS_LEDGER_SQL if ledger else FUNDS_TEAMS_SQL).format(code=code, year=year, before=before)
    length = len(code) + 2  # a province's children are cities (4 digits), a city's counties (6)
    sql = FUNDS_REGIONS_LEDGER_SQL if ledger else FUNDS_REGIONS_SQL
    return sql.format(code=code, length=length, year=year, before=before)


def _yuan(value: Any) -> Decimal:
    """A sum as PostgreSQL (numeric) or SQLite (float) returns it, to the fen."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


def run_statements(sql: str) -> tuple[float, list[list[tuple[Any, ...]]]]:
    """Run the statements of a baseline on the current connection: (seconds, the rows of each). The
    smoke run uses it to check that the baseline answers the same question as the app."""
    answers = []
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for statement in (part.strip() for part in sql.split(";")):
            if statement:
                cursor.execute(statement)
                answers.append(list(cursor.fetchall()))
    return time.perf_counter() - started, answers


def funds_ledger_table(*, user: Any, code: str, year: int) -> Any:
    """Exactly the table the county ledger export writes (funding.exports.region_ledger_table, the
    app's own row producer), its rows read into memory beforehand (the queries are not timed)."""
    from funding import exports as funds_exports
    from funding import selectors as funds_selectors

    region = Region.objects.get(code=code)
    entries = funds_selectors.region_entries(user=user, region=region, year=year)
    table = funds_exports.region_ledger_table(region_name=region.name, year=year, entries=entries)
    table.rows = [tuple(row) for row in table.rows]
    return table


def raw_openpyxl_table(table: Any, out: Any) -> int:
    """B7's physical limit: openpyxl write-only appending the title, the header and the rows from
    memory as plain values; returns the number of rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("分户账")
    sheet.append([table.title])
    sheet.append(list(table.headers))
    for row in table.rows:
        sheet.append(row)
    workbook.save(out)
    return len(table.rows)


def app_ledger_export(*, user: Any, code: str, year: int) -> int:
    """The app's county ledger workbook in-process (what the page's ``?export=ledger`` writes)."""
    from funding import exports as funds_exports
    from funding import selectors as funds_selectors

    region = Region.objects.get(code=code)
    entries = funds_selectors.region_entries(user=user, region=region, year=year)
    _, rows = funds_exports.region_ledger_workbook(region_name=region.name, year=year, entries=entries)
    return rows


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

    year = funds_year()
    for level in ("province", "county"):
        browser = Client()
        browser.force_login(personas[level])
        code = seeded.persona_scopes[level]
        times = []
        for _ in range(3):
            started = time.perf_counter()
            page = browser.get(f"/funds/regions/{code}/?year={year}")
            times.append((time.perf_counter() - started) * 1000)
            assert page.status_code == 200, page.content[:300]
        data = page.context["data"]
        assert data.totals.teams > 0 and data.by_category
        sql_s = 0.0
        # both raw-SQL baselines answer the same question: the same money, overdue teams and chart —
        # which also proves the running totals the app reads agree with the ledger
        for ledger in (False, True):
            seconds, answers = run_statements(funds_sql(code=code, year=year, ledger=ledger))
            sql_s = sql_s if ledger else seconds
            if level == "province":
                money = {child: (_yuan(alloc), _yuan(spent)) for child, _, alloc, spent in answers[2]}
                overdue = dict(answers[3])
                assert money == {row.code: (row.allocated, row.spent) for row in data.rows if row.allocated}, money
                assert overdue == {row.code: row.overdue_teams for row in data.rows if row.overdue_teams}, overdue
            else:
                assert [r[0] for r in answers[0]] == [row.team_id for row in data.rows]
                assert {r[0] for r in answers[1]} == {row.team_id for row in data.rows if row.overdue_teams}
            spent = {category: _yuan(net) for category, net in answers[-1] if net}
            assert spent == {category: net for category, _, net in data.by_category}, (ledger, spent)
        results[f"B7.{level}_overview_p95_ms"] = figure(f"B7.{level}_overview_p95_ms", p95(times), sql_s * 1000)
    county = seeded.persona_scopes["county"]
    table = funds_ledger_table(user=personas["county"], code=county, year=year)
    started = time.perf_counter()
    raw_n = raw_openpyxl_table(table, io.BytesIO())
    raw_s = time.perf_counter() - started
    browser = Client()
    browser.force_login(personas["county"])
    started = time.perf_counter()
    download = browser.get(f"/funds/regions/{county}/?year={year}&export=ledger")
    app_s = time.perf_counter() - started
    assert download.status_code == 200 and download.content[:2] == b"PK", download.status_code
    results["B7.county_ledger_export_s"] = figure("B7.county_ledger_export_s", app_s, raw_s, rows=raw_n)

    from bench import b8_duties

    generate_s, obligations = b8_duties.generate(year=timezone.localdate().year)
    results["B8.generate_year_s"] = figure("B8.generate_year_s", generate_s, None, obligations=obligations)
    for level in ("province", "county"):
        sql, statements = b8_duties.page_sql(personas[level])
        browser = Client()
        browser.force_login(personas[level])
        started = time.perf_counter()
        page = browser.get(b8_duties.PATH)
        page_ms = (time.perf_counter() - started) * 1000
        shown = [o.pk for o in page.context["object_list"]]
        sql_s, answers = run_statements(sql)
        # the baseline is the page's own question: one of its statements returns the rows shown, in order
        assert shown and any([row[0] for row in answer] == shown for answer in answers), (level, shown)
        key = f"B8.{level}_compliance_p95_ms"
        results[key] = figure(key, page_ms, sql_s * 1000, queries=statements, rows=len(shown))
    return results
