"""Two answers to one presence check at the same moment, each on its own connection: the check's row
lock makes exactly one of them count, the other is a 409 (第十三条3). Two officials issuing the last
check of the month at once: the cadre's row lock keeps the monthly cap. PostgreSQL only (SQLite
serializes whole writes); CI always runs it."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.db import connection
from django.utils import timezone

from supervision import services
from supervision.models import PresenceCheck
from tests.leave.test_concurrency import _race
from zhucun.api.errors import Conflict
from zhucun.models import AuditEvent
from zhucun.testing.world import World, build_world

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def world(transactional_db: None) -> World:
    return build_world()


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql" and not os.environ.get("ZHUCUN_REQUIRE_POSTGRES"):
        pytest.skip("row locks are proven on PostgreSQL (set DATABASE_URL=postgres://…)")


def test_two_racing_answers_count_exactly_once_and_the_other_is_a_409_第十三条3(world: World) -> None:
    cadre = world.leaders["A"]
    now = timezone.now()
    check = PresenceCheck.objects.create(
        cadre=cadre,
        village_code=cadre.team.village_id,
        minutes=30,
        issued_at=now,
        due_at=now + dt.timedelta(minutes=30),
    )
    actor = world.personas["cadre"]

    def answer() -> object:
        return services.presence_check_answer(actor=actor, check=check, latitude=38.001, longitude=114.5)

    outcomes = _race(answer, answer, answer)
    answered = [o for o in outcomes if isinstance(o, PresenceCheck)]
    conflicts = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(answered) == 1 and len(conflicts) == 2, outcomes
    assert PresenceCheck.objects.get(pk=check.pk).status == "present"
    assert AuditEvent.objects.filter(action="presence_check.answer").count() == 1


def test_racing_officials_cannot_pass_the_monthly_cap_第十三条3(world: World) -> None:
    cadre = world.leaders["A"]
    now = timezone.now()
    # Three earlier checks this month, answered: one more is allowed (the profile's 4).
    PresenceCheck.objects.bulk_create(
        [
            PresenceCheck(cadre=cadre, village_code=cadre.team.village_id, minutes=10, issued_at=now - dt.timedelta(
                seconds=i + 1), due_at=now - dt.timedelta(seconds=i + 1), status="present")
            for i in range(3)
        ]
    )  # fmt: skip

    def issue(persona: str) -> object:
        return services.presence_check_issue(actor=world.personas[persona], cadre=cadre, minutes=30)

    outcomes = _race(lambda: issue("township"), lambda: issue("county"))
    assert sum(isinstance(o, PresenceCheck) for o in outcomes) == 1, outcomes
    assert PresenceCheck.objects.filter(cadre=cadre).count() == 4
