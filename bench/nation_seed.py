"""The national seed of ``make bench NATION=1`` (issue 16 item 5): a national-size month, lean — only what
the N figures need — and fast, COPY (psycopg 3 ``cursor.copy``) for every big table on PostgreSQL,
``bulk_create`` elsewhere (the smoke test's tiny size on SQLite).

Default size, the nation in 2021's proportions: 31 provinces with their real 2-digit codes (11 北京 … 65
新疆), 333 cities, 2,800 counties, 40,000 townships, 220,000 villages with a team each, 660,000 cadres
(three a team), and 30 days of sign-ins at ~92% attendance (≈ 18 M rows). The provinces are of equal
size (each ≈ Hebei's 21,000 cadres), so any of them stands for "a province" in N2.
``NationSize.for_cadres`` shrinks the whole tree with the cadres (NATION_CADRES=20000: a minute).

What is seeded, and nothing else: the region tree, the dispatching units (central, provincial, city,
county), teams and cadres (one in a hundred leaving this month: a term ends every month somewhere, and
such a cadre is judged on the days in post); an account and API token for ``tokens`` cadres spread over the country
(the sign-in load of N3 rotates them); the personas — ``bench_nation`` and ``bench_province``, province
organization departments (13), who see every region and so the national view (decision 0177), the first
asking for the nation and the second for its province, and ``bench_county`` (a county of 13); the bench
policy profile that opens the sign-in window all day (as seed_scale); the sign-ins, loaded inside
``attendance.rollup.bulk_load`` (trigger off, the months' rollup rebuilt in one statement afterwards)
into the monthly partitions ``attendance.partitions.ensure`` creates; and a few pending absence
findings.

The sign-ins cover the ``days`` days before today, as seed_scale's — so yesterday, whose absences the
nightly job of N5 turns into findings, is a normal day whatever the date — and this morning for half
the cadres without a token (today's coverage on the dashboards; the token cadres sign in during N3).
The dashboards are asked about the month with the most of those days (``asked_month``).

Sign-in rows are written cadre by cadre, each cadre's days in order, with client ids that grow with the
row: every index of a month's partition then grows at its right edge (the ids, the cadre and the
village) or at one edge per day (the date), so the load is bound by PostgreSQL writing pages rather
than by random B-tree descents.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import secrets
import time
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import ApiToken, Role, User
from accounts.services import account_create
from accounts.tokens import digest_of
from attendance.models import AbsenceFinding, SignIn
from cadres.models import Cadre, Region, Team, Unit
from cadres.policies import term_end_for
from zhucun.management.commands.seed_scale import PERSONA_PASSWORD, _name, _spread, bench_key, id_number_for
from zhucun.models import PolicyProfileVersion
from zhucun.workcalendar import month_bounds

#: The provinces (省级行政区) with their real codes, as in the 统计用区划代码.
PROVINCES: tuple[tuple[str, str], ...] = (
    ("11", "北京市"), ("12", "天津市"), ("13", "河北省"), ("14", "山西省"), ("15", "内蒙古自治区"),
    ("21", "辽宁省"), ("22", "吉林省"), ("23", "黑龙江省"), ("31", "上海市"), ("32", "江苏省"),
    ("33", "浙江省"), ("34", "安徽省"), ("35", "福建省"), ("36", "江西省"), ("37", "山东省"),
    ("41", "河南省"), ("42", "湖北省"), ("43", "湖南省"), ("44", "广东省"), ("45", "广西壮族自治区"),
    ("46", "海南省"), ("50", "重庆市"), ("51", "四川省"), ("52", "贵州省"), ("53", "云南省"),
    ("54", "西藏自治区"), ("61", "陕西省"), ("62", "甘肃省"), ("63", "青海省"), ("64", "宁夏回族自治区"),
    ("65", "新疆维吾尔自治区"),
)  # fmt: skip
NATION = {
    "provinces": 31,
    "cities": 333,
    "counties": 2800,
    "townships": 40000,
    "villages": 220000,
    "cadres": 660000,
}
#: The province of the province persona (and of the county persona's county): the deployment's own.
HOME_PROVINCE = "13"
#: How many region codes fit under one parent (the digits each level adds: 2, 2, 3, 3).
CODE_ROOM = {"cities": 99, "counties": 99, "townships": 999, "villages": 999}


@dataclasses.dataclass(frozen=True)
class NationSize:
    provinces: int
    cities: int
    counties: int
    townships: int
    villages: int
    cadres: int
    days: int
    #: cadres with an account and an API token (the sign-in load rotates them)
    tokens: int

    @classmethod
    def for_cadres(cls, cadres: int, days: int = 30, tokens: int = 6000) -> NationSize:
        """The nation's proportions shrunk (or grown) to ``cadres``: 3 cadres a team, ~5.5 villages a
        township, ~14 townships a county, ~8 counties a city; at least one of each per province."""
        factor = cadres / NATION["cadres"]
        provinces = min(NATION["provinces"], max(1, cadres // 3))
        villages = max(provinces, min(cadres, round(NATION["villages"] * factor)))
        townships = max(provinces, min(villages, round(NATION["townships"] * factor)))
        counties = max(provinces, min(townships, round(NATION["counties"] * factor)))
        cities = max(provinces, min(counties, round(NATION["cities"] * factor)))
        return cls(provinces, cities, counties, townships, villages, cadres, days, min(tokens, cadres))

    @classmethod
    def tiny(cls) -> NationSize:
        """The smoke test's nation: 3 provinces, 30 villages, 90 cadres, 5 days."""
        return cls(provinces=3, cities=4, counties=6, townships=12, villages=30, cadres=90, days=5, tokens=20)

    def as_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)


@dataclasses.dataclass
class NationSeed:
    size: NationSize
    timings: dict[str, float]
    counts: dict[str, int]
    #: persona usernames: nation, province, county (their region codes in ``persona_scopes``; the
    #: national persona's is "")
    personas: dict[str, str]
    persona_scopes: dict[str, str]
    #: (cadre id, API key) of the cadres with a token
    cadre_tokens: list[tuple[int, str]]
    #: the first and last day of the month the dashboards are asked about (``asked_month``), and the
    #: first day with sign-ins (the last is yesterday; today has the morning's)
    month: dt.date
    month_last: dt.date
    first_day: dt.date


def asked_month(*, first_day: dt.date, today: dt.date) -> tuple[dt.date, dt.date]:
    """The month the dashboards are asked about: of the months with seeded days before today, the one
    with the most of them (the later on a tie) — the last complete month on the first days of a month,
    the current month from its middle on."""
    yesterday = today - dt.timedelta(days=1)
    current = today.replace(day=1)
    previous = month_bounds(current - dt.timedelta(days=1))[0]
    days_current = (yesterday - max(first_day, current)).days + 1
    days_previous = (min(yesterday, current - dt.timedelta(days=1)) - max(first_day, previous)).days + 1
    return month_bounds(current if days_current >= days_previous else previous)


def build_nation(size: NationSize) -> tuple[list[Region], list[str]]:
    """The region tree below the provinces (parents first) and the village codes, each level spread
    evenly over the one above. The provinces themselves are ``PROVINCES[:size.provinces]``."""
    provinces = [code for code, _ in PROVINCES[: size.provinces]]
    plan = {
        "cities": _spread(size.cities, len(provinces)),
        "counties": _spread(size.counties, size.cities),
        "townships": _spread(size.townships, size.counties),
        "villages": _spread(size.villages, size.townships),
    }
    for level, counts in plan.items():
        if max(counts) > CODE_ROOM[level]:
            raise ValueError(f"{max(counts)} {level} under one parent do not fit in its code digits")
    rng = random.Random(11)
    regions: list[Region] = []
    villages: list[str] = []
    city_i = county_i = township_i = 0
    for p, province in enumerate(provinces):
        for c in range(plan["cities"][p]):
            city = f"{province}{c + 1:02d}"
            regions.append(Region(code=city, name=f"{city}市", level=Region.Level.CITY, parent_id=province))
            for k in range(plan["counties"][city_i]):
                county = f"{city}{k + 1:02d}"
                regions.append(Region(code=county, name=f"{county}县", level=Region.Level.COUNTY, parent_id=city))
                for t in range(plan["townships"][county_i]):
                    township = f"{county}{t + 1:03d}"
                    regions.append(
                        Region(code=township, name=f"{township}镇", level=Region.Level.TOWNSHIP, parent_id=county)
                    )
                    for v in range(plan["villages"][township_i]):
                        code = f"{township}{v + 1:03d}"
                        regions.append(
                            Region(
                                code=code,
                                name=f"{township}第{v + 1}村",
                                level=Region.Level.VILLAGE,
                                parent_id=township,
                                is_poor_village=True,
                                latitude=Decimal("30.000000") + Decimal(rng.randint(0, 9999999)) / 1000000,
                                longitude=Decimal("105.000000") + Decimal(rng.randint(0, 9999999)) / 1000000,
                                geofence_radius_m=1000,
                            )
                        )
                        villages.append(code)
                    township_i += 1
                county_i += 1
            city_i += 1
    return regions, villages


def _plain(value: Any) -> Any:
    """A choice (a str enum) as its plain value, for COPY."""
    return str(value) if isinstance(value, str) else value


def _reserve_ids(model: type[models.Model], count: int) -> int:
    """The first of ``count`` consecutive primary keys nobody else will be given (funding/scale.py's way)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1)",
                [table, table, count],
            )
            return int(cursor.fetchone()[0]) - count + 1
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        return int(cursor.fetchone()[0]) + 1


def _write(model: type[models.Model], columns: list[str], rows: Iterable[tuple[Any, ...]]) -> int:
    """COPY ``rows`` into ``model``'s table on PostgreSQL; ``bulk_create`` elsewhere. Rows written."""
    count = 0
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        sql = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:  # psycopg 3
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    batch: list[models.Model] = []
    for row in rows:
        batch.append(model(**dict(zip(columns, row, strict=True))))
        count += 1
        if len(batch) >= 5000:
            model.objects.bulk_create(batch)  # type: ignore[attr-defined]
            batch = []
    model.objects.bulk_create(batch)  # type: ignore[attr-defined]
    return count


class _SignIns:
    """The sign-in rows: per cadre (in id order, which is village order) each day before today — ~8%
    absent, 5% late, 2% outside the geofence, the rest on time (seed_scale's shares) — and today's
    morning for half the cadres without a token (those sign in during N3)."""

    COLUMNS = [
        "cadre_id",
        "village_code",
        "date",
        "client_id",
        "status",
        "inside_geofence",
        "distance_m",
        "photo",
        "server_time",
        "offline",
    ]

    def __init__(
        self, *, cadres: list[tuple[int, str]], first_day: dt.date, today: dt.date, tokens: set[int], findings: int
    ) -> None:
        self.cadres, self.tokens, self.findings = cadres, tokens, findings
        self.rng = random.Random(7)
        self.missing: list[tuple[int, str, dt.date]] = []
        tz = timezone.get_current_timezone()
        self.dates = [first_day + dt.timedelta(days=d) for d in range((today - first_day).days + 1)]
        # server times between 06:30 and 07:30 of the day, one per minute
        self.mornings = [
            [dt.datetime(day.year, day.month, day.day, 6, 30, tzinfo=tz) + dt.timedelta(minutes=m) for m in range(60)]
            for day in self.dates
        ]

    def _draws(self) -> Iterator[tuple[int, str, int, float]]:
        """(cadre, village, day index, draw) of every cadre-day present; the absent ones are noted."""
        rng = self.rng.random
        past = len(self.dates) - 1
        for cadre_id, village in self.cadres:
            for d in range(past):
                draw = rng()
                if draw < 0.08:
                    if len(self.missing) < self.findings:
                        self.missing.append((cadre_id, village, self.dates[d]))
                    continue
                yield cadre_id, village, d, draw
            if cadre_id not in self.tokens and rng() < 0.5:
                yield cadre_id, village, past, 0.5 + rng() / 2

    @staticmethod
    def status(draw: float) -> tuple[str, bool, int]:
        if draw > 0.98:
            return "outside_geofence", False, 3000
        return ("late" if draw > 0.93 else "ok"), True, int(draw * 900)

    def copy_text(self) -> Iterator[str]:
        """COPY text lines (PostgreSQL): formatted once per day and status, not per value."""
        days = [day.isoformat() for day in self.dates]
        mornings = [[t.isoformat() for t in day] for day in self.mornings]
        flags = {True: "t", False: "f"}
        for n, (cadre_id, village, d, draw) in enumerate(self._draws(), start=1):
            status, inside, distance = self.status(draw)
            yield (
                f"{cadre_id}\t{village}\t{days[d]}\t{n:08x}-0000-4000-8000-{n:012x}\t{status}\t{flags[inside]}\t"
                f"{distance}\t\t{mornings[d][int(draw * 59)]}\tf\n"
            )

    def rows(self) -> Iterator[tuple[Any, ...]]:
        for n, (cadre_id, village, d, draw) in enumerate(self._draws(), start=1):
            status, inside, distance = self.status(draw)
            client_id = f"{n:08x}-0000-4000-8000-{n:012x}"
            morning = self.mornings[d][int(draw * 59)]
            yield (cadre_id, village, self.dates[d], client_id, status, inside, distance, "", morning, False)


def _copy_signins(source: _SignIns) -> int:
    """The month's sign-ins: COPY in text chunks on PostgreSQL, ``bulk_create`` elsewhere."""
    if connection.vendor != "postgresql":
        return _write(SignIn, _SignIns.COLUMNS, source.rows())
    count = 0
    columns = ", ".join(_SignIns.COLUMNS)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY attendance_signin ({columns}) FROM STDIN") as copy:
        chunk: list[str] = []
        for line in source.copy_text():
            chunk.append(line)
            if len(chunk) >= 20000:
                copy.write("".join(chunk))
                count += len(chunk)
                chunk = []
        copy.write("".join(chunk))
        count += len(chunk)
    return count


def seed_nation(
    *, size: NationSize, today: dt.date | None = None, log: Callable[[str], None] = lambda _: None
) -> NationSeed:
    """Seed the nation into a fresh database (module docstring)."""
    from attendance import partitions, rollup

    if Team.objects.exists():
        raise RuntimeError("seed_nation needs a fresh database: this one has teams already")
    today = today or timezone.localdate()
    first_day = today - dt.timedelta(days=size.days)
    month, month_last = asked_month(first_day=first_day, today=today)
    rng = random.Random(2021)
    timings: dict[str, float] = {}
    counts: dict[str, int] = {}

    def step(name: str, started: float) -> None:
        timings[name] = round(time.perf_counter() - started, 2)
        log(f"  {name:<16} {timings[name]:8.1f} s  {counts.get(name, '')}")

    t = time.perf_counter()
    with transaction.atomic():
        for code, name in PROVINCES[: size.provinces]:
            Region.objects.update_or_create(code=code, defaults={"name": name, "level": Region.Level.PROVINCE})
        regions, villages = build_nation(size)
        region_columns = [
            "code",
            "name",
            "level",
            "parent_id",
            "is_poor_village",
            "latitude",
            "longitude",
            "geofence_radius_m",
        ]
        counts["regions"] = size.provinces + _write(
            Region, region_columns, (tuple(_plain(getattr(r, c)) for c in region_columns) for r in regions)
        )
    step("regions", t)

    t = time.perf_counter()
    with transaction.atomic():
        by_level: dict[str, list[str]] = {}
        for region in regions:
            by_level.setdefault(str(region.level), []).append(region.code)
        unit_rows: list[tuple[str, str, str | None]] = [(f"中央单位{i + 1}", "central", None) for i in range(5)]
        for province, _ in PROVINCES[: size.provinces]:
            unit_rows += [(f"省直单位{i + 1}", "province", province) for i in range(40)]
        unit_rows += [(f"市直单位{i + 1}", "city", city) for city in by_level["city"] for i in range(5)]
        unit_rows += [(f"县直单位{i + 1}", "county", county) for county in by_level["county"] for i in range(8)]
        first_unit = _reserve_ids(Unit, len(unit_rows))
        _write(
            Unit,
            ["id", "name", "level", "region_id"],
            ((first_unit + i, *row) for i, row in enumerate(unit_rows)),
        )
        counts["units"] = len(unit_rows)
        central = list(range(first_unit, first_unit + 5))
        units_of: dict[str, list[int]] = {}
        for i, (_, _, region_code) in enumerate(unit_rows):
            if region_code is not None:
                units_of.setdefault(region_code, []).append(first_unit + i)

        def unit_for(village: str) -> int:
            """20% from the centre or the province, 25% from the city, the rest from the county."""
            draw = rng.random()
            if draw < 0.05:
                return rng.choice(central)
            if draw < 0.2:
                return rng.choice(units_of[Region.province_of(village)])
            if draw < 0.45:
                return rng.choice(units_of[Region.city_of(village)])
            return rng.choice(units_of[Region.county_of(village)])

        first_team = _reserve_ids(Team, len(villages))
        team_units = [unit_for(code) for code in villages]
        now = timezone.now()
        counts["teams"] = _write(
            Team,
            ["id", "village_id", "unit_id", "created_at"],
            ((first_team + i, code, team_units[i], now) for i, code in enumerate(villages)),
        )
    step("units+teams", t)

    t = time.perf_counter()
    term_start = dt.date(today.year - 1, 7, 1)
    term_end = term_end_for(term_start)
    # one cadre in a hundred leaves this month (terms end all year round): judged on their days in post
    leaving = month_bounds(today)[1] - dt.timedelta(days=1)
    cadre_villages: list[tuple[int, str]] = []
    with transaction.atomic():
        first_cadre = _reserve_ids(Cadre, size.cadres)

        def cadre_rows() -> Iterator[tuple[Any, ...]]:
            serial = 0
            for i, (code, per_team) in enumerate(zip(villages, _spread(size.cadres, len(villages)), strict=True)):
                county = Region.county_of(code)
                for k in range(per_team):
                    pk = first_cadre + serial
                    cadre_villages.append((pk, code))
                    yield (
                        pk,
                        _name(rng),
                        "male" if rng.random() < 0.7 else "female",
                        id_number_for(serial, county=county),
                        f"139{serial:08d}",
                        team_units[i] if k == 0 or rng.random() < 0.7 else unit_for(code),
                        first_team + i,
                        "first_secretary_leader" if k == 0 else "member",
                        term_start,
                        leaving if serial % 100 == 99 else term_end,
                        "active",
                    )
                    serial += 1

        cadre_columns = [
            "id",
            "name",
            "gender",
            "id_number",
            "phone",
            "unit_id",
            "team_id",
            "role",
            "term_start",
            "term_end",
            "status",
        ]
        counts["cadres"] = _write(Cadre, cadre_columns, cadre_rows())
    step("cadres", t)

    # Accounts and API tokens for ``tokens`` cadres spread over the country (one shared password hash).
    t = time.perf_counter()
    with transaction.atomic():
        every = max(1, size.cadres // max(1, size.tokens))
        chosen = cadre_villages[::every][: size.tokens]
        password = make_password(secrets.token_urlsafe(16))
        users = User.objects.bulk_create(
            [User(username=f"c{pk}", role=Role.CADRE, cadre_id=pk, password=password) for pk, _ in chosen],
            batch_size=5000,
        )
        ApiToken.objects.bulk_create(
            [ApiToken(digest=digest_of(bench_key(user.username)), user=user, device="bench") for user in users],
            batch_size=5000,
        )
        counts["accounts"] = len(users)
    step("accounts", t)

    county = Region.county_of(next(code for code in villages if code.startswith(HOME_PROVINCE)))
    personas = {"nation": "bench_nation", "province": "bench_province", "county": "bench_county"}
    persona_scopes = {"nation": "", "province": HOME_PROVINCE, "county": county}
    # The national view (``region=nation``) is for whoever sees every region: a province organization
    # department (decision 0177, ``scoping.sees_nation``); accounts of that role name their province.
    for level in ("nation", "province"):
        account_create(
            actor=None,
            username=personas[level],
            password=PERSONA_PASSWORD,
            role=Role.PROVINCE_ORG,
            scope=HOME_PROVINCE,
        )
    account_create(
        actor=None, username=personas["county"], password=PERSONA_PASSWORD, role=Role.COUNTY_ORG, scope=county
    )
    # The benchmark signs in at any hour: a dated profile opens the window all day (bench only).
    PolicyProfileVersion.objects.create(
        name="基准测试：全天签到",
        effective_from=first_day - dt.timedelta(days=400),
        overrides={"signin_window_start": "00:00", "signin_window_end": "23:59", "signin_late_until": "23:59"},
        basis="seed_nation（仅用于性能基准数据库）",
    )

    t = time.perf_counter()
    # the seeded months and today's, and the months ahead the nightly job keeps ready
    counts["partitions"] = len(partitions.ensure(first_day, today) + partitions.ensure_ahead(today))
    source = _SignIns(
        cadres=cadre_villages,
        first_day=first_day,
        today=today,
        tokens={int(user.cadre_id or 0) for user in users},
        findings=max(5, size.cadres // 100),
    )
    with transaction.atomic(), rollup.bulk_load(first_day, today):
        counts["signins"] = _copy_signins(source)
        timings["signins_copy"] = round(time.perf_counter() - t, 2)
    step("signins", t)  # the COPY, then the months' rollup rebuilt in one statement

    t = time.perf_counter()
    findings = AbsenceFinding.objects.bulk_create(
        [
            AbsenceFinding(cadre_id=pk, village_code=code, date=day, source=AbsenceFinding.Source.MISSING_SIGNIN)
            for pk, code, day in source.missing
        ],
        batch_size=5000,
        ignore_conflicts=True,
    )
    counts["findings"] = len(findings)
    step("findings", t)

    return NationSeed(
        size=size,
        timings=timings,
        counts=counts,
        personas=personas,
        persona_scopes=persona_scopes,
        cadre_tokens=[(int(user.cadre_id or 0), bench_key(user.username)) for user in users],
        month=month,
        month_last=month_last,
        first_day=first_day,
    )


def reused_nation() -> NationSeed:
    """The NationSeed of a database a previous ``BENCH_KEEP=1`` run kept, read back from it."""
    from django.db.models import Count, Min

    today = timezone.localdate()
    levels = dict(Region.objects.values_list("level").annotate(n=Count("code")).values_list("level", "n"))
    first_day = SignIn.objects.aggregate(first=Min("date"))["first"] or today
    month, month_last = asked_month(first_day=first_day, today=today)
    users = {
        u.username: u for u in User.objects.filter(username__in=["bench_nation", "bench_province", "bench_county"])
    }
    personas = {"nation": "bench_nation", "province": "bench_province", "county": "bench_county"}
    rows = ApiToken.objects.filter(user__role=Role.CADRE, device="bench").order_by("user_id")
    tokens = [
        (int(cadre_id), bench_key(name)) for cadre_id, name in rows.values_list("user__cadre_id", "user__username")
    ]
    cadres = Cadre.objects.count()
    size = NationSize(
        provinces=levels.get("province", 0),
        cities=levels.get("city", 0),
        counties=levels.get("county", 0),
        townships=levels.get("township", 0),
        villages=levels.get("village", 0),
        cadres=cadres,
        days=(today - first_day).days,
        tokens=len(tokens),
    )
    return NationSeed(
        size=size,
        timings={},
        counts={"cadres": cadres, "signins": SignIn.objects.count(), "reused": 1},
        personas=personas,
        persona_scopes={level: str(users[name].region_id or "") for level, name in personas.items()},
        cadre_tokens=tokens,
        month=month,
        month_last=month_last,
        first_day=first_day,
    )
