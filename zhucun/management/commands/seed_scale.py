"""``manage.py seed_scale``: a province of a given size for benchmarks (issue 6), built through the fast
paths — ``bulk_create`` in large batches, and COPY (psycopg ``cursor.copy``) for the sign-ins on
PostgreSQL — never row-by-row saves.

Defaults are Hebei-sized: 11 cities, 172 counties, 2,200 townships, 7,400 villages and teams, 22,000
cadres and a year of sign-ins. The geography shrinks with ``--cadres`` (about 3 cadres a team);
``--small`` is the tiny preset the test suite runs. Run it on a fresh database (it refuses to seed a
second time).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import random
import secrets
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import ApiToken, Role, User
from accounts.services import account_create
from accounts.tokens import digest_of
from assessment.models import AssessingLevel, AssessmentResult, AssessmentRound, SubjectType
from attendance import partitions, rollup
from attendance.models import AbsenceFinding, SignIn
from cadres.idnumbers import check_digit
from cadres.models import Cadre, Region, Team, Unit
from cadres.policies import term_end_for
from leave.models import LeaveRequest, LeaveStep
from zhucun.models import PolicyProfileVersion

#: The password of the persona accounts (officials) the benchmark logs in with.
PERSONA_PASSWORD = "Zhucun@Bench2026"  # noqa: S105 - bench database only
HEBEI = {"cities": 11, "counties": 172, "townships": 2200, "villages": 7400, "cadres": 22000}
BATCH = 5000
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志文红玉兰春梅海波宁"


def bench_key(username: str) -> str:
    """The API key of a seeded cadre account: derived from its username, so a kept bench database can be
    reused (keys are stored only as digests, decision 0046). Bench databases only — never production."""
    return hashlib.sha256(f"zhucun-bench-token:{username}".encode()).hexdigest()[:40]


@dataclasses.dataclass(frozen=True)
class ScaleSize:
    cities: int
    counties: int
    townships: int
    villages: int
    cadres: int
    days: int

    @classmethod
    def for_cadres(cls, cadres: int, days: int) -> ScaleSize:
        """Hebei's proportions shrunk (or grown) to ``cadres``: ~3 cadres a team, ~3.4 villages a township."""
        factor = cadres / HEBEI["cadres"]
        villages = max(1, min(cadres, round(HEBEI["villages"] * factor)))
        townships = max(1, min(villages, round(HEBEI["townships"] * factor)))
        counties = max(1, min(townships, round(HEBEI["counties"] * factor)))
        cities = max(1, min(counties, HEBEI["cities"]))
        return cls(cities, counties, townships, villages, cadres, days)

    @classmethod
    def small(cls) -> ScaleSize:
        return cls(cities=2, counties=4, townships=8, villages=20, cadres=60, days=10)

    def as_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)


@dataclasses.dataclass
class SeedResult:
    size: ScaleSize
    timings: dict[str, float]
    counts: dict[str, int]
    #: persona usernames by level: province, city, county, township (their codes in ``persona_scopes``)
    personas: dict[str, str]
    persona_scopes: dict[str, str]
    #: cadre id → API token, for every cadre (the sign-in benchmark rotates them)
    cadre_tokens: list[tuple[int, str]]
    signin_until: dt.date


def _spread(total: int, parts: int) -> list[int]:
    """``total`` items over ``parts`` buckets, as evenly as possible (each ≥ 1 when total ≥ parts)."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")


def id_number_for(serial: int, *, county: str = "130102") -> str:
    """A valid, unique 18-digit ID number: county code, a birth date from ``serial`` and a check digit."""
    birth = dt.date(1965, 1, 1) + dt.timedelta(days=(serial // 999) % 12000)
    first17 = f"{county}{birth:%Y%m%d}{serial % 999 + 1:03d}"
    return first17 + check_digit(first17)


def build_regions(size: ScaleSize, *, city_offset: int = 0) -> tuple[list[Region], list[str]]:
    """The region tree below the province (codes only, parents first) and the village codes."""
    regions: list[Region] = []
    villages: list[str] = []
    county_counts = _spread(size.counties, size.cities)
    township_counts = _spread(size.townships, size.counties)
    village_counts = _spread(size.villages, size.townships)
    county_i = township_i = 0
    rng = random.Random(13)  # noqa: S311 - reproducible data, not secrets
    for c in range(size.cities):
        city = f"13{c + 1 + city_offset:02d}"
        regions.append(Region(code=city, name=f"第{c + 1 + city_offset}市", level=Region.Level.CITY, parent_id="13"))
        for k in range(county_counts[c]):
            county = f"{city}{k + 1:02d}"
            regions.append(Region(code=county, name=f"{city}第{k + 1}县", level=Region.Level.COUNTY, parent_id=city))
            for t in range(township_counts[county_i]):
                township = f"{county}{t + 1:03d}"
                regions.append(
                    Region(code=township, name=f"{county}第{t + 1}镇", level=Region.Level.TOWNSHIP, parent_id=county)
                )
                for v in range(village_counts[township_i]):
                    code = f"{township}{v + 1:03d}"
                    regions.append(
                        Region(
                            code=code,
                            name=f"{township}第{v + 1}村",
                            level=Region.Level.VILLAGE,
                            parent_id=township,
                            is_poor_village=True,
                            latitude=Decimal("38.000000") + Decimal(rng.randint(0, 999999)) / 1000000,
                            longitude=Decimal("114.000000") + Decimal(rng.randint(0, 999999)) / 1000000,
                            geofence_radius_m=1000,
                        )
                    )
                    villages.append(code)
                township_i += 1
            county_i += 1
    return regions, villages


def _copy_or_bulk(model: Any, columns: list[str], rows: Iterable[tuple[Any, ...]], make: Callable[..., Any]) -> int:
    """COPY rows into ``model``'s table on PostgreSQL; ``bulk_create`` elsewhere. Returns rows written."""
    count = 0
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(model._meta.db_table)
        cols = ", ".join(connection.ops.quote_name(c) for c in columns)
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg 3 cursor
            with raw.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        return count
    batch: list[Any] = []
    for row in rows:
        batch.append(make(**dict(zip(columns, row, strict=True))))
        count += 1
        if len(batch) >= BATCH:
            model.objects.bulk_create(batch, batch_size=BATCH)
            batch = []
    model.objects.bulk_create(batch, batch_size=BATCH)
    return count


def seed_scale(
    *, size: ScaleSize, today: dt.date | None = None, log: Callable[[str], None] = lambda _: None
) -> SeedResult:
    """Build the province. Sign-ins cover the ``size.days`` days before ``today`` (today stays free
    for the sign-in benchmark)."""
    if Team.objects.exists():
        raise CommandError("数据库中已有工作队：seed_scale 只能在新建的数据库上运行。")
    today = today or timezone.localdate()
    rng = random.Random(2018)  # noqa: S311 - reproducible data, not secrets
    timings: dict[str, float] = {}
    counts: dict[str, int] = {}

    def step(name: str, started: float) -> None:
        timings[name] = round(time.perf_counter() - started, 3)
        log(f"  {name:<14} {timings[name]:8.2f} s  {counts.get(name, '')}")

    Region.objects.get_or_create(code="13", defaults={"name": "河北省", "level": Region.Level.PROVINCE})

    with transaction.atomic():
        t = time.perf_counter()
        regions, villages = build_regions(size)
        Region.objects.bulk_create(regions, batch_size=BATCH)
        counts["regions"] = len(regions)
        step("regions", t)

        t = time.perf_counter()
        city_codes = [r.code for r in regions if r.level == Region.Level.CITY]
        county_codes = [r.code for r in regions if r.level == Region.Level.COUNTY]
        units = [Unit(name=f"中央单位{i + 1}", level=Unit.Level.CENTRAL) for i in range(5)]
        units += [Unit(name=f"省直单位{i + 1}", level=Unit.Level.PROVINCE, region_id="13") for i in range(40)]
        units += [
            Unit(name=f"市直单位{i + 1}", level=Unit.Level.CITY, region_id=c) for c in city_codes for i in range(5)
        ]
        units += [
            Unit(name=f"县直单位{i + 1}", level=Unit.Level.COUNTY, region_id=c) for c in county_codes for i in range(8)
        ]
        Unit.objects.bulk_create(units, batch_size=BATCH)
        counts["units"] = len(units)
        upper = [u for u in units if u.level in (Unit.Level.CENTRAL, Unit.Level.PROVINCE)]
        by_city: dict[str, list[Unit]] = {}
        by_county: dict[str, list[Unit]] = {}
        for unit in units:
            if unit.level == Unit.Level.CITY:
                by_city.setdefault(str(unit.region_id), []).append(unit)
            elif unit.level == Unit.Level.COUNTY:
                by_county.setdefault(str(unit.region_id), []).append(unit)

        def unit_for(village: str) -> Unit:
            draw = rng.random()
            if draw < 0.2:
                return rng.choice(upper)
            if draw < 0.45:
                return rng.choice(by_city[Region.city_of(village)])
            return rng.choice(by_county[Region.county_of(village)])

        teams = [Team(village_id=code, unit=unit_for(code)) for code in villages]
        Team.objects.bulk_create(teams, batch_size=BATCH)
        counts["teams"] = len(teams)
        step("units+teams", t)

        t = time.perf_counter()
        cadres: list[Cadre] = []
        term_start = dt.date(today.year - 1, 7, 1)
        term_end = term_end_for(term_start)
        for team, n in zip(teams, _spread(size.cadres, len(teams)), strict=True):
            for i in range(n):
                cadres.append(
                    Cadre(
                        name=_name(rng),
                        gender=Cadre.Gender.MALE if rng.random() < 0.7 else Cadre.Gender.FEMALE,
                        id_number=id_number_for(len(cadres), county=Region.county_of(team.village_id)),
                        phone=f"139{len(cadres):08d}",
                        unit=team.unit if i == 0 or rng.random() < 0.7 else unit_for(team.village_id),
                        team=team,
                        role=Cadre.Role.FIRST_SECRETARY_LEADER if i == 0 else Cadre.Role.MEMBER,
                        term_start=term_start,
                        term_end=term_end,
                    )
                )
        Cadre.objects.bulk_create(cadres, batch_size=BATCH)
        counts["cadres"] = len(cadres)
        step("cadres", t)

        # Cadre accounts with API tokens (one shared unusable-to-guess hash: never row-by-row hashing).
        t = time.perf_counter()
        password = make_password(secrets.token_urlsafe(16))
        users = [
            User(username=f"c{cadre.pk}", role=Role.CADRE, cadre=cadre, password=password, is_active=True)
            for cadre in cadres
        ]
        User.objects.bulk_create(users, batch_size=BATCH)
        tokens = [ApiToken(digest=digest_of(bench_key(user.username)), user=user, device="bench") for user in users]
        ApiToken.objects.bulk_create(tokens, batch_size=BATCH)
        counts["accounts"] = len(users)
        step("accounts", t)

    # One persona per level (through the real service; a handful, so its cost does not matter).
    first_village = villages[0]
    persona_scopes = {
        "province": "13",
        "city": Region.city_of(first_village),
        "county": Region.county_of(first_village),
        "township": Region.township_of(first_village),
    }
    roles = {"province": Role.PROVINCE_ORG, "city": Role.CITY_ORG, "county": Role.COUNTY_ORG, "township": Role.TOWNSHIP}
    personas: dict[str, str] = {}
    for level, scope in persona_scopes.items():
        username = f"bench_{level}"
        account_create(actor=None, username=username, password=PERSONA_PASSWORD, role=roles[level], scope=scope)
        personas[level] = username

    # The benchmark signs in at any hour: a dated profile opens the window all day (bench only).
    PolicyProfileVersion.objects.create(
        name="基准测试：全天签到",
        effective_from=today - dt.timedelta(days=size.days + 400),
        overrides={"signin_window_start": "00:00", "signin_window_end": "23:59", "signin_late_until": "23:59"},
        basis="seed_scale（仅用于性能基准数据库）",
    )

    # Sign-ins: ~92% of cadre-days, 5% late, 2% outside the geofence.
    t = time.perf_counter()
    first_day = today - dt.timedelta(days=size.days)
    tz = timezone.get_current_timezone()
    cadre_rows = [(c.pk, c.team.village_id) for c in cadres]
    missing: list[tuple[int, str, dt.date]] = []
    columns = [
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

    def signin_rows() -> Iterator[tuple[Any, ...]]:
        fast = random.Random(7)  # noqa: S311 - reproducible data, not secrets
        for d in range(size.days):
            day = first_day + dt.timedelta(days=d)
            morning = dt.datetime(day.year, day.month, day.day, 7, 30, tzinfo=tz)
            for cadre_id, village in cadre_rows:
                draw = fast.random()
                if draw < 0.08:
                    if len(missing) < 5 * len(cadre_rows) // 100 + 5:
                        missing.append((cadre_id, village, day))
                    continue
                status, inside = "ok", True
                if draw > 0.98:
                    status, inside = "outside_geofence", False
                elif draw > 0.93:
                    status = "late"
                yield (
                    cadre_id,
                    village,
                    day,
                    uuid.UUID(int=fast.getrandbits(128), version=4),
                    status,
                    inside,
                    int(draw * 900) if inside else 3000,
                    "",
                    morning + dt.timedelta(seconds=int(draw * 3600)),
                    False,
                )

    last_day = first_day + dt.timedelta(days=max(size.days - 1, 0))
    # the months' partitions first (PostgreSQL), and the rollup built once after the COPY (decision 0177)
    partitions.ensure(first_day, last_day)
    with transaction.atomic(), rollup.bulk_load(first_day, last_day):
        counts["signins"] = _copy_or_bulk(SignIn, columns, signin_rows(), SignIn)
    step("signins", t)

    # Leave (1% of cadres, approved by the township) and absence findings (pending, bulk).
    t = time.perf_counter()
    with transaction.atomic():
        leave_cadres = rng.sample(cadres, max(1, len(cadres) // 100))
        now = timezone.now()
        requests = []
        for cadre in leave_cadres:
            start = first_day + dt.timedelta(days=rng.randrange(max(1, size.days)))
            requests.append(
                LeaveRequest(
                    cadre=cadre,
                    village_code=cadre.team.village_id,
                    unit_id=cadre.unit_id,
                    kind="personal",
                    start=start,
                    end=start + dt.timedelta(days=1),
                    days=Decimal("2"),
                    reason="家中有事",
                    status=LeaveRequest.Status.APPROVED,
                    decided_at=now,
                )
            )
        LeaveRequest.objects.bulk_create(requests, batch_size=BATCH)
        LeaveStep.objects.bulk_create(
            [
                LeaveStep(
                    request=r, position=1, approver="township", status="approved", received_at=now, decided_at=now
                )
                for r in requests
            ],
            batch_size=BATCH,
        )
        findings = [
            AbsenceFinding(cadre_id=cid, village_code=village, date=day, source=AbsenceFinding.Source.MISSING_SIGNIN)
            for cid, village, day in missing
        ]
        AbsenceFinding.objects.bulk_create(findings, batch_size=BATCH, ignore_conflicts=True)
        counts["leave"] = len(requests)
        counts["findings"] = len(findings)
    step("leave+findings", t)

    # Last year's assessment: a round per assessing department, every cadre, team and unit graded.
    t = time.perf_counter()
    with transaction.atomic():
        year = today.year - 1
        rounds: dict[tuple[str, str], AssessmentRound] = {}

        def round_for(unit: Unit) -> AssessmentRound:
            if unit.level in (Unit.Level.CENTRAL, Unit.Level.PROVINCE):
                key = (AssessingLevel.PROVINCE.value, "13")
            else:
                key = (str(unit.level), str(unit.region_id))
            if key not in rounds:
                rounds[key] = AssessmentRound(year=year, level=key[0], region_code=key[1])
            return rounds[key]

        for unit in units:
            round_for(unit)
        AssessmentRound.objects.bulk_create(list(rounds.values()), batch_size=BATCH)
        unit_by_id = {u.pk: u for u in units}
        cadre_grades = ["excellent", "competent", "competent", "competent", "basically_competent"]
        team_grades = ["excellent", "good", "good", "fair"]
        results = [
            AssessmentResult(
                round=round_for(unit_by_id[c.unit_id]),
                subject_type=SubjectType.CADRE,
                cadre=c,
                unit_id=c.unit_id,
                village_code=c.team.village_id,
                region_code=c.team.village_id,
                grade=rng.choice(cadre_grades),
            )
            for c in cadres
        ]
        results += [
            AssessmentResult(
                round=round_for(unit_by_id[tm.unit_id]),
                subject_type=SubjectType.TEAM,
                team=tm,
                unit_id=tm.unit_id,
                village_code=tm.village_id,
                region_code=tm.village_id,
                grade=rng.choice(team_grades),
            )
            for tm in teams
        ]
        results += [
            AssessmentResult(
                round=round_for(u),
                subject_type=SubjectType.UNIT,
                unit=u,
                village_code="",
                region_code=str(u.region_id or "13"),
                grade=rng.choice(team_grades),
            )
            for u in units
        ]
        AssessmentResult.objects.bulk_create(results, batch_size=BATCH)
        counts["assessment"] = len(results)
    step("assessment", t)

    # Team funds (issue 12): last year's account of every team with its ledger (funding/scale.py).
    t = time.perf_counter()
    from funding.scale import seed_funds_scale

    funds = seed_funds_scale(year=today.year - 1, today=today)
    counts.update(funds)
    counts["funds"] = funds.get("ledger_entries", 0)
    step("funds", t)

    if connection.vendor == "postgresql":
        t = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        step("analyze", t)

    return SeedResult(
        size=size,
        timings=timings,
        counts=counts,
        personas=personas,
        persona_scopes=persona_scopes,
        cadre_tokens=[(user.cadre_id or 0, bench_key(user.username)) for user in users],
        signin_until=today - dt.timedelta(days=1),
    )


class Command(BaseCommand):
    help = "Build a province of a given size for benchmarks (bulk inserts and COPY; fresh database only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cadres", type=int, default=HEBEI["cadres"], help="cadres (default 22,000)")
        parser.add_argument("--days", type=int, default=365, help="days of sign-ins before today (default 365)")
        parser.add_argument("--small", action="store_true", help="tiny preset: 2 cities, 20 villages, 60 cadres")
        parser.add_argument("--tokens-out", default="", help="write 'cadre_id token' lines to this file")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["small"]:
            size = ScaleSize.small()
        elif options["cadres"] == HEBEI["cadres"]:
            size = ScaleSize(**HEBEI, days=options["days"])
        else:
            size = ScaleSize.for_cadres(options["cadres"], options["days"])
        self.stdout.write(f"seed_scale: {size.as_dict()}")
        started = time.perf_counter()
        result = seed_scale(size=size, log=self.stdout.write)
        self.stdout.write(f"  {'total':<14} {time.perf_counter() - started:8.2f} s")
        self.stdout.write(f"counts: {result.counts}")
        self.stdout.write(f"personas (password {PERSONA_PASSWORD}): {result.personas}")
        if options["tokens_out"]:
            buffer = io.StringIO()
            for cadre_id, key in result.cadre_tokens:
                buffer.write(f"{cadre_id} {key}\n")
            with open(options["tokens_out"], "w", encoding="utf-8") as handle:
                handle.write(buffer.getvalue())
