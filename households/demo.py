"""Households and visits for the demo province, so `make run` shows the due list, the overdue flags and
the coverage chart: 24 households in each team village (4 poor, 18 resident non-poor, 2 away), six
months of visits by the team's leader — the poor visited monthly, the resident non-poor every two
months — with gaps in a few villages (overdue households), each visit in that day's work log.
Deterministic and idempotent; the households carry no ID numbers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from attendance.models import WorkLog
from cadres.demo import GIVEN, SURNAMES
from cadres.models import Cadre, Team

from . import rules
from .models import Household, Visit

#: villages whose team fell behind: some households overdue (the red rows of 龙州镇)
BEHIND = {"130125100201", "130126100200"}
NOTES = [
    "了解春耕备耕情况",
    "宣讲惠民政策",
    "帮助办理医保报销",
    "听取对村道硬化的意见",
    "查看危房改造进度",
    "了解务工收入",
]


def seed_households(*, today: dt.date | None = None) -> int:
    """Returns the number of households created (0 when the demo already has them)."""
    today = today or timezone.localdate()
    if Household.objects.exists():
        return 0
    teams = list(Team.objects.order_by("village_id"))
    leaders = {
        cadre.team_id: cadre
        for cadre in Cadre.objects.filter(role__in=Cadre.LEADER_ROLES, status=Cadre.Status.ACTIVE).order_by("pk")
    }
    households: list[Household] = []
    for t, team in enumerate(teams):
        for i in range(24):
            kind = rules.POOR if i < 4 else rules.NON_POOR
            name = SURNAMES[(t * 7 + i * 3) % len(SURNAMES)] + GIVEN[(t + i * 5) % len(GIVEN)]
            households.append(
                Household(
                    village_code=team.village_id,
                    head_name=name,
                    house_number=f"{i + 1}号",
                    kind=kind,
                    resident=i < 22,
                    phone=f"1380000{t:02d}{i:02d}",
                    registered_on=rules.month_start(today, 7),
                )
            )
    Household.objects.bulk_create(households, batch_size=1000)
    created = list(Household.objects.order_by("village_code", "id"))
    by_team = {team.village_id: team for team in teams}
    logs: dict[tuple[int, dt.date], WorkLog] = {}
    visits: list[Visit] = []
    for index, household in enumerate(created):
        team = by_team[household.village_code]
        leader = leaders.get(team.pk)
        if leader is None:
            continue
        position = index % 24
        for back in range(6, -1, -1):
            start = rules.month_start(today, back)
            if household.kind == rules.NON_POOR and (not household.resident or (back + position) % 2):
                continue  # the resident non-poor every other month, staggered
            behind = household.village_code in BEHIND and position in (0, 5, 6) and back < 3
            day = start + dt.timedelta(days=(position * 3 + back) % 27)
            if behind or day < leader.term_start or day > today:
                continue  # a visit not yet made this month: the household is due
            log = logs.get((leader.pk, day))
            if log is None:
                log = WorkLog(team=team, village_code=team.village_id, author=leader, date=day, content="")
                logs[(leader.pk, day)] = log
            poor = household.kind == rules.POOR
            visits.append(
                Visit(
                    household=household,
                    village_code=household.village_code,
                    cadre=leader,
                    work_log=log,
                    date=day,
                    household_kind=household.kind,
                    note=NOTES[(index + back) % len(NOTES)],
                    monthly_income=Decimal(900 + (index * 37 + back * 53) % 1400) if poor else None,
                    education_ok=True if poor else None,
                    health_ok=(index + back) % 7 != 0 if poor else None,
                    housing_ok=(index % 11) != 3 if poor else None,
                )
            )
    WorkLog.objects.bulk_create(list(logs.values()), batch_size=1000)
    for visit in visits:
        visit.work_log_id = visit.work_log.pk
    Visit.objects.bulk_create(visits, batch_size=2000)
    latest: dict[int, dt.date] = {}
    for visit in visits:
        latest[visit.household.pk] = max(latest.get(visit.household.pk, visit.date), visit.date)
    for household in created:
        household.last_visit_on = latest.get(household.pk)
    Household.objects.bulk_update(created, ["last_visit_on"], batch_size=1000)
    return len(created)
