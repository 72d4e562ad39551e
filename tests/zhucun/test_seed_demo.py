"""`make run` loads the demo province: seed_demo works on a fresh database, is idempotent, and every
demo login it prints works."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from attendance.models import SignIn
from cadres.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from cadres.models import Cadre, Team
from leave.models import LeaveRequest


@pytest.mark.django_db
def test_seed_demo_builds_the_province_once_and_every_demo_login_works() -> None:
    call_command("seed_demo")
    counts = (Team.objects.count(), Cadre.objects.count(), SignIn.objects.count(), LeaveRequest.objects.count())
    assert counts[0] == 30 and counts[1] == 90
    assert counts[2] > 0 and counts[3] == 2
    call_command("seed_demo")
    assert (Team.objects.count(), Cadre.objects.count(), SignIn.objects.count(), LeaveRequest.objects.count()) == counts
    for username, _, _, _ in DEMO_ACCOUNTS:
        client = Client()
        response = client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, username
        assert client.get("/", follow=True).status_code == 200, username
