"""The teams' opinions (第二十五条 双线考核) for the demo province, so `make run` shows the page 双线考核评价意见
filled: this year's opinions of two teams in three on the county they are stationed in and on each unit
that dispatched cadres to them. The demo team leader's own team (ganbu, 龙州镇东庄村) has given its
opinion on the county and not yet on its unit, which is left for the demo to try. Written directly (no
audit), deterministic and idempotent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from cadres.models import Cadre, Region, Team

from .models import SupportOpinion, TeamGrade
from .rules import support_opinion_units

#: the team whose leader signs in as ganbu: its unit opinion is left for the demo to give
DEMO_LEADER_VILLAGE = "130125100200"
SCORES = (Decimal("93.5"), Decimal("88.0"), Decimal("84.5"), Decimal("91.0"), Decimal("76.0"), Decimal("86.5"))
COUNTY_TEXTS = (
    "县委县政府对驻村帮扶工作重视，政策落实到位，产业项目和村道硬化资金及时拨付，对工作队支持有力。",
    "县里统筹推进巩固脱贫成果，防返贫监测及时，但部分项目审批周期较长，建议进一步简化流程。",
)
UNIT_TEXTS = (
    "派出单位党组定期听取驻村工作汇报，落实工作经费和人员保障，协调帮扶项目资金，“三个一”要求落实到位。",
    "派出单位支持工作队开展工作，单位领导到村调研，帮助解决实际困难；建议加大对村集体经济项目的支持。",
)


def _grade(score: Decimal) -> str:
    if score >= 90:
        return TeamGrade.EXCELLENT
    if score >= 80:
        return TeamGrade.GOOD
    return TeamGrade.FAIR if score >= 60 else TeamGrade.POOR


def seed_opinions(*, today: dt.date | None = None) -> int:
    """Returns the number of opinions created (0 when this year's are present)."""
    year = (today or timezone.localdate()).year
    if SupportOpinion.objects.filter(year=year).exists():
        return 0
    leaders = {
        user.cadre.team_id: user
        for user in User.objects.filter(role="cadre", cadre__role__in=Cadre.LEADER_ROLES).select_related("cadre")
        if user.cadre is not None
    }
    opinions: list[SupportOpinion] = []
    for t, team in enumerate(Team.objects.order_by("village_id")):
        if t % 3 == 2 and team.village_id != DEMO_LEADER_VILLAGE:
            continue  # this team has not given its opinions yet
        author = leaders.get(team.pk)
        score = SCORES[t % len(SCORES)]
        opinions.append(
            SupportOpinion(
                year=year, team=team, village_code=team.village_id, body_type=SupportOpinion.BodyType.COUNTY,
                county_code=Region.county_of(team.village_id), grade=_grade(score), score=score,
                opinion=COUNTY_TEXTS[t % 2], submitted_by=author,
            )
        )  # fmt: skip
        if team.village_id == DEMO_LEADER_VILLAGE:
            continue
        for u, unit in enumerate(support_opinion_units(team, year)):
            score = SCORES[(t + u + 1) % len(SCORES)]
            opinions.append(
                SupportOpinion(
                    year=year, team=team, village_code=team.village_id, body_type=SupportOpinion.BodyType.UNIT,
                    unit=unit, grade=_grade(score), score=score, opinion=UNIT_TEXTS[(t + u) % 2], submitted_by=author,
                )
            )  # fmt: skip
    SupportOpinion.objects.bulk_create(opinions)
    return len(opinions)
