"""Random presence checks (随机抽查, 第十三条3; API.md "Random presence checks")."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from attendance.models import AbsenceFinding
from supervision import services
from supervision.models import PresenceCheck
from tests.attendance.conftest import approved_leave
from tests.conftest import api_as
from tests.supervision.conftest import INSIDE, OUTSIDE, at
from zhucun.models import AuditEvent, Notification, PolicyProfileVersion
from zhucun.policy import profile_cache_clear
from zhucun.testing.world import World

DAY = dt.date(2026, 11, 26)


def _issue(world: World, minutes: int = 30, persona: str = "township", cadre: Any = None) -> Any:
    cadre = cadre or world.leaders["A"]
    return api_as(world.personas[persona]).post(
        reverse("api:presence-check-list"), {"cadre": cadre.pk, "minutes": minutes}, format="json"
    )


def _answer(world: World, check_id: int, where: dict[str, float] = INSIDE) -> Any:
    return api_as(world.personas["cadre"]).post(
        reverse("api:presence-check-answer", args=[check_id]), where, format="json"
    )


def test_a_township_asks_a_cadre_to_confirm_within_minutes_and_the_cadre_is_told_第十三条3(
    world: World, clock: Any
) -> None:
    response = _issue(world, minutes=30)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending" and body["id"]
    assert dt.datetime.fromisoformat(body["due_at"]) == at(8, 30)
    note = Notification.objects.get(recipient=world.personas["cadre"])
    assert "08:30" in note.title and note.url == reverse("supervision-presence-mine")
    assert AuditEvent.objects.filter(action="presence_check.issue", object_id=str(body["id"])).exists()


def test_the_county_may_issue_too_but_not_the_city_or_the_unit_第十三条3(world: World, clock: Any) -> None:
    assert _issue(world, persona="county").status_code == 201
    for persona in ("city", "province", "unit"):
        response = _issue(world, persona=persona, cadre=world.members["A"])
        assert response.status_code in (403, 404), persona
    assert PresenceCheck.objects.count() == 1


def test_the_fifth_check_of_a_month_is_a_chinese_400_and_writes_nothing_第十三条3(world: World, clock: Any) -> None:
    for day in (2, 9, 16, 23):
        clock.set(at(10, 0, dt.date(2026, 11, day)))
        assert _issue(world).status_code == 201
    clock.set(at(10, 0, dt.date(2026, 11, 26)))
    events = AuditEvent.objects.count()
    response = _issue(world)
    assert response.status_code == 400
    assert "每月最多 4 次" in response.json()["cadre"][0]
    assert PresenceCheck.objects.count() == 4 and AuditEvent.objects.count() == events
    # A new month starts a new count (Asia/Shanghai midnight).
    clock.set(at(0, 5, dt.date(2026, 12, 1)))
    assert _issue(world).status_code == 201


def test_the_monthly_cap_is_the_policy_profiles_value_第十三条3(world: World, clock: Any) -> None:
    PolicyProfileVersion.objects.create(
        name="试行", effective_from=dt.date(2026, 1, 1), overrides={"presence_checks_per_cadre_per_month": 1}
    )
    profile_cache_clear()
    assert _issue(world).status_code == 201
    clock.set(at(11, 0))
    response = _issue(world)
    assert response.status_code == 400 and "每月最多 1 次" in response.json()["cadre"][0]


def test_an_answer_inside_the_villages_geofence_is_present_and_keeps_no_coordinates_第十三条3(
    world: World, clock: Any
) -> None:
    check_id = _issue(world).json()["id"]
    clock.set(at(8, 10))
    response = _answer(world, check_id, INSIDE)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "present"
    check = PresenceCheck.objects.get(pk=check_id)
    assert check.distance_m is not None and check.distance_m < 1000 and check.answered_at == at(8, 10)
    assert not hasattr(check, "latitude") and check.finding is None
    assert not AbsenceFinding.objects.exists()


def test_an_answer_outside_the_geofence_raises_a_pending_finding_第十三条3(world: World, clock: Any) -> None:
    check_id = _issue(world).json()["id"]
    response = _answer(world, check_id, OUTSIDE)
    assert response.json()["status"] == "outside_geofence"
    finding = AbsenceFinding.objects.get()
    assert (finding.source, finding.status, finding.date, finding.half) == ("presence_check", "pending", DAY, "am")
    assert PresenceCheck.objects.get(pk=check_id).finding == finding


def test_the_geofence_is_the_sign_ins_rule_a_villages_own_radius_第十九条1(world: World, clock: Any) -> None:
    """The check reads the same geofence as the sign-in: the village's radius, not a copy of it."""
    from cadres.models import Region

    Region.objects.filter(code=world.village("A")).update(geofence_radius_m=50)
    check_id = _issue(world).json()["id"]
    assert _answer(world, check_id, INSIDE).json()["status"] == "outside_geofence"  # ~111 m away


def test_an_unanswered_check_is_missed_with_a_pending_finding_after_run_jobs_第十三条3(
    world: World, clock: Any
) -> None:
    check_id = _issue(world, minutes=20).json()["id"]
    clock.set(at(14, 0))
    call_command("run_jobs", stdout=open("/dev/null", "w"))  # noqa: SIM115
    check = PresenceCheck.objects.get(pk=check_id)
    assert check.status == "missed"
    finding = check.finding
    assert finding is not None
    assert (finding.source, finding.status, finding.half, finding.cadre_id) == (
        "presence_check",
        "pending",
        "am",
        world.leaders["A"].pk,
    )
    issuer_note = Notification.objects.get(recipient=world.personas["township"], title__startswith="随机抽查")
    assert "1 人未按时确认" in issuer_note.title
    # Idempotent: a second run changes nothing.
    assert services.presence_checks_expire(now=at(15, 0)) == 0
    assert AbsenceFinding.objects.filter(source="presence_check").count() == 1


def test_a_late_answer_is_a_409_and_changes_nothing(world: World, clock: Any) -> None:
    check_id = _issue(world, minutes=10).json()["id"]
    clock.set(at(8, 11))
    response = _answer(world, check_id)
    assert response.status_code == 409 and "超过确认时限" in response.json()["detail"]
    assert PresenceCheck.objects.get(pk=check_id).status == "pending"


def test_a_second_answer_is_a_409_and_the_first_stands(world: World, clock: Any) -> None:
    check_id = _issue(world).json()["id"]
    assert _answer(world, check_id, INSIDE).status_code == 200
    events = AuditEvent.objects.count()
    response = _answer(world, check_id, OUTSIDE)
    assert response.status_code == 409
    assert PresenceCheck.objects.get(pk=check_id).status == "present"
    assert AuditEvent.objects.count() == events and not AbsenceFinding.objects.exists()


def test_a_cadre_on_approved_leave_is_not_checked_第二十条2(world: World, clock: Any) -> None:
    approved_leave(world.leaders["A"], DAY, DAY)
    response = _issue(world)
    assert response.status_code == 400 and "请假" in response.json()["cadre"][0]
    assert not PresenceCheck.objects.exists()


def test_a_miss_in_a_half_later_excused_by_approved_leave_raises_no_finding_第二十条2(world: World, clock: Any) -> None:
    check_id = _issue(world).json()["id"]
    approved_leave(world.leaders["A"], DAY, DAY)  # approved afterwards, for the day
    assert services.presence_checks_expire(now=at(12, 0)) == 1
    check = PresenceCheck.objects.get(pk=check_id)
    assert check.status == "missed" and check.finding is None
    assert not AbsenceFinding.objects.exists()


def test_one_pending_check_at_a_time(world: World, clock: Any) -> None:
    assert _issue(world).status_code == 201
    response = _issue(world, persona="county")
    assert response.status_code == 400 and "未到确认时限" in response.json()["cadre"][0]


def test_bad_minutes_are_a_chinese_400_writing_nothing(world: World, clock: Any) -> None:
    for minutes in (0, 5, 121, "半小时", None):
        response = _issue(world, minutes=minutes)  # type: ignore[arg-type]
        assert response.status_code == 400, minutes
        assert "minutes" in response.json()
    assert not PresenceCheck.objects.exists() and not AuditEvent.objects.filter(action__startswith="presence").exists()


def test_bad_positions_are_a_chinese_400(world: World, clock: Any) -> None:
    check_id = _issue(world).json()["id"]
    for body in ({}, {"latitude": 91, "longitude": 114}, {"latitude": "北", "longitude": 114}):
        response = _answer(world, check_id, body)  # type: ignore[arg-type]
        assert response.status_code == 400
    assert PresenceCheck.objects.get(pk=check_id).status == "pending"


def test_the_cadre_sees_their_own_checks_and_no_one_elses(world: World, clock: Any) -> None:
    mine = _issue(world).json()["id"]
    _issue(world, cadre=world.members["A"])
    body = api_as(world.personas["cadre"]).get(reverse("api:presence-check-list") + "?mine=true").json()
    assert [row["id"] for row in body["results"]] == [mine]
    other = PresenceCheck.objects.exclude(pk=mine).get()
    assert api_as(world.personas["cadre"]).get(reverse("api:presence-check-detail", args=[other.pk])).status_code == 404
    # Someone else's check cannot be answered: out of scope.
    assert _answer(world, other.pk).status_code == 404
    # Township staff asking for "mine" have no checks of their own.
    staff = api_as(world.personas["township"]).get(reverse("api:presence-check-list") + "?mine=true").json()
    assert staff["count"] == 0


def test_another_townships_cadre_is_out_of_scope_404(world: World, clock: Any) -> None:
    response = _issue(world, cadre=world.leaders["B"])
    assert response.status_code == 404
    assert not PresenceCheck.objects.exists()


# --- pages ------------------------------------------------------------------------------------


def test_the_township_issues_from_the_page_and_follows_the_checks(world: World, clock: Any, client: Any) -> None:
    client.force_login(world.personas["township"])
    page = client.get(reverse("supervision-presence-issue"))
    assert page.status_code == 200 and world.leaders["A"].name in page.content.decode()
    response = client.post(reverse("supervision-presence-issue"), {"cadre": world.leaders["A"].pk, "minutes": 30})
    assert response.status_code == 302
    listing = client.get(reverse("supervision-presence-list")).content.decode()
    assert world.leaders["A"].name in listing and "待确认" in listing
    refused = client.post(reverse("supervision-presence-issue"), {"cadre": world.leaders["A"].pk, "minutes": 30})
    assert refused.status_code == 400 and "未到确认时限" in refused.content.decode()
    assert PresenceCheck.objects.count() == 1


def test_the_cadres_phone_page_answers_with_one_tap_no_inline_script(world: World, clock: Any, client: Any) -> None:
    check_id = _issue(world).json()["id"]
    client.force_login(world.personas["cadre"])
    today = client.get(reverse("attendance-today")).content.decode()
    assert 'data-testid="presence-banner"' in today and "08:30" in today
    page = client.get(reverse("supervision-presence-mine")).content.decode()
    assert "data-zc-locate" in page and "<script>" not in page and " onclick=" not in page
    assert reverse("supervision-presence-answer", args=[check_id]) in page
    missing = client.post(reverse("supervision-presence-answer", args=[check_id]), {"latitude": "", "longitude": ""})
    assert missing.status_code == 400 and "定位" in missing.content.decode()
    done = client.post(reverse("supervision-presence-answer", args=[check_id]), INSIDE)
    assert done.status_code == 302
    assert PresenceCheck.objects.get(pk=check_id).status == "present"
    again = client.post(reverse("supervision-presence-answer", args=[check_id]), INSIDE)
    assert again.status_code == 409


def test_the_list_exports_what_it_shows_and_the_download_is_audited(world: World, clock: Any, client: Any) -> None:
    _issue(world)
    client.force_login(world.personas["county"])
    response = client.get(reverse("supervision-presence-list") + "?export=xlsx")
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="export.xlsx", object_type="supervision.presencecheck").exists()
    bad = client.get(reverse("supervision-presence-list") + "?month=2026-13")
    assert bad.status_code == 400


def test_only_cadres_have_a_phone_page(world: World, client: Any) -> None:
    client.force_login(world.personas["township"])
    assert client.get(reverse("supervision-presence-mine")).status_code == 403
    assert User.objects.filter(cadre__isnull=False).exists()
