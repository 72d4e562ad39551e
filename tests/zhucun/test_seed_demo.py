"""`make run` loads the demo province: seed_demo works on a fresh database, is idempotent, and every
demo login it prints works; the demo's cadres can try today's sign-in (issue 15 item 14)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from assessment.models import SupportOpinion
from attendance.models import SignIn
from cadres.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from cadres.models import Cadre, PartySecretaryAppointment, PartyTransfer, Team
from leave.models import LeaveRequest


def _party_and_opinions() -> tuple[int, int, int, int]:
    """The demo's party affairs and this year's team opinions: transfers waiting for 龙州镇 to confirm,
    confirmed ones, the first secretary appointed after both consents, and the opinions (the demo leader's
    team has given the county's, its unit's is left to try)."""
    longzhou = PartyTransfer.objects.filter(village_code__startswith="130125100")
    pending = longzhou.filter(status=PartyTransfer.Status.PENDING).count()
    confirmed = PartyTransfer.objects.filter(status=PartyTransfer.Status.CONFIRMED).count()
    assert pending > 0 and confirmed > pending
    appointment = PartySecretaryAppointment.objects.get()
    assert appointment.status == PartySecretaryAppointment.Status.APPOINTED and appointment.consented
    assert appointment.cadre == User.objects.get(username="ganbu").cadre
    opinions = SupportOpinion.objects.filter(year=timezone.localdate().year)
    own = set(opinions.filter(village_code="130125100200").values_list("body_type", flat=True))
    assert opinions.filter(body_type="unit").exists() and own == {"county"}
    return pending, confirmed, PartySecretaryAppointment.objects.count(), opinions.count()


@pytest.mark.django_db
def test_seed_demo_builds_the_province_once_and_every_demo_login_works() -> None:
    call_command("seed_demo")
    counts = (Team.objects.count(), Cadre.objects.count(), SignIn.objects.count(), LeaveRequest.objects.count())
    assert counts[0] == 30 and counts[1] == 90
    assert counts[2] > 0 and counts[3] == 2
    party = _party_and_opinions()
    call_command("seed_demo")
    assert (Team.objects.count(), Cadre.objects.count(), SignIn.objects.count(), LeaveRequest.objects.count()) == counts
    assert _party_and_opinions() == party
    for username, _, _, _ in DEMO_ACCOUNTS:
        client = Client()
        response = client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, username
        assert client.get("/", follow=True).status_code == 200, username

    # Today is open for the demo's cadre logins: one tap signs them in; longzhou sees them not signed in,
    # with one more cadre of another village.
    for username in ("ganbu", "ganbu2", "ganbu3"):
        cadre = User.objects.get(username=username).cadre
        assert cadre is not None and not SignIn.objects.filter(cadre=cadre, date=timezone.localdate()).exists()
    client = Client()
    client.post("/accounts/login/", {"username": "ganbu", "password": DEMO_PASSWORD})
    assert 'data-testid="signin-button"' in client.get(reverse("attendance-today")).content.decode()
    client = Client()
    client.post("/accounts/login/", {"username": "longzhou", "password": DEMO_PASSWORD})
    roll_call = client.get(reverse("attendance-dashboard")).context["roll_call"]
    villages = {entry.village for entry in roll_call.absent}
    assert len(roll_call.absent) == 4 and len(villages) == 2 and "东庄村" in villages

    # 第十八条 and 第二十五条 are filled: longzhou confirms transfers in place, the county reads opinions.
    assert "确认转入" in client.get(reverse("party-transfer-list")).content.decode()
    client = Client()
    client.post("/accounts/login/", {"username": "xingtang", "password": DEMO_PASSWORD})
    opinions = client.get(reverse("assessment-support-opinions"))
    assert opinions.status_code == 200 and opinions.context["page_obj"].paginator.count > 0
    assert opinions.context["summary"]


def test_demo_logins_print_the_port_make_run_serves_on() -> None:
    out = io.StringIO()
    call_command("demo_logins", "--port", "8822", stdout=out)
    assert "http://127.0.0.1:8822/" in out.getvalue() and ":8000" not in out.getvalue()
