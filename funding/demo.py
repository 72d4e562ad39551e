"""Funds and insurance for the demo province, so `make run` shows a real year: every team funded with
the profile's 80,000, a spread of expenses in 第二十七条's categories, most reimbursed, one team with
an expense waiting since September (overdue), named responsible persons; accident insurance for most
cadres, a few without (the register's red rows). Written through the services where the demo has the
keeper's account (行唐县) so the demo obeys every rule; deterministic and idempotent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from accounts.models import Role, User
from accounts.services import account_create
from cadres.demo import DEMO_PASSWORD
from cadres.models import Cadre, Team

from . import policies, services
from .models import FundAccount, InsurancePolicy

_RESPONSIBLE = ["王会计", "李会计", "张会计", "刘会计", "陈会计"]
_EXPENSES = [
    ("office", "1260.00", "打印纸、墨盒、文件夹"),
    ("meals", "3000.00", "伙食补助"),
    ("housing", "2400.00", "住房补助"),
    ("utilities", "486.50", "水电费"),
    ("telecom", "360.00", "网络通信补助"),
    ("transport", "218.00", "到县里参加培训的交通费"),
    ("study", "158.00", "学习资料"),
]
#: the team whose September receipt still waits for reimbursement (the overdue flag)
OVERDUE_TEAM_VILLAGE = "130125100201"


def seed_funds(*, today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    if FundAccount.objects.filter(year=today.year).exists():
        return 0
    keepers = {str(user.region_id): user for user in User.objects.filter(role=Role.COUNTY_ORG)}
    for code in {policies.keeper_county_code(team) for team in Team.objects.all()} - set(keepers):
        # the other demo counties' organization departments (not printed among the demo logins)
        keepers[code] = account_create(
            actor=None, username=f"county{code}", password=DEMO_PASSWORD, role=Role.COUNTY_ORG, scope=code
        )
    teams = list(Team.objects.select_related("unit", "village").order_by("village_id"))
    booked = 0
    for index, team in enumerate(teams):
        keeper = keepers.get(policies.keeper_county_code(team))
        assert keeper is not None
        services.allocation_create(
            actor=keeper, team=team, year=today.year, day=dt.date(today.year, 1, 15), today=today
        )
        services.account_set_responsible(
            actor=keeper, team=team, year=today.year, name=_RESPONSIBLE[index % len(_RESPONSIBLE)], phone="13900001111"
        )
        spent = []
        for month in range(1, today.month + 1, 2):
            category, amount, text = _EXPENSES[(index + month) % len(_EXPENSES)]
            day = min(dt.date(today.year, month, 10 + index % 10), today)
            spent.append(
                services.expense_create(
                    actor=keeper, team=team, day=day, category=category, amount=Decimal(amount), description=text,
                    today=today,
                )
            )  # fmt: skip
        waiting = spent[-1:] if team.village_id != OVERDUE_TEAM_VILLAGE else []
        if team.village_id == OVERDUE_TEAM_VILLAGE:
            late = services.expense_create(
                actor=keeper, team=team, day=dt.date(today.year, 9, 12), category="heating", amount=Decimal("980"),
                description="取暖补助（待报销）", today=today,
            )  # fmt: skip
            waiting = [late, spent[-1]]
        settle = [expense.pk for expense in spent if expense not in waiting]
        if settle:
            services.reimbursement_create(actor=keeper, team=team, day=today - dt.timedelta(days=20),
                                          expense_ids=settle, today=today)  # fmt: skip
        booked += 1
    policies_made = []
    for index, cadre in enumerate(Cadre.objects.filter(status=Cadre.Status.ACTIVE).select_related("team")):
        if index % 9 == 4:
            continue  # a few without cover: the register's red rows
        policies_made.append(
            InsurancePolicy(
                cadre=cadre, village_code=cadre.team.village_id, insurer="中国人民财产保险",
                policy_number=f"PAHB{cadre.pk:06d}", cover_start=cadre.term_start, cover_end=cadre.term_end,
                premium=Decimal("150.00"), paying_level="county",
            )
        )  # fmt: skip
    InsurancePolicy.objects.bulk_create(policies_made)
    return booked
