"""Absence findings (缺岗, 第十九条3, 第二十条2) and the attendance jobs (第五条 coverage,
missing sign-ins, unposted whereabouts, coordinate erasure): set-based and idempotent."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.urls import reverse

from attendance import jobs, services
from attendance.models import AbsenceFinding, CoverageAlert, SignIn, Whereabouts
from attendance.signals import absence_finding_confirmed
from tests.attendance.conftest import approved_leave, at
from tests.conftest import api_as
from zhucun.models import AuditEvent, Notification
from zhucun.testing.world import World

DAY = dt.date(2026, 11, 25)


def _signin(world: World, target: str, day: dt.date, status: str = "ok") -> SignIn:
    cadre = world.leaders[target]
    return SignIn.objects.create(
        cadre=cadre,
        village_code=cadre.team.village_id,
        date=day,
        client_id=uuid.uuid4(),
        status=status,
        inside_geofence=status != "outside_geofence",
        distance_m=100,
        latitude=Decimal("38.0"),
        longitude=Decimal("114.5"),
    )


def test_an_inspection_finding_is_recorded_confirmed_and_audited(world: World, clock: Any) -> None:
    received: list[AbsenceFinding] = []

    def listener(**kwargs: Any) -> None:
        received.append(kwargs["finding"])

    absence_finding_confirmed.connect(listener, dispatch_uid="test-listener")
    try:
        response = api_as(world.personas["township"]).post(
            reverse("api:absence-finding-list"),
            {"cadre": world.members["A"].pk, "date": "2026-11-25", "source": "inspection", "note": "暗访不在村"},
            format="json",
        )
    finally:
        absence_finding_confirmed.disconnect(dispatch_uid="test-listener")
    assert response.status_code == 201, response.content
    finding = AbsenceFinding.objects.get()
    assert finding.status == AbsenceFinding.Status.CONFIRMED
    assert finding.recorded_by == world.personas["township"]
    assert received == [finding]  # recall (第二十条2) hears of it in the same transaction
    assert AuditEvent.objects.filter(action="absence_finding.create", object_id=str(finding.pk)).exists()


def test_a_finding_on_a_day_of_approved_leave_is_refused_第二十条(world: World, clock: Any) -> None:
    approved_leave(world.members["A"], DAY, DAY)
    response = api_as(world.personas["township"]).post(
        reverse("api:absence-finding-list"),
        {"cadre": world.members["A"].pk, "date": "2026-11-25", "source": "inspection"},
        format="json",
    )
    assert response.status_code == 400
    assert "已批准的请假" in response.json()["date"][0]
    assert not AbsenceFinding.objects.exists()


def test_a_finding_for_a_cadre_out_of_scope_is_refused_without_saying_whether_it_exists(
    world: World, clock: Any
) -> None:
    response = api_as(world.personas["township"]).post(
        reverse("api:absence-finding-list"),
        {"cadre": world.members["B"].pk, "date": "2026-11-25", "source": "inspection"},
        format="json",
    )
    assert response.status_code == 400
    assert "不在您的管辖范围内" in response.json()["cadre"][0]


def test_the_job_makes_pending_findings_for_absence_without_leave_and_is_idempotent(world: World, clock: Any) -> None:
    """第十九条3 未公示去向的按缺岗处理: one pending finding per absent cadre-day, not for a cadre who
    signed in or is on approved leave. A posted 外出开会 is no excuse by itself (decision 0070): the
    township hears of it as 离村未经批准 and dismisses it when the meeting was real."""
    _signin(world, "A", DAY)  # A's leader signed in
    approved_leave(world.members["B"], DAY, DAY)  # B's member on leave
    Whereabouts.objects.create(cadre=world.leaders["B"], village_code=world.village("B"), date=DAY, status="meeting")
    Whereabouts.objects.create(cadre=world.members["A"], village_code=world.village("A"), date=DAY, status="in_village")
    assert jobs.absence_findings_for_day(county_code="130102", day=DAY) == 2
    finding = AbsenceFinding.objects.get(cadre=world.members["A"])  # posted 在村 but never signed in
    assert finding.source == AbsenceFinding.Source.MISSING_SIGNIN
    assert finding.status == AbsenceFinding.Status.PENDING
    meeting = AbsenceFinding.objects.get(cadre=world.leaders["B"])
    assert meeting.source == AbsenceFinding.Source.UNAPPROVED_ABSENCE
    assert jobs.absence_findings_for_day(county_code="130102", day=DAY) == 0
    assert AbsenceFinding.objects.count() == 2
    detected = AuditEvent.objects.get(action="absence_finding.detect", object_id=str(finding.pk))
    assert detected.actor is None  # audited once, by the system


def test_nothing_posted_and_no_signin_is_an_unposted_whereabouts_finding(world: World, clock: Any) -> None:
    jobs.absence_findings_for_day(county_code="130104", day=DAY)
    sources = set(AbsenceFinding.objects.values_list("source", flat=True))
    assert sources == {AbsenceFinding.Source.WHEREABOUTS_UNPOSTED}
    assert AbsenceFinding.objects.count() == 2  # 丙村's two cadres


def test_the_township_confirms_or_dismisses_a_pending_finding(world: World, clock: Any) -> None:
    jobs.absence_findings_for_day(county_code="130102", day=DAY)
    leader, member = (
        AbsenceFinding.objects.get(cadre=world.leaders["A"]),
        AbsenceFinding.objects.get(cadre=world.members["A"]),
    )
    client = api_as(world.personas["township"])
    no_reason = client.post(reverse("api:absence-finding-dismiss", args=[member.pk]), {}, format="json")
    assert no_reason.status_code == 400
    assert "须填写理由" in str(no_reason.json())
    assert client.post(reverse("api:absence-finding-confirm", args=[leader.pk]), {}, format="json").status_code == 200
    dismissed = client.post(
        reverse("api:absence-finding-dismiss", args=[member.pk]), {"reason": "乡镇开会"}, format="json"
    )
    assert dismissed.json()["status"] == "dismissed"
    again = client.post(reverse("api:absence-finding-confirm", args=[leader.pk]), {}, format="json")
    assert again.status_code == 409  # already decided: a second decision changes nothing
    assert AbsenceFinding.objects.get(pk=leader.pk).status == "confirmed"


def test_a_unit_may_see_its_cadres_findings_but_not_decide_them(world: World, clock: Any) -> None:
    jobs.absence_findings_for_day(county_code="130102", day=DAY)
    finding = AbsenceFinding.objects.get(cadre=world.leaders["A"])
    client = api_as(world.personas["unit"])
    assert client.get(reverse("api:absence-finding-detail", args=[finding.pk])).status_code == 200
    assert client.post(reverse("api:absence-finding-confirm", args=[finding.pk]), {}, format="json").status_code == 403


def test_coverage_check_alerts_the_township_of_a_village_with_nobody_on_duty_第五条(world: World, clock: Any) -> None:
    _signin(world, "A", dt.date(2026, 11, 26))
    assert jobs.coverage_check(county_code="130102", day=dt.date(2026, 11, 26)) == 1
    alert = CoverageAlert.objects.get()
    assert alert.village_code == world.village("B")
    note = Notification.objects.get()
    assert note.recipient == world.township_accounts["B"]
    assert "乙村" in note.body
    assert jobs.coverage_check(county_code="130102", day=dt.date(2026, 11, 26)) == 0
    assert Notification.objects.count() == 1
    assert AuditEvent.objects.filter(action="coverage_alert.create", object_id=str(alert.pk)).count() == 1


def test_a_signin_outside_the_geofence_does_not_cover_a_village(world: World, clock: Any) -> None:
    _signin(world, "A", dt.date(2026, 11, 26), status="outside_geofence")
    jobs.coverage_check(county_code="130102", day=dt.date(2026, 11, 26))
    assert set(CoverageAlert.objects.values_list("village_code", flat=True)) == {world.village("A"), world.village("B")}


def test_raw_coordinates_are_erased_after_the_retention_period(world: World, clock: Any) -> None:
    old = _signin(world, "A", dt.date(2026, 8, 1))
    recent = _signin(world, "B", dt.date(2026, 11, 1))
    assert jobs.coordinates_erase(before=dt.date(2026, 8, 28)) == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.latitude, old.longitude) == (None, None)
    assert old.inside_geofence is True and old.distance_m == 100  # the decision stays
    assert recent.latitude is not None


def test_run_jobs_runs_the_attendance_jobs(world: World, clock: Any) -> None:
    from django.core.management import call_command

    clock.set(at(0, 30))
    call_command("run_jobs")
    # Yesterday nobody in the world signed in: every active cadre has a pending finding.
    assert AbsenceFinding.objects.filter(date=DAY).count() == 8


def test_whereabouts_posted_by_the_leader_for_a_member_but_not_the_reverse(world: World, clock: Any) -> None:
    from attendance.services import whereabouts_post

    row = whereabouts_post(actor=world.personas["cadre"], cadre=world.members["A"], day=DAY, status="training")
    assert row.status == "training"
    assert row.posted_by == world.personas["cadre"]
    from accounts.services import account_create

    member_user = account_create(
        actor=None, username="member_a", password="Test-pass-2026", role="cadre", scope=str(world.members["A"].pk)
    )
    import pytest
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.whereabouts_post(actor=member_user, cadre=world.leaders["A"], day=DAY, status="leave")
