"""Recall (第二十条): automatic detection of three confirmed absence days, immediately and by the
nightly job, exactly once; the decision by the organization department of the unit's level after the
unit is consulted; the consequences with their end dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from assessment.models import RecallCase, Sanction
from assessment.tasks import detect_recall_triggers
from attendance.models import AbsenceFinding
from attendance.services import absence_finding_create
from cadres.models import Cadre
from tests.conftest import api_as
from zhucun.models import AuditEvent, Notification
from zhucun.testing.world import World

DAYS = [dt.date(2026, 10, 12), dt.date(2026, 10, 13), dt.date(2026, 10, 14), dt.date(2026, 10, 15)]


def find(world: World, cadre: Cadre, day: dt.date, source: str = "inspection") -> AbsenceFinding:
    """A finding confirmed by the township, as attendance records it (sends the signal)."""
    return absence_finding_create(actor=world.township_accounts["A"], cadre=cadre, day=day, source=source)


def silent_finding(cadre: Cadre, day: dt.date) -> AbsenceFinding:
    """A confirmed finding written without the signal — what the nightly job must catch."""
    return AbsenceFinding.objects.create(
        cadre=cadre, village_code=cadre.team.village_id, date=day, source="inspection", status="confirmed"
    )


def test_third_confirmed_absence_opens_one_case_immediately_第二十条(world: World) -> None:
    cadre = world.members["A"]
    find(world, cadre, DAYS[0])
    find(world, cadre, DAYS[1])
    assert not RecallCase.objects.exists()
    find(world, cadre, DAYS[2])
    case = RecallCase.objects.get()
    assert (case.cadre_id, case.trigger, case.status, case.absence_days) == (cadre.pk, "absences", "open", 3)
    assert case.village_code == world.village("A")
    # A fourth day adds nothing while the case is open; the job adds nothing either.
    find(world, cadre, DAYS[3])
    detect_recall_triggers()
    assert RecallCase.objects.count() == 1
    assert AuditEvent.objects.filter(action="recall.open", object_id=str(case.pk)).count() == 1


def test_the_nightly_job_finds_three_absences_once_and_running_it_twice_adds_nothing_第二十条(world: World) -> None:
    cadre = world.members["A"]
    for day in DAYS[:3]:
        silent_finding(cadre, day)
    assert not RecallCase.objects.exists()
    call_command("run_jobs", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert RecallCase.objects.filter(cadre=cadre, trigger="absences", status="open").count() == 1
    call_command("run_jobs", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert detect_recall_triggers() == 0
    assert RecallCase.objects.count() == 1


@pytest.mark.parametrize("signal", [True, False], ids=["immediate", "job"])
def test_two_findings_open_no_case_第二十条(world: World, signal: bool) -> None:
    cadre = world.members["A"]
    for day in DAYS[:2]:
        find(world, cadre, day) if signal else silent_finding(cadre, day)
    detect_recall_triggers()
    assert not RecallCase.objects.exists()


def test_two_findings_on_one_day_are_one_absence_第二十条(world: World) -> None:
    cadre = world.members["A"]
    find(world, cadre, DAYS[0], "inspection")
    find(world, cadre, DAYS[0], "missing_signin")
    find(world, cadre, DAYS[1])
    detect_recall_triggers()
    assert not RecallCase.objects.exists()


def test_pending_and_dismissed_findings_do_not_count_第二十条(world: World) -> None:
    cadre = world.members["A"]
    silent_finding(cadre, DAYS[0])
    silent_finding(cadre, DAYS[1])
    AbsenceFinding.objects.create(
        cadre=cadre, village_code=cadre.team.village_id, date=DAYS[2], source="missing_signin"
    )
    AbsenceFinding.objects.create(
        cadre=cadre, village_code=cadre.team.village_id, date=DAYS[3], source="missing_signin", status="dismissed"
    )
    assert detect_recall_triggers() == 0


def test_a_finding_on_a_day_of_approved_leave_is_refused_so_it_never_counts_第二十条(world: World) -> None:
    """Attendance refuses the finding when the day is covered by approved leave (leave.selectors)."""
    from tests.leave.factories import leave_request

    cadre = world.members["A"]
    leave_request(cadre, start=DAYS[2], days=1, status="approved")
    find(world, cadre, DAYS[0])
    find(world, cadre, DAYS[1])
    with pytest.raises(ValidationError, match="已批准的请假"):
        find(world, cadre, DAYS[2])
    detect_recall_triggers()
    assert not RecallCase.objects.exists()


def _open_case(world: World, target: str = "A") -> RecallCase:
    cadre = world.members[target]
    for day in DAYS[:3]:
        silent_finding(cadre, day)
    detect_recall_triggers()
    return RecallCase.objects.get(cadre=cadre)


def decide(user: object, case: RecallCase, decision: str = "recalled") -> tuple[int, dict[str, Any]]:
    response = api_as(user).post(
        f"/api/v1/recall-cases/{case.pk}/decide/", {"decision": decision, "reason": "经核实属实"}, format="json"
    )
    return response.status_code, response.json()


def consult(user: object, case: RecallCase) -> int:
    response = api_as(user).post(
        f"/api/v1/recall-cases/{case.pk}/consult/", {"opinion": "同意召回，另行选派"}, format="json"
    )
    return response.status_code


def test_decision_needs_the_unit_consulted_first_第二十条(world: World) -> None:
    case = _open_case(world)
    status, body = decide(world.personas["county"], case)
    assert status == 400
    assert "请先记录与派出单位的商议意见" in body["detail"][0]
    assert RecallCase.objects.get(pk=case.pk).status == "open"


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("province", 403), ("city", 403), ("county", 200), ("township", 403), ("unit", 403), ("cadre", 404)],
)
def test_only_the_department_of_the_units_level_decides_第二十条(world: World, persona: str, expected: int) -> None:
    """The world's units are county-level units of 甲县: the 甲县 organization department decides; the
    province and city see the case (403), the cadre does not see it (404)."""
    case = _open_case(world)
    assert consult(world.personas["unit"], case) == 200  # the unit records its own opinion
    assert decide(world.personas[persona], case)[0] == expected


def test_a_case_out_of_scope_is_404(world: World) -> None:
    case = _open_case(world, "C")  # 丙县: outside the county persona's 甲县
    assert decide(world.personas["county"], case)[0] == 404
    assert api_as(world.personas["county"]).get(f"/api/v1/recall-cases/{case.pk}/").status_code == 404


def test_recall_sets_the_status_and_the_sanctions_with_end_dates_第二十条(world: World) -> None:
    case = _open_case(world)
    county = world.personas["county"]
    assert consult(county, case) == 200
    Notification.objects.all().delete()
    status, body = decide(county, case)
    assert status == 200 and body["status"] == "recalled"
    cadre = Cadre.objects.get(pk=case.cadre_id)
    assert cadre.status == Cadre.Status.RECALLED
    from django.utils import timezone

    today = timezone.localdate()
    sanctions = {s.kind: (s.starts_on, s.ends_on) for s in Sanction.objects.filter(cadre=cadre)}
    assert sanctions["no_awards"][0] == today
    assert sanctions["no_awards"][1] == today.replace(year=today.year + 1) - dt.timedelta(days=1)
    assert sanctions["no_promotion"][1] == today.replace(year=today.year + 2) - dt.timedelta(days=1)
    assert sanctions["not_grassroots_experience"] == (dt.date(today.year, 1, 1), dt.date(today.year, 12, 31))
    assert {
        e.action for e in AuditEvent.objects.filter(action__in=["recall.decide", "cadre.recalled", "sanction.create"])
    } == {
        "recall.decide",
        "cadre.recalled",
        "sanction.create",
    }
    recipients = set(Notification.objects.values_list("recipient__username", flat=True))
    assert {"p_unit", "p_township", "t_a", "p_county"} <= recipients
    # Decided once: a second decision is a conflict.
    assert decide(county, case, "dismissed")[0] == 409


def test_recalled_cadre_is_not_put_on_the_key_training_ledger_第二十三条(world: World) -> None:
    from assessment.services import key_training_add

    case = _open_case(world)
    county = world.personas["county"]
    consult(county, case)
    decide(county, case)
    with pytest.raises(ValidationError, match="不能列入重点培养对象台账"):
        key_training_add(actor=county, cadre=Cadre.objects.get(pk=case.cadre_id), year=2026, reason="实绩突出")


def test_dismissed_case_changes_nothing_for_the_cadre(world: World) -> None:
    case = _open_case(world)
    county = world.personas["county"]
    consult(county, case)
    assert decide(county, case, "dismissed")[0] == 200
    assert Cadre.objects.get(pk=case.cadre_id).status == Cadre.Status.ACTIVE
    assert not Sanction.objects.exists()


def test_cases_3_to_7_are_opened_by_hand_with_evidence_第二十条(world: World) -> None:
    county = api_as(world.personas["county"])
    cadre = world.leaders["A"]
    response = county.post(
        "/api/v1/recall-cases/", {"cadre": cadre.pk, "trigger": "private_gain", "evidence": "收受好处"}, format="json"
    )
    assert response.status_code == 201, response.content
    refused = county.post(
        "/api/v1/recall-cases/", {"cadre": cadre.pk, "trigger": "absences", "evidence": "x"}, format="json"
    )
    assert refused.status_code == 400 and "自动发起" in refused.json()["trigger"][0]
    out_of_scope = county.post(
        "/api/v1/recall-cases/", {"cadre": world.leaders["D"].pk, "trigger": "other", "evidence": "x"}, format="json"
    )
    assert out_of_scope.status_code == 400 and "不在您的管辖范围内" in out_of_scope.json()["cadre"][0]


def test_cases_are_listed_by_cadre(world: World) -> None:
    case = _open_case(world)
    county = api_as(world.personas["county"])
    body = county.get(f"/api/v1/recall-cases/?cadre={case.cadre_id}").json()
    assert [c["id"] for c in body["results"]] == [case.pk]
    assert body["results"][0]["trigger"] == "absences"
    assert county.get(f"/api/v1/recall-cases/?cadre={world.leaders['A'].pk}").json()["count"] == 0
