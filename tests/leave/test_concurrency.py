"""Two approvers decide the same request at the same moment, each on their own database connection
(API.md: "two racing approvers: exactly one wins"). The request row is locked with SELECT … FOR
UPDATE, so the second waits, re-reads the request under the lock, finds it decided and gets 409 —
with nothing changed. Only PostgreSQL has the row locks this proves (SQLite serializes whole writes),
so the test needs it; CI (ZHUCUN_REQUIRE_POSTGRES) always runs it."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from leave import services
from leave.models import LeaveRequest, LeaveStep
from tests.leave.factories import leave_request, org_account
from zhucun.api.errors import Conflict
from zhucun.models import AuditEvent
from zhucun.testing.world import World, build_world

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def world(transactional_db: None) -> World:
    return build_world()


def _race(*calls: Callable[[], Any]) -> list[object]:
    """Run ``calls`` at the same moment in threads (each with its own connection); their outcomes."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as exc:  # the outcome under test
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql" and not os.environ.get("ZHUCUN_REQUIRE_POSTGRES"):
        pytest.skip("row locks are proven on PostgreSQL (set DATABASE_URL=postgres://…)")


@pytest.mark.parametrize("second", ["approve", "reject"])
def test_two_racing_township_approvers_exactly_one_wins_and_the_other_gets_409(world: World, second: str) -> None:
    request = leave_request(world.members["A"], days=2)  # the township of 甲一镇 decides
    first_official = world.township_accounts["A"]
    second_official = org_account("t_A_second", "township", world.township("A"))
    decide = services.leave_request_approve if second == "approve" else services.leave_request_reject

    outcomes = _race(
        lambda: services.leave_request_approve(actor=first_official, request_id=request.pk, comment="同意"),
        lambda: decide(actor=second_official, request_id=request.pk, comment="不同意"),
    )

    winners = [outcome for outcome in outcomes if isinstance(outcome, LeaveRequest)]
    losers = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert len(winners) == 1, outcomes
    assert len(losers) == 1 and isinstance(losers[0], Conflict), outcomes
    step = LeaveStep.objects.get(request=request)
    assert step.status in ("approved", "rejected")
    assert step.decided_by in (first_official, second_official)
    # one decision recorded, and only the winner's
    assert AuditEvent.objects.filter(action__in=["leave.step_approve", "leave.step_reject"]).count() == 1
    request.refresh_from_db()
    assert request.status == winners[0].status


def test_many_racing_approvers_on_a_two_step_chain_decide_each_step_once(world: World) -> None:
    request = leave_request(world.leaders["A"], days=2)  # township, then the county office
    officials = [
        world.township_accounts["A"],
        *[org_account(f"t_A_{i}", "township", world.township("A")) for i in range(3)],
    ]
    outcomes = _race(
        *[lambda user=user: services.leave_request_approve(actor=user, request_id=request.pk) for user in officials]
    )
    assert sum(isinstance(outcome, LeaveRequest) for outcome in outcomes) == 1
    assert sum(isinstance(outcome, Conflict) for outcome in outcomes) == 3
    assert list(request.steps.order_by("position").values_list("status", flat=True)) == ["approved", "pending"]
