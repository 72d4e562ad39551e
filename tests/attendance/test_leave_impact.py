"""第十九条2 last paragraph (在保证驻村工作时间前提下，可…休假或轮休) and 第五条 (每天有驻村干部在岗): before
deciding, the approver sees what a leave does to the applicant's month and to the village's daily
coverage; the decision stays theirs. Coverage alerts cover every village with a team, and close when
someone signs in later that day."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.test import Client
from django.urls import reverse

from attendance import jobs
from attendance.models import CoverageAlert, SignIn
from cadres.models import Cadre
from leave import services as leave_services
from tests.attendance.conftest import INSIDE, approved_leave, at
from tests.conftest import api_as
from tests.leave.factories import leave_request
from zhucun.testing.world import World

TODAY = dt.date(2026, 11, 26)


def _present(cadre: Cadre, first: int, last: int) -> None:
    SignIn.objects.bulk_create(
        [
            SignIn(cadre=cadre, village_code=cadre.team.village_id, date=dt.date(2026, 11, day),
                   client_id=uuid.uuid4(), status="ok", inside_geofence=True, distance_m=50)
            for day in range(first, last + 1)
        ]
    )  # fmt: skip


def test_the_approver_sees_the_days_the_village_would_have_nobody_第五条(world: World, clock: Any) -> None:
    """Both cadres of 甲村 asking for the same ten days: the second request shows the approver every
    day on which no other cadre of the team would be in the village."""
    approved_leave(world.leaders["A"], dt.date(2026, 11, 27), dt.date(2026, 12, 6))
    request = leave_request(world.members["A"], start=dt.date(2026, 11, 27), days=10)
    body = api_as(world.personas["county"]).get(reverse("api:leave-request-detail", args=[request.pk])).json()
    uncovered = [w for w in body["coverage_warnings"] if w["kind"] == "village_uncovered"]
    assert len(uncovered) == 1
    assert uncovered[0]["dates"][0] == "2026-11-27" and uncovered[0]["dates"][-1] == "2026-12-06"
    assert len(uncovered[0]["dates"]) == 10
    assert "无其他驻村干部在村" in uncovered[0]["message"]


def test_the_approver_sees_whether_the_month_minimum_can_still_be_met_第十九条(world: World, clock: Any) -> None:
    """20 days present before the 26th: the month can still reach 25 only if the cadre is in the
    village every remaining day, so four days of leave at the end of the month cannot be taken."""
    _present(world.members["A"], 1, 20)
    request = leave_request(world.members["A"], start=dt.date(2026, 11, 27), days=4)
    body = api_as(world.personas["county"]).get(reverse("api:leave-request-detail", args=[request.pk])).json()
    [month] = body["month_impact"]
    assert (month["period"], month["days_counted"], month["days_required"]) == ("2026-11", 20, 25)
    assert (month["can_still_meet"], month["can_still_meet_if_approved"]) == (True, False)
    kinds = {w["kind"] for w in body["coverage_warnings"]}
    assert kinds == {"month_minimum"}  # the leader stays in the village: no coverage warning


def test_the_inbox_panel_shows_the_leaves_effect_and_the_decision_stays_the_approvers_第十九条(
    world: World, clock: Any
) -> None:
    approved_leave(world.leaders["A"], dt.date(2026, 11, 27), dt.date(2026, 12, 6))
    request = leave_request(world.members["A"], start=dt.date(2026, 11, 27), days=10)
    client = Client()
    client.force_login(world.personas["county"])
    impact_url = reverse("attendance-leave-impact", args=[request.pk])
    panel = client.get(reverse("leave-detail", args=[request.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert impact_url in panel  # the panel asks attendance for the figures (composed in the page)
    fragment = client.get(impact_url).content.decode()
    assert "无其他驻村干部在村" in fragment and "11月27日" in fragment
    leave_services.leave_request_approve(actor=world.personas["county"], request_id=request.pk)
    request.refresh_from_db()
    assert request.status == "approved"


def test_a_village_whose_cadres_were_all_recalled_raises_a_coverage_alert_第五条(world: World, clock: Any) -> None:
    Cadre.objects.filter(team=world.teams["C"]).update(status=Cadre.Status.RECALLED)
    assert jobs.coverage_check(county_code="130104", day=TODAY) == 1
    assert CoverageAlert.objects.get().village_code == world.village("C")


def test_a_coverage_alert_is_resolved_when_someone_signs_in_later_that_day_第五条(world: World, clock: Any) -> None:
    jobs.coverage_check(county_code="130102", day=TODAY)
    alert = CoverageAlert.objects.get(village_code=world.village("A"))
    assert alert.resolved_at is None
    clock.set(at(11, 0, TODAY))
    response = api_as(world.personas["cadre"]).post(
        "/api/v1/signins/", {"client_id": str(uuid.uuid4()), **INSIDE}, format="json"
    )
    assert response.json()["status"] == "late"
    alert.refresh_from_db()
    assert alert.resolved_at is not None
    assert CoverageAlert.objects.get(village_code=world.village("B")).resolved_at is None


def test_an_official_trip_costs_the_month_nothing_but_still_leaves_the_village_uncovered_第五条(
    world: World, clock: Any
) -> None:
    _present(world.members["A"], 1, 20)
    approved_leave(world.leaders["A"], dt.date(2026, 11, 27), dt.date(2026, 11, 30))
    trip = leave_request(world.members["A"], start=dt.date(2026, 11, 27), days=4, kind="business")
    body = api_as(world.personas["township"]).get(reverse("api:leave-request-detail", args=[trip.pk])).json()
    assert body["month_impact"][0]["can_still_meet_if_approved"] is True
    assert {w["kind"] for w in body["coverage_warnings"]} == {"village_uncovered"}
