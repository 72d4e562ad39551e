"""Query counts of every list endpoint and list page are pinned (tests/query_counts.json) and the same
at 10 and 110 rows: a page's cost must not grow with its rows (NetBox's query_counts.json). A query
per row shows as a hundred more queries at 110 rows (500 rows took two minutes of one CI worker)."""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from cadres.models import Cadre, Region, Team
from tests.matrix.shared_world import module_world  # noqa: F401 (fixture: one world per module)
from zhucun.testing.world import World, make_id_number

#: Each list is measured in a savepoint of the module's world (tests/matrix/shared_world.py).
pytestmark = pytest.mark.django_db

PINNED_FILE = Path(__file__).parent / "query_counts.json"
PINNED = json.loads(PINNED_FILE.read_text())

# name → (api?, url). Every list is asked for a page big enough to hold the large world's first page.
LISTS: dict[str, tuple[bool, Callable[[], str]]] = {
    "api:team-list": (True, lambda: reverse("api:team-list") + "?page_size=200"),
    "api:cadre-list": (True, lambda: reverse("api:cadre-list") + "?page_size=200"),
    "api:region-list": (True, lambda: reverse("api:region-list") + "?page_size=200"),
    "api:account-list": (True, lambda: reverse("api:account-list") + "?page_size=200"),
    "account-list": (False, lambda: reverse("account-list")),
    "account-scope-search": (False, lambda: reverse("account-scope-search") + "?role=cadre&q=%E6%9D%91"),
    "team-list": (False, lambda: reverse("team-list")),
    "cadre-list": (False, lambda: reverse("cadre-list")),
    "region-detail": (False, lambda: reverse("region-detail", args=["130102001"])),
    "home": (False, lambda: reverse("home")),
    "team-list-export": (False, lambda: reverse("team-list") + "?export=xlsx"),
    "cadre-list-export": (False, lambda: reverse("cadre-list") + "?export=xlsx"),
    "cadre-export-id-numbers": (False, lambda: reverse("cadre-export-id-numbers")),
    # attendance
    "api:signin-list": (True, lambda: reverse("api:signin-list") + "?page_size=200"),
    "api:absence-finding-list": (True, lambda: reverse("api:absence-finding-list") + "?page_size=200"),
    "api:work-log-list": (True, lambda: reverse("api:work-log-list") + "?page_size=200"),
    "api:whereabouts-list": (True, lambda: reverse("api:whereabouts-list") + "?page_size=200"),
    "api:attendance-dashboard": (True, lambda: reverse("api:attendance-dashboard") + "?region=130102001"),
    "attendance-dashboard-township": (False, lambda: reverse("attendance-dashboard-region", args=["130102001"])),
    "attendance-dashboard-county": (False, lambda: reverse("attendance-dashboard-region", args=["130102"])),
    "attendance-work-logs": (False, lambda: reverse("attendance-work-logs")),
    "attendance-register": (False, lambda: reverse("attendance-register", args=["130102001"])),
    # one cadre's page (issue 15 item 13): its findings grow with the rows (_grow_attendance)
    "attendance-cadre": (False, lambda: reverse("attendance-cadre", args=[_page_cadre().pk]) + "?day=2026-11-02"),
    "api:leave-request-list": (True, lambda: reverse("api:leave-request-list") + "?page_size=200"),
    "api:leave-request-list-awaiting-me": (True, lambda: reverse("api:leave-request-list") + "?awaiting_me=true"),
    "leave-inbox": (False, lambda: reverse("leave-inbox")),
    "leave-register": (False, lambda: reverse("leave-register")),
    "leave-register-export": (False, lambda: reverse("leave-register") + "?export=xlsx"),
    # assessment and recall
    "api:recall-case-list": (True, lambda: reverse("api:recall-case-list") + "?page_size=200"),
    "assessment-recall-list": (False, lambda: reverse("assessment-recall-list")),
    "assessment-recall-export": (False, lambda: reverse("assessment-recall-export")),
    "assessment-accountability-export": (False, lambda: reverse("assessment-accountability-export")),
    "api:assessment-export": (True, lambda: reverse("api:assessment-export") + "?year=2026"),
    # audit viewer (issue 10 item 7)
    "audit-list": (False, lambda: reverse("audit-list")),
    "audit-list-filtered": (False, lambda: reverse("audit-list") + "?region=130102001&action=team&search=新村"),
    "audit-list-export": (False, lambda: reverse("audit-list") + "?export=xlsx"),
    "api:audit-event-list": (True, lambda: reverse("api:audit-event-list") + "?page_size=200"),
    # the term
    "api:term-adjustment-list": (True, lambda: reverse("api:term-adjustment-list") + "?page_size=200"),
    "term-adjustment-list": (False, lambda: reverse("term-adjustment-list")),
    # team funds
    "api:fund-expense-list": (True, lambda: reverse("api:fund-expense-list") + "?page_size=200"),
    "api:fund-allocation-list": (True, lambda: reverse("api:fund-allocation-list") + "?page_size=200"),
    "api:fund-reimbursement-list": (True, lambda: reverse("api:fund-reimbursement-list") + "?page_size=200"),
    "funds-overview-county": (False, lambda: reverse("funds-overview-region", args=["130102"])),
    "funds-overview-township": (False, lambda: reverse("funds-overview-region", args=["130102001"])),
    "funds-ledger": (False, lambda: reverse("funds-ledger", args=[Team.objects.get(village_id="130102001001").pk])),
    "funds-ledger-export": (
        False,
        lambda: reverse("funds-ledger", args=[Team.objects.get(village_id="130102001001").pk]) + "?export=xlsx",
    ),
    "funds-county-ledger-export": (False, lambda: reverse("funds-overview-region", args=["130102"]) + "?export=ledger"),
    "funds-insurance": (False, lambda: reverse("funds-insurance") + "?region=130102001"),
    "api:insurance-policy-list": (True, lambda: reverse("api:insurance-policy-list") + "?page_size=200"),
    "funds-overview-export": (False, lambda: reverse("funds-overview-region", args=["130102"]) + "?export=xlsx"),
    # the duties calendar (issue 13)
    "api:duty-list": (True, lambda: reverse("api:duty-list") + "?page_size=200"),
    "duties-mine": (False, lambda: reverse("duties-mine") + "?year=2026"),
    "duties-compliance": (False, lambda: reverse("duties-compliance")),
    "duties-compliance-export": (False, lambda: reverse("duties-compliance") + "?status=overdue&export=xlsx"),
    # messages that reach people (issue 15): one's own settings with the recent deliveries
    "notification-settings": (False, lambda: reverse("notification-settings")),
    "api:notification-preferences": (True, lambda: reverse("api:notification-preferences")),
    # supervision (issue 13)
    "api:presence-check-list": (True, lambda: reverse("api:presence-check-list") + "?page_size=200"),
    "supervision-presence-list": (False, lambda: reverse("supervision-presence-list")),
    "supervision-presence-list-export": (False, lambda: reverse("supervision-presence-list") + "?export=xlsx"),
    "api:task-list": (True, lambda: reverse("api:task-list") + "?page_size=200"),
    "supervision-tasks": (False, lambda: reverse("supervision-tasks")),
    "supervision-tasks-export": (False, lambda: reverse("supervision-tasks") + "?export=xlsx"),
    "supervision-team-tasks": (
        False,
        lambda: reverse("supervision-team-tasks", args=[Team.objects.get(village_id="130102001001").pk]),
    ),
    "public-village": (False, lambda: reverse("public-village", args=["130102001001"])),
    "supervision-inspections": (False, lambda: reverse("supervision-inspections")),
    "supervision-inspection-detail": (
        False,
        lambda: reverse("supervision-inspection-detail", args=[_grown_plan().pk]),
    ),
    "supervision-burden": (False, lambda: reverse("supervision-burden")),
    "supervision-burden-export": (False, lambda: reverse("supervision-burden") + "?export=xlsx"),
    "api:demand-list": (True, lambda: reverse("api:demand-list") + "?page_size=200"),
    # households and visits (issue 14)
    "api:household-list": (True, lambda: reverse("api:household-list") + "?page_size=200"),
    "api:household-list-due": (True, lambda: reverse("api:household-list") + "?region=130102001&due=true"),
    "api:visit-list": (True, lambda: reverse("api:visit-list") + "?page_size=200"),
    "households-county": (False, lambda: reverse("households-region", args=["130102"])),
    "households-township": (False, lambda: reverse("households-region", args=["130102001"])),
    "households-village": (False, lambda: reverse("households-region", args=["130102001100"])),
    "households-township-export": (False, lambda: reverse("households-region", args=["130102001"]) + "?export=xlsx"),
    # training (issue 14)
    "api:training-event-list": (True, lambda: reverse("api:training-event-list") + "?page_size=200"),
    "training-list": (False, lambda: reverse("training-list")),
    "training-untrained": (False, lambda: reverse("training-untrained") + "?year=2026"),
    "training-untrained-export": (False, lambda: reverse("training-untrained") + "?year=2026&export=xlsx"),
    # the file (第十五条2, decision 0132): every capability's rows of team A and its leader, grouped by month
    "archive-cadre": (False, lambda: reverse("archive-cadre", args=[_leader_a().pk])),
    "archive-team": (False, lambda: reverse("archive-team", args=[Team.objects.get(village_id="130102001001").pk])),
    "archive-team-download": (
        False,
        lambda: reverse("archive-team-download", args=[Team.objects.get(village_id="130102001001").pk]),
    ),
    # party affairs (issue 14, 第十八条)
    "party-transfer-list": (False, lambda: reverse("party-transfer-list") + "?status=all"),
    "party-transfer-list-export": (False, lambda: reverse("party-transfer-list") + "?status=all&export=xlsx"),
    "api:party-transfer-list": (True, lambda: reverse("api:party-transfer-list") + "?page_size=200"),
    "api:party-transfer-pending": (True, lambda: reverse("api:party-transfer-pending") + "?page_size=200"),
    "api:party-secretary-list": (True, lambda: reverse("api:party-secretary-list") + "?page_size=200"),
    # 双线考核 (issue 14, 第二十五条)
    "assessment-support-opinions": (False, lambda: reverse("assessment-support-opinions") + "?year=2026"),
    "api:support-opinion-list": (True, lambda: reverse("api:support-opinion-list") + "?page_size=200"),
    "api:support-opinion-summary": (True, lambda: reverse("api:support-opinion-summary") + "?year=2026"),
}


def _leader_a() -> Cadre:
    return Cadre.objects.get(team__village_id="130102001001", role=Cadre.Role.FIRST_SECRETARY_LEADER)


def _grown_plan() -> Any:
    from supervision.models import InspectionPlan

    today = timezone.localdate()
    plan, _ = InspectionPlan.objects.get_or_create(
        title="增长检查",
        defaults={"kind": "central", "organizer_level": "county", "organizer_region": "130102",
                  "scope_code": "130102001", "start": today, "end": today},
    )  # fmt: skip
    return plan


def _grow(world: World, rows: int, offset: int) -> None:
    """Add ``rows`` villages in 甲一镇, each with a team of two cadres, one with an account."""
    unit = world.units["A"]
    villages = [
        Region(
            code=f"130102001{offset + i:03d}",
            name=f"新村{offset + i}",
            level=Region.Level.VILLAGE,
            parent_id="130102001",
        )
        for i in range(rows)
    ]
    Region.objects.bulk_create(villages)
    teams = Team.objects.bulk_create([Team(village=village, unit=unit) for village in villages])
    start = dt.date(2025, 3, 1)
    cadres = [
        Cadre(
            name=f"干部{offset + i}-{j}",
            gender=Cadre.Gender.MALE,
            id_number=make_id_number(1000 + (offset + i) * 2 + j),
            phone="13900000000",
            unit=unit,
            team=team,
            role=role,
            term_start=start,
            term_end=start + dt.timedelta(days=1095),
        )
        for i, team in enumerate(teams)
        for j, role in enumerate((Cadre.Role.FIRST_SECRETARY_LEADER, Cadre.Role.MEMBER))
    ]
    created = Cadre.objects.bulk_create(cadres)
    User.objects.bulk_create([User(username=f"cadre{c.pk}", role="cadre", cadre=c) for c in created[::2]])
    _grow_attendance(created)
    _grow_recall(created[::2])
    _grow_audit(teams)
    _grow_funds(teams, Team.objects.get(village_id="130102001001"))
    _grow_terms(created[1::2])
    _grow_insurance(created)
    _grow_duties(teams)
    _grow_deliveries(teams)
    _grow_supervision(created)
    _grow_households(created[::2])
    _grow_training(created, offset)
    _grow_party(created)
    _analyze()


def _analyze() -> None:
    """Fresh planner statistics, as autovacuum keeps them in production: rows bulk-loaded inside the
    module's transaction are invisible to autovacuum, and a plan made for empty tables once took minutes
    on the 500-row world (a NOT EXISTS over the training records). ANALYZE in the transaction samples
    them. Counts are what is pinned here, not plans; this only keeps the module fast."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _grow_party(cadres: list[Cadre]) -> None:
    """第十八条: every new leader's transfer recorded (every other one confirmed), the members' left
    unrecorded (pending), and every new leader proposed as the village's party secretary."""
    from cadres.models import PartySecretaryAppointment, PartyTransfer

    leaders = cadres[::2]
    PartyTransfer.objects.bulk_create(
        [
            PartyTransfer(cadre=c, village_code=c.team.village_id, from_organization="机关党委",
                          to_organization="村党支部", sent_on=dt.date(2025, 3, 1),
                          status="confirmed" if i % 2 else "pending")
            for i, c in enumerate(leaders)
        ]
    )  # fmt: skip
    PartySecretaryAppointment.objects.bulk_create(
        [PartySecretaryAppointment(cadre=c, village_code=c.team.village_id, reason="换届无合适人选") for c in leaders]
    )
    # 第二十五条: every new team's opinions of 2026 on its county and its unit
    from assessment.models import SupportOpinion

    SupportOpinion.objects.bulk_create(
        [
            SupportOpinion(year=2026, team=c.team, village_code=c.team.village_id, body_type=body,
                           county_code="130102" if body == "county" else "", unit=c.unit if body == "unit" else None,
                           grade="good", score=85, opinion="保障有力")
            for c in leaders
            for body in ("county", "unit")
        ]
    )  # fmt: skip


def _grow_training(cadres: list[Cadre], offset: int) -> None:
    """A training event per new team, organized by 甲县, attended by the team's leader (every other
    new member stays untrained)."""
    from training.models import TrainingAttendance, TrainingEvent

    leaders = cadres[::2]
    events = TrainingEvent.objects.bulk_create(
        [
            TrainingEvent(title=f"轮训{offset}-{i}", kind="rotation", organizer_level="county", region_code="130102",
                          organizer_name="甲县委组织部", start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 3),
                          place="党校")
            for i in range(len(leaders))
        ]
    )  # fmt: skip
    TrainingAttendance.objects.bulk_create(
        [
            TrainingAttendance(event=e, cadre=c, village_code=c.team.village_id)
            for e, c in zip(events, leaders, strict=True)
        ]
    )


def _grow_households(leaders: list[Cadre]) -> None:
    """Each new village has a poor and a non-poor household; each leader's work log of today holds a
    visit to the poor one (work-log lists show them; the households' lists and pages)."""
    from attendance.models import WorkLog
    from households.models import Household, Visit

    today = timezone.localdate()
    households = Household.objects.bulk_create(
        [
            Household(village_code=c.team.village_id, head_name=f"户主{c.pk}{kind}", kind=kind, last_visit_on=today)
            for c in leaders
            for kind in ("poor", "non_poor")
        ]
    )
    logs = {log.author_id: log for log in WorkLog.objects.filter(author__in=leaders, date=today)}
    Visit.objects.bulk_create(
        [
            Visit(household=h, village_code=h.village_code, cadre=c, work_log=logs[c.pk], date=today,
                  household_kind="poor", monthly_income=1000, education_ok=True, health_ok=True, housing_ok=True)
            for c, h in zip(leaders, households[::2], strict=True)
        ]
    )  # fmt: skip


def _grow_duties(teams: list[Team]) -> None:
    """Per new team, an overdue obligation of unit A (甲县's unit), of 甲县 and of 甲一镇, with evidence."""
    from django.core.files.base import ContentFile

    from duties.models import Evidence, Obligation

    day = dt.date(2026, 3, 31)
    rows = Obligation.objects.bulk_create(
        [
            Obligation(duty=duty, article="第九条2", body_type=body_type, unit=unit, region_code=code, body_key=key,
                       body_name=f"主体{team.pk}", year=2026, period=f"g{team.pk}", period_label="2026年第一季度",
                       period_start=dt.date(2026, 1, 1), period_end=day, due=day, status="overdue")
            for team in teams
            for duty, body_type, unit, code, key in (
                ("unit_quarterly_study", "unit", team.unit, "130102", str(team.unit_id)),
                ("county_quarterly_meeting", "county", None, "130102", "130102"),
                ("township_first_secretary_meeting", "township", None, "130102001", "130102001"),
            )
        ]
    )  # fmt: skip
    Evidence.objects.bulk_create(
        [Evidence(obligation=o, region_code=o.region_code, kind="image", file=ContentFile(b"x", name="e.jpg"), size=1,
                  sha256="0" * 64) for o in rows]
    )  # fmt: skip


def _grow_deliveries(teams: list[Team]) -> None:
    """A notification about every new team to the county and township officials, each with a delivery
    and a held one merged into a digest (their settings page lists their recent deliveries)."""
    from zhucun.models import Delivery, Notification

    people = list(User.objects.filter(username__in=["p_county", "p_township"]))
    notes = Notification.objects.bulk_create(
        [Notification(recipient=user, title=f"{team.village.name}的通知") for team in teams for user in people]
    )
    now = timezone.now()
    digests = Delivery.objects.bulk_create(
        [Delivery(key=f"digest:{n.recipient_id}:sms:{n.pk}", recipient_id=n.recipient_id, channel="sms", due_at=now)
         for n in notes]
    )  # fmt: skip
    Delivery.objects.bulk_create(
        [Delivery(key=f"n{n.pk}:sms", recipient_id=n.recipient_id, channel="sms", notification=n, due_at=now,
                  status="merged", digest=d) for n, d in zip(notes, digests, strict=True)]
)  # fmt: skip


def _grow_supervision(cadres: list[Cadre]) -> None:
    """A presence check of every new cadre, answered (the list pages, the export and the API); a task on
    every new team's list, and one more on team A's (its page and the public page)."""
    from supervision.models import PresenceCheck

    now = timezone.now()
    issuer = User.objects.filter(username="p_township").first()
    from supervision.models import AnnualTask

    team_a = Team.objects.get(village_id="130102001001")
    year = timezone.localdate().year
    AnnualTask.objects.bulk_create(
        [
            AnnualTask(team=team, village_code=team.village_id, year=year, kind=kind, origin="county", title="修路",
                       target="硬化", deadline=dt.date(year, 12, 31), responsible_department="县交通运输局")
            for c in cadres[::2]
            for team, kind in ((c.team, "required"), (team_a, "optional"))
        ]
    )  # fmt: skip
    from supervision.models import InspectionPlan, InspectionResult

    plan = _grown_plan()
    InspectionPlan.objects.bulk_create(
        [InspectionPlan(kind="central", title=f"督导{c.pk}", organizer_level="county", organizer_region="130102",
                        scope_code="130102001", start=plan.start, end=plan.end) for c in cadres[::2]]
    )  # fmt: skip
    InspectionResult.objects.bulk_create(
        [InspectionResult(plan=plan, team=c.team, village_code=c.team.village_id, cadre=c, date=plan.start,
                          outcome="ok") for c in cadres]
    )  # fmt: skip
    from supervision.models import Demand, UnitReturnFlag

    Demand.objects.bulk_create(
        [Demand(cadre=c, village_code=c.team.village_id, date=timezone.localdate(), kind=kind,
                demanding_body=f"县直部门{c.pk % 7}", source="demander")
         for c in cadres for kind in ("meeting", "form")]
    )  # fmt: skip
    UnitReturnFlag.objects.bulk_create(
        [UnitReturnFlag(cadre=c, unit=c.unit, village_code=c.team.village_id, month=timezone.localdate().replace(day=1),
                        days=3) for c in cadres[::2]]
    )  # fmt: skip
    PresenceCheck.objects.bulk_create(
        [
            PresenceCheck(cadre=c, village_code=c.team.village_id, minutes=30, issued_by=issuer, issued_at=now,
                          due_at=now, status="present", answered_at=now, distance_m=10)
            for c in cadres
        ]
    )  # fmt: skip


def _grow_audit(teams: list[Team]) -> None:
    """An audit event on every new team, by a county official (the viewer and its export)."""
    from zhucun.models import AuditEvent

    actor = User.objects.filter(username="p_county").first()
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(actor=actor, action="team.update", object_type="cadres.team", object_id=str(team.pk),
                       object_repr=f"{team.village.name}工作队", region_code=team.village_id, after={"unit_id": 1})
            for team in teams
        ]
    )  # fmt: skip


def _grow_insurance(cadres: list[Cadre]) -> None:
    """A policy for every new cadre (the register and the API list)."""
    from funding.models import InsurancePolicy

    InsurancePolicy.objects.bulk_create(
        [
            InsurancePolicy(cadre=c, village_code=c.team.village_id, insurer="人保", policy_number=f"P{c.pk}",
                            cover_start=c.term_start, cover_end=c.term_end, premium=100, paying_level="county")
            for c in cadres
        ]
    )  # fmt: skip


def _grow_terms(cadres: list[Cadre]) -> None:
    """A term adjustment filed for every new member (pages and API lists)."""
    from cadres.models import TermAdjustment

    TermAdjustment.objects.bulk_create(
        [
            TermAdjustment(cadre=c, unit=c.unit, village_code=c.team.village_id, reason="调整",
                           decided_by_level="county", decided_by_region="130102", filed_with="石家庄市委组织部")
            for c in cadres
        ]
    )  # fmt: skip


def _grow_funds(teams: list[Team], team_a: Team) -> None:
    """Each new team has an account with an allocation and a reimbursed expense with a receipt; team A's
    ledger gains one expense with a receipt per new team."""
    from decimal import Decimal

    from django.core.files.base import ContentFile

    from funding.models import FundAccount, LedgerEntry, Receipt, Reimbursement, ReimbursementItem

    year = timezone.localdate().year
    day = timezone.localdate()
    account_a, _ = FundAccount.objects.get_or_create(
        team=team_a, year=year, defaults={"village_code": team_a.village_id, "allocated": Decimal(80000)}
    )
    accounts = FundAccount.objects.bulk_create(
        [FundAccount(team=t, year=year, village_code=t.village_id, allocated=Decimal(80000)) for t in teams]
    )
    entries = LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(account=a, village_code=a.village_code, kind=kind, date=day, amount=Decimal(10),
                        source_level="county" if kind == "allocation" else "",
                        category="" if kind == "allocation" else "office", description="增长")
            for a in [*accounts, *([account_a] * len(teams))]
            for kind in (("allocation", "expense") if a is not account_a else ("expense",))
        ]
    )  # fmt: skip
    expenses = [e for e in entries if e.kind == "expense"]
    others = [e for e in expenses if e.account is not account_a]
    Receipt.objects.bulk_create(
        [Receipt(entry=e, village_code=e.village_code, kind="image", file=ContentFile(b"x", name="r.jpg"), size=1,
                 sha256="0" * 64) for e in expenses]
    )  # fmt: skip
    batches = Reimbursement.objects.bulk_create(
        [Reimbursement(team_id=e.account.team_id, village_code=e.village_code, date=day, total=e.amount)
         for e in others]
    )  # fmt: skip
    ReimbursementItem.objects.bulk_create(
        [ReimbursementItem(reimbursement=b, expense=e) for b, e in zip(batches, others, strict=True)]
    )  # fmt: skip


def _grow_recall(cadres: list[Cadre]) -> None:
    """A recall case and an accountability record for every other new cadre (lists and exports)."""
    from assessment.models import AccountabilityRecord, RecallCase

    RecallCase.objects.bulk_create(
        [RecallCase(cadre=c, unit=c.unit, village_code=c.team.village_id, trigger="other") for c in cadres]
    )
    AccountabilityRecord.objects.bulk_create(
        [
            AccountabilityRecord(
                measure="reminder_talk", target_type="person", cadre=c, unit=c.unit, failed_duty="未按时签到",
                region_code="130102", decided_on=dt.date(2026, 11, 1),
            )
            for c in cadres
        ]
    )  # fmt: skip


def _page_cadre() -> Cadre:
    """The cadre whose attendance page is counted: 甲村's leader in the test world."""
    return Cadre.objects.get(team__village_id="130102001001", role=Cadre.Role.FIRST_SECRETARY_LEADER)


def _grow_attendance(cadres: list[Cadre]) -> None:
    """Each new cadre signed in, posted whereabouts and has a pending finding; each leader a log. The
    counted cadre's page gains as many findings as there are new cadres (its leave history is counted in
    tests/attendance/test_dashboard.py: leave rows here would move the leave lists' pins)."""
    from attendance.models import AbsenceFinding, SignIn, Whereabouts, WorkLog

    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    page = _page_cadre()
    known = AbsenceFinding.objects.filter(cadre=page).count()
    days = [dt.date(2020, 1, 1) + dt.timedelta(days=n) for n in range(known, known + len(cadres))]
    AbsenceFinding.objects.bulk_create(
        [
            AbsenceFinding(cadre=page, village_code=page.team.village_id, date=day, source="missing_signin",
                           status="dismissed")
            for day in days
        ]
    )  # fmt: skip
    SignIn.objects.bulk_create(
        [
            SignIn(cadre=c, village_code=c.team.village_id, date=today, client_id=uuid.uuid4(), status="ok",
                   inside_geofence=True, distance_m=10)
            for c in cadres
        ]
    )  # fmt: skip
    Whereabouts.objects.bulk_create(
        [Whereabouts(cadre=c, village_code=c.team.village_id, date=today, status="in_village") for c in cadres]
    )
    AbsenceFinding.objects.bulk_create(
        [
            AbsenceFinding(cadre=c, village_code=c.team.village_id, date=yesterday, source="missing_signin")
            for c in cadres
        ]
    )
    WorkLog.objects.bulk_create(
        [
            WorkLog(team=c.team, village_code=c.team.village_id, author=c, date=today, content="走访")
            for c in cadres[::2]
        ]
    )


#: Lists read by POST: exports that are audited actions (decision 0062).
POSTED = {"cadre-export-id-numbers"}


def _count(world: World, persona: str, name: str) -> int:
    api, url = LISTS[name]
    client: Client | APIClient = APIClient() if api else Client()
    client.force_login(world.personas[persona])
    fetch: Callable[[str], Any] = client.post if name in POSTED else client.get
    fetch(url())  # warm: session, content types
    with CaptureQueriesContext(connection) as queries:
        response = fetch(url())
    assert response.status_code == 200, (name, response.status_code)
    return len(queries)


#: Lists a township official may not open (accounts; accountability is the organization departments').
NOT_FOR_TOWNSHIPS = {
    "api:account-list",
    "account-list",
    "account-scope-search",
    "assessment-accountability-export",
    "audit-list",
    "audit-list-filtered",
    "audit-list-export",
    "api:audit-event-list",
    "cadre-export-id-numbers",
    "duties-compliance",
    "duties-compliance-export",
    "supervision-burden",  # the monthly burden is the organization departments' (第八条)
    "supervision-burden-export",
    "training-untrained",
    "training-untrained-export",
    "assessment-support-opinions",  # 第二十五条: the organization departments', the units' and the teams'
    "api:support-opinion-list",
    "api:support-opinion-summary",
}


PERSONAS = ("county", "township")
SMALL, LARGE = 10, 110


@pytest.fixture(scope="module")
def frozen_clock() -> Iterator[dt.datetime]:
    """The ``office_hours`` moment for the whole module (10:00 Shanghai on 26 November 2026), set
    before the module's world is built so that it is built on the same day."""
    moment = dt.datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: moment)
        yield moment


def _measure_all(world: World) -> dict[tuple[str, str], int | str]:
    """Every (persona, list) asked once, each in a savepoint rolled back after it (what one request
    writes — a session, an audit event of an export — is never seen by the next)."""
    counts: dict[tuple[str, str], int | str] = {}
    for persona in PERSONAS:
        for name in sorted(LISTS):
            if persona == "township" and name in NOT_FOR_TOWNSHIPS:
                continue
            with transaction.atomic():
                try:
                    counts[persona, name] = _count(world, persona, name)
                except AssertionError as failure:  # reported by that cell's test, not the whole module
                    counts[persona, name] = f"failed: {failure}"
                transaction.set_rollback(True)
    return counts


@pytest.fixture(scope="module")
def measured(frozen_clock: dt.datetime, module_world: World) -> dict[tuple[str, str], tuple[int | str, int | str]]:
    """One world for the module, grown to 10 rows and measured on every list, then grown to 110 and
    measured again (growing it per test cost more than all the requests together).

    The policy profile and the working calendar are cached for 60 s of the wall clock: a list measured
    as that minute ran out (the warming request before it, the counted one after) counted one query
    more — api:assessment-export in CI, whose workbook takes seconds. The counts are of the steady
    state: the caches do not expire while the module measures."""
    from zhucun import policy, workcalendar

    seconds = (policy._CACHE_SECONDS, workcalendar._CACHE_SECONDS)
    policy._CACHE_SECONDS = workcalendar._CACHE_SECONDS = 24 * 3600.0
    try:
        return _measured(module_world)
    finally:
        policy._CACHE_SECONDS, workcalendar._CACHE_SECONDS = seconds


def _measured(module_world: World) -> dict[tuple[str, str], tuple[int | str, int | str]]:
    _grow(module_world, SMALL, offset=100)
    small = _measure_all(module_world)
    _grow(module_world, LARGE - SMALL, offset=200)
    assert Team.objects.filter(village__code__startswith="130102001").count() == LARGE + 1
    large = _measure_all(module_world)
    return {key: (small[key], large[key]) for key in small}


@pytest.mark.parametrize("name", sorted(LISTS))
@pytest.mark.parametrize("persona", PERSONAS)
def test_list_query_count_is_pinned_and_does_not_grow_with_rows(
    measured: dict[tuple[str, str], tuple[int | str, int | str]], persona: str, name: str
) -> None:
    if persona == "township" and name in NOT_FOR_TOWNSHIPS:
        pytest.skip("townships may not see this list (403, covered by the permission matrix)")
    small, large = measured[persona, name]
    assert isinstance(small, int), small
    assert isinstance(large, int), large
    assert small == large, f"{name} grew from {small} to {large} queries between {SMALL} and {LARGE} rows"
    if os.environ.get("UPDATE_QUERY_COUNTS"):  # re-pin deliberately: UPDATE_QUERY_COUNTS=1 make pytest
        PINNED.setdefault(persona, {})[name] = large
        PINNED_FILE.write_text(json.dumps(PINNED, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
        return
    assert large == PINNED[persona].get(name), f"{name}: {large} queries, pinned {PINNED[persona].get(name)}"
