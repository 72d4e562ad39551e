"""What excuses a day away from the village (第十九条2/3, 第二十条2, 第十三条4): approved leave and
official business do; a posting on the whereabouts board does not. Each test names its article."""

from __future__ import annotations

import datetime as dt
from typing import Any

from attendance import jobs
from attendance.models import AbsenceFinding, Whereabouts
from attendance.services import absence_finding_decide, whereabouts_post
from tests.attendance.conftest import approved_leave
from zhucun.testing.world import World

DAY = dt.date(2026, 11, 25)


def _post(world: World, target: str, role: str, status: str, day: dt.date = DAY) -> Whereabouts:
    """The team leader (the cadre persona for A) posts on the board — for themselves or a member."""
    cadre = world.leaders[target] if role == "leader" else world.members[target]
    return Whereabouts.objects.create(cadre=cadre, village_code=cadre.team.village_id, date=day, status=status)


def test_posted_whereabouts_without_leave_becomes_a_pending_finding_第十九条(world: World, clock: Any) -> None:
    """第十九条3, 第二十条2: only approved leave excuses a day. 轮休, 请假 or 其他 posted on the board —
    by the cadre or by the team leader for a member — without approved leave is a pending finding."""
    whereabouts_post(actor=world.personas["cadre"], cadre=world.members["A"], day=DAY, status="leave")
    _post(world, "A", "leader", "rotation")
    _post(world, "B", "leader", "other")
    approved_leave(world.members["B"], DAY, DAY)  # the one cadre with approved leave
    assert jobs.absence_findings_for_day(county_code="130102", day=DAY) == 3
    findings = {f.cadre_id: f for f in AbsenceFinding.objects.all()}
    assert set(findings) == {world.members["A"].pk, world.leaders["A"].pk, world.leaders["B"].pk}
    assert all(f.status == AbsenceFinding.Status.PENDING for f in findings.values())
    assert {f.source for f in findings.values()} == {AbsenceFinding.Source.UNAPPROVED_ABSENCE}
    assert "轮休" in findings[world.leaders["A"].pk].note  # the township sees what was posted


def test_posting_rotation_every_day_no_longer_dodges_the_three_absence_recall_第二十条(
    world: World, clock: Any
) -> None:
    """第二十条2 累计发现3次不在岗且没有按规定履行请假手续: three days of self-posted 轮休, confirmed by
    the township, open the recall case."""
    from assessment.models import RecallCase

    member = world.members["A"]
    for offset in range(3):
        day = DAY - dt.timedelta(days=offset)
        _post(world, "A", "member", "rotation", day)
        jobs.absence_findings_for_day(county_code="130102001", day=day)
    for finding in AbsenceFinding.objects.filter(cadre=member):
        absence_finding_decide(actor=world.personas["township"], finding=finding, confirm=True, reason="")
    assert RecallCase.objects.filter(cadre=member, trigger=RecallCase.Trigger.ABSENCES).exists()


def test_a_posted_meeting_without_recorded_official_business_is_a_pending_finding_第十三条(
    world: World, clock: Any
) -> None:
    """第十三条4: a meeting or training counts once it is recorded as official business; a posting of
    外出开会 alone is checked by the township like any other absence."""
    _post(world, "A", "leader", "meeting")
    jobs.absence_findings_for_day(county_code="130102001", day=DAY)
    finding = AbsenceFinding.objects.get(cadre=world.leaders["A"])
    assert finding.source == AbsenceFinding.Source.UNAPPROVED_ABSENCE
    assert "外出开会" in finding.note


# --- Official business (第十三条4, 第五条) -------------------------------------------------------------


def _training(world: World, cadre_key: str, start: dt.date, end: dt.date, **halves: Any) -> Any:
    """The county organization department records a rotation training it requires (第十三条4)."""
    from leave.services import official_business_record

    cadre = world.members[cadre_key] if cadre_key in world.members else world.leaders[cadre_key]
    return official_business_record(
        actor=world.personas["county"], cadre=cadre, kind="training", start=start, end=end, title="全县驻村干部轮训",
        **halves,
    )  # fmt: skip


def test_training_the_organization_department_requires_excuses_the_day_第十三条(world: World, clock: Any) -> None:
    """第十三条4 每年至少对驻村干部轮训1次: the days of a recorded training are no absence."""
    from leave.services import official_business_record

    official_business_record(
        actor=world.personas["county"], cadre=world.members["A"], kind="training", start=DAY, end=DAY,
        title="全县驻村干部轮训",
    )  # fmt: skip
    jobs.absence_findings_for_day(county_code="130102001", day=DAY)
    assert not AbsenceFinding.objects.filter(cadre=world.members["A"]).exists()
    assert AbsenceFinding.objects.filter(cadre=world.leaders["A"]).exists()  # the leader was not trained


def test_an_inspection_finding_on_a_day_of_official_business_is_refused_第十三条(world: World, clock: Any) -> None:
    from django.urls import reverse

    from tests.conftest import api_as

    _training(world, "A", DAY, DAY)
    response = api_as(world.personas["township"]).post(
        reverse("api:absence-finding-list"),
        {"cadre": world.members["A"].pk, "date": DAY.isoformat(), "source": "inspection"},
        format="json",
    )
    assert response.status_code == 400
    assert "培训" in response.json()["date"][0]
    assert not AbsenceFinding.objects.exists()


# --- Half days (第十九条2) ---------------------------------------------------------------------------


def _afternoon_leave(world: World, day: dt.date = DAY) -> None:
    leave = approved_leave(world.members["A"], day, day)
    leave.start_half = "pm"
    leave.days = leave.days / 2
    leave.save()


def test_an_afternoon_leave_does_not_excuse_a_morning_inspection_第十九条(world: World, clock: Any) -> None:
    """第十九条2: leave is counted in half days, so it excuses its half only. A morning inspection that
    found the cadre away is recorded; one in the afternoon is refused."""
    from django.urls import reverse

    from tests.conftest import api_as

    _afternoon_leave(world)
    client = api_as(world.personas["township"])
    url = reverse("api:absence-finding-list")
    body = {"cadre": world.members["A"].pk, "date": DAY.isoformat(), "source": "inspection"}
    morning = client.post(url, {**body, "time": "10:30"}, format="json")
    assert morning.status_code == 201, morning.content
    assert (morning.json()["half"], morning.json()["time"]) == ("am", "10:30:00")
    afternoon = client.post(url, {**body, "half": "pm"}, format="json")
    assert afternoon.status_code == 400
    assert "下午" in afternoon.json()["date"][0]
    assert AbsenceFinding.objects.count() == 1


def test_a_finding_without_a_half_on_a_day_of_half_day_leave_asks_for_the_half_第十九条(
    world: World, clock: Any
) -> None:
    from django.urls import reverse

    from tests.conftest import api_as

    _afternoon_leave(world)
    response = api_as(world.personas["township"]).post(
        reverse("api:absence-finding-list"),
        {"cadre": world.members["A"].pk, "date": DAY.isoformat(), "source": "inspection"},
        format="json",
    )
    assert response.status_code == 400
    assert "请注明" in response.json()["date"][0]


def test_a_half_day_of_leave_without_a_signin_leaves_a_finding_for_the_other_half_第十九条(
    world: World, clock: Any
) -> None:
    _afternoon_leave(world)
    jobs.absence_findings_for_day(county_code="130102001", day=DAY)
    finding = AbsenceFinding.objects.get(cadre=world.members["A"])
    assert (finding.half, finding.status) == ("am", AbsenceFinding.Status.PENDING)
