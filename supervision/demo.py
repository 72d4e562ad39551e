"""Supervision for the demo province, so `make run` shows it at work: random presence checks in 龙州镇
over the last days — answered in the village, answered outside it, missed (each with its pending
finding) — and one waiting on the demo cadre's phone; every team's annual task list (规定内容 set by
its county through the service, 自选内容 of the unit and the team), one of them overdue. Deterministic
and idempotent."""

from __future__ import annotations

import contextlib
import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Role, User
from cadres.models import Cadre, Team

from . import rules, services
from .models import AnnualTask, Demand, InspectionPlan, PresenceCheck

DEMO_TOWNSHIP = "130125100"
DEMO_CADRE_VILLAGE = "130125100200"


def seed_presence_checks(*, now: dt.datetime | None = None) -> int:
    if PresenceCheck.objects.exists():
        return 0
    now = now or timezone.now()
    issuer = User.objects.filter(role=Role.TOWNSHIP, region_id=DEMO_TOWNSHIP).first()
    cadres = list(
        Cadre.objects.filter(status=Cadre.Status.ACTIVE, team__village__code__startswith=DEMO_TOWNSHIP)
        .exclude(team__village_id=DEMO_CADRE_VILLAGE)
        .order_by("team__village_id", "pk")[:6]
    )
    rows = []
    for index, cadre in enumerate(cadres):
        issued = timezone.localtime(now - dt.timedelta(days=index + 1)).replace(hour=10, minute=15, second=0)
        due = issued + dt.timedelta(minutes=30)
        outcome = ("present", "present", "outside_geofence", "missed_pending", "present", "present")[index % 6]
        rows.append(
            PresenceCheck(
                cadre=cadre, village_code=cadre.team.village_id, minutes=30, issued_by=issuer, issued_at=issued,
                due_at=due, status="pending" if outcome == "missed_pending" else outcome,
                answered_at=None if outcome == "missed_pending" else issued + dt.timedelta(minutes=4 + index),
                distance_m=None if outcome == "missed_pending" else (2600 if outcome == "outside_geofence" else 120),
            )
        )  # fmt: skip
    PresenceCheck.objects.bulk_create(rows)
    services.presence_checks_expire(now=now)  # the missed one gets its pending finding
    demo_cadre = Cadre.objects.filter(team__village_id=DEMO_CADRE_VILLAGE, role="first_secretary_leader").first()
    if issuer is not None and demo_cadre is not None:
        # on approved leave today, or already checked: the demo shows the others
        with contextlib.suppress(ValidationError):
            services.presence_check_issue(actor=issuer, cadre=demo_cadre, minutes=120)
    return PresenceCheck.objects.count()


_REQUIRED = [
    ("产业帮扶：发展特色种植", "带动全村贫困户每户增收 2000 元以上", "6-30", "县农业农村局"),
    ("基础设施：村内道路硬化", "完成主街 1.5 公里硬化", "12-20", "县交通运输局"),
    ("教育保障：控辍保学", "适龄儿童无因贫失学辍学", "9-1", "县教育局"),
]
_OPTIONAL = [
    ("unit", "派出单位帮扶：捐建村文化广场", "完成广场建设并投入使用", "10-31"),
    ("team", "工作队争取：光伏扶贫项目", "争取 100 千瓦村级光伏电站", "11-30"),
]
#: the team whose 自选内容 ran past its deadline (the overdue flag in the demo)
OVERDUE_TASK_VILLAGE = "130125100201"


def seed_tasks(*, today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    if AnnualTask.objects.filter(year=today.year).exists():
        return 0
    counties = {str(u.region_id): u for u in User.objects.filter(role=Role.COUNTY_ORG, is_active=True)}
    for index, team in enumerate(Team.objects.select_related("unit").order_by("village_id")):
        county = counties.get(rules.team_county_code(team))
        if county is None:
            continue
        for number, (title, target, due, department) in enumerate(_REQUIRED):
            month, day = (int(part) for part in due.split("-"))
            deadline = dt.date(today.year, month, day)
            task = services.task_create(
                actor=county, team=team, year=today.year, kind="required", title=title, target=target,
                deadline=deadline, responsible_department=department,
            )  # fmt: skip
            if deadline < today:
                services.task_update(actor=county, task=task, done=True)
            else:
                services.task_update(actor=county, task=task, progress=(30 + 20 * number + 7 * index) % 90)
        for origin, title, target, due in _OPTIONAL:
            month, day = (int(part) for part in due.split("-"))
            deadline = dt.date(today.year, month, day)
            late = team.village_id == OVERDUE_TASK_VILLAGE and origin == "team"
            if late:  # ran past its deadline ten days ago (on 1 January: today, so not yet overdue)
                deadline = max(today - dt.timedelta(days=10), dt.date(today.year, 1, 1))
            AnnualTask.objects.create(
                team=team, village_code=team.village_id, year=today.year, kind="optional", origin=origin, title=title,
                target=target, deadline=deadline, progress=60 if late else (100 if deadline < today else 40),
                done=deadline < today and not late, done_on=deadline if deadline < today and not late else None,
            )  # fmt: skip
    services.task_overdue_flags(today=today)
    return AnnualTask.objects.filter(year=today.year).count()


def seed_inspections(*, today: dt.date | None = None) -> int:
    """石家庄市's 交叉检查 of 灵寿县 by 行唐县's office (lent 灵寿县 until the plan's end), with results; 行唐县's
    own 明查暗访 of 龙州镇 with a cadre found away (a confirmed finding)."""
    today = today or timezone.localdate()
    if InspectionPlan.objects.exists():
        return 0
    city = User.objects.filter(role=Role.CITY_ORG, region_id="1301").first()
    county = User.objects.filter(role=Role.COUNTY_ORG, region_id="130125").first()
    if city is None or county is None:
        return 0
    cross = services.inspection_plan_create(
        actor=city, kind="cross", title="石家庄市驻村工作交叉检查（石组通〔2026〕12号）", scope_code="130126",
        start=today - dt.timedelta(days=3), end=today + dt.timedelta(days=14),
        note="重点检查在岗、工作日志和任务清单落实。",
    )  # fmt: skip
    services.inspector_add(actor=city, plan=cross, username=county.username)
    for index, team in enumerate(Team.objects.filter(village__code__startswith="130126").order_by("village_id")[:3]):
        outcome = "problem" if index == 2 else "ok"
        services.inspection_result_record(
            actor=county, plan=cross, team=team, day=today - dt.timedelta(days=2), outcome=outcome,
            note="工作日志多日未记录" if outcome == "problem" else "",
        )  # fmt: skip
    visit = services.inspection_plan_create(
        actor=county, kind="visit", title="行唐县驻村干部在岗情况暗访", scope_code="130125100",
        start=today - dt.timedelta(days=5), end=today + dt.timedelta(days=5),
    )  # fmt: skip
    away = (
        Cadre.objects.filter(team__village__code__startswith="130125100", status=Cadre.Status.ACTIVE, role="member")
        .exclude(team__village_id=DEMO_CADRE_VILLAGE)
        .select_related("team")
        .order_by("pk")
        .first()
    )
    if away is not None:
        with contextlib.suppress(ValidationError):  # on approved leave that day in the demo: not an absence
            services.inspection_result_record(
                actor=county, plan=visit, team=away.team, cadre=away, day=today - dt.timedelta(days=4),
                time=dt.time(10, 20), outcome="absent", note="暗访时不在村，未请假",
            )  # fmt: skip
    return InspectionPlan.objects.count()


_DEMANDS = [
    ("meeting", "", "全镇脱贫攻坚推进会"),
    ("form", "", "填报贫困户收入台账"),
    ("report", "县扶贫办", "报送月度工作总结"),
    ("inspection", "县农业农村局", "迎接产业项目调研"),
    ("visitors", "县文旅局", "陪同外地考察团参观"),
]


def seed_burden(*, today: dt.date | None = None) -> int:
    """This month's demands on 龙州镇's cadres (recorded by the township, one reported by the demo cadre),
    and a cadre of another unit posted 回单位 on two days — the unit's flag (第十一条)."""
    from attendance.models import Whereabouts

    today = today or timezone.localdate()
    if Demand.objects.exists():
        return 0
    township = User.objects.filter(role=Role.TOWNSHIP, region_id=DEMO_TOWNSHIP).first()
    cadres = list(
        Cadre.objects.filter(status=Cadre.Status.ACTIVE, team__village__code__startswith=DEMO_TOWNSHIP)
        .select_related("team")
        .order_by("team__village_id", "pk")[:8]
    )
    if township is None or not cadres:
        return 0
    first = today.replace(day=1)
    for index, cadre in enumerate(cadres):
        for offset, (kind, body, text) in enumerate(_DEMANDS[: 1 + index % len(_DEMANDS)]):
            day = min(first + dt.timedelta(days=index + 2 * offset), today)
            services.demand_record(
                actor=township, cadre=cadre, day=day, kind=kind, demanding_body=body, description=text
            )
    demo = User.objects.filter(username="ganbu", role=Role.CADRE).select_related("cadre__team").first()
    if demo is not None and demo.cadre is not None:
        services.demand_record(
            actor=demo,
            cadre=demo.cadre,
            day=today,
            kind="form",
            demanding_body="县统计局",
            description="重复填报人口信息表",
        )
    back = cadres[-1]
    days = [d for d in (first + dt.timedelta(days=1), first + dt.timedelta(days=2)) if d < today] or [today]
    Whereabouts.objects.bulk_create(
        [Whereabouts(cadre=back, village_code=back.team.village_id, date=d, status="unit", note="单位有事召回")
         for d in days],
        ignore_conflicts=True,
    )  # fmt: skip
    services.unit_return_flags(today=today)
    return Demand.objects.count()


def seed_supervision() -> dict[str, int]:
    """Everything supervision shows in the demo (hooked into ``manage.py seed_demo``)."""
    return {
        "presence_checks": seed_presence_checks(),
        "tasks": seed_tasks(),
        "inspections": seed_inspections(),
        "demands": seed_burden(),
    }
