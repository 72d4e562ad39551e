"""Who answers for an approving body (第十九条2; notified on escalation: 第十二条, 第十四条, 第十五条) is one
matcher per body in ``leave.policies.BODIES``, read three ways — the Python check, the filter of accounts
(notifications) and the filter of requests (the inbox). They agree for every persona, every request and
every body (issue 11 item 12)."""

from __future__ import annotations

import pytest

from accounts.models import User
from accounts.services import account_create
from cadres.models import Unit
from leave import policies, selectors
from leave.models import LeaveRequest
from tests.leave.factories import cadre_account, leave_request
from zhucun.testing.world import PASSWORD, TARGETS, World


def _accounts(world: World) -> list[User]:
    members = [cadre_account(world.members[target], f"member_{target}") for target in TARGETS]
    leaders = [cadre_account(world.leaders[target], f"leader_{target}") for target in TARGETS if target != "A"]
    city_d = account_create(actor=None, username="city_d", password=PASSWORD, role="city_org", scope="1302")
    return [*world.personas.values(), *world.township_accounts.values(), *members, *leaders, city_d]


def _requests(world: World) -> list[LeaveRequest]:
    requests = []
    for target in TARGETS:
        member, leader = world.members[target], world.leaders[target]
        requests.append(leave_request(member, days=1, team_leader=leader))  # 队长
        requests.append(leave_request(member, days=3, start=None))  # township
        requests.append(leave_request(leader, days=5, kind="annual"))  # township, unit HR
    # A leader recorded as the 队长 of their own request (a leader who applies: 第十九条2 routes it to
    # the township; this row is what an old routing or a hand edit could leave behind).
    own = leave_request(world.leaders["A"], days=1)
    LeaveRequest.objects.filter(pk=own.pk).update(team_leader=world.leaders["A"])
    requests.append(own)
    # A cadre of a central unit (no region): its organization department is the province's (第十二条).
    central = Unit.objects.create(name="中央某部", level=Unit.Level.CENTRAL, region=None)
    far = leave_request(world.members["D"], days=2)
    LeaveRequest.objects.filter(pk=far.pk).update(unit=central)
    requests.append(far)
    return list(LeaveRequest.objects.filter(pk__in=[r.pk for r in requests]).select_related("unit"))


@pytest.mark.django_db
def test_the_check_the_accounts_filter_and_the_requests_filter_agree_for_every_persona_第十九条(
    world: World,
) -> None:
    accounts = _accounts(world)
    requests = _requests(world)
    users = {user.pk: user for user in User.objects.select_related("cadre").filter(pk__in=[u.pk for u in accounts])}
    answered = 0
    for body in policies.BODIES:
        requests_of = {
            pk: set(LeaveRequest.objects.filter(policies.requests_q(user, body)).values_list("pk", flat=True))
            for pk, user in users.items()
        }
        for request in requests:
            by_filter = set(User.objects.filter(policies.accounts_q(request, body)).values_list("pk", flat=True))
            for pk, user in users.items():
                checked = policies.answers_for(user, request, body)
                assert checked == (pk in by_filter) == (request.pk in requests_of[pk]), (body, user.username, request)
                answered += checked
    assert answered > len(requests)  # the agreement is not an agreement on "nobody"


@pytest.mark.django_db
def test_a_leader_never_answers_as_队长_for_their_own_request_第十九条(world: World) -> None:
    leader = world.personas["cadre"]  # leader A's account
    own = leave_request(world.leaders["A"], days=1)
    LeaveRequest.objects.filter(pk=own.pk).update(team_leader=world.leaders["A"])
    own.refresh_from_db()
    assert not policies.answers_for(leader, own, policies.TEAM_LEADER)
    assert not policies.may_decide(leader, own, policies.TEAM_LEADER)
    assert selectors.approver_user_ids(request=own, approver=policies.TEAM_LEADER) == []
    assert not LeaveRequest.objects.filter(policies.requests_q(leader, policies.TEAM_LEADER), pk=own.pk).exists()
    member_request = leave_request(world.members["A"], days=1, team_leader=world.leaders["A"])
    assert selectors.approver_user_ids(request=member_request, approver=policies.TEAM_LEADER) == [leader.pk]


@pytest.mark.django_db
def test_the_inbox_holds_exactly_the_pending_steps_the_account_answers_for_第十九条(world: World) -> None:
    accounts = _accounts(world)
    requests = _requests(world)
    for user in User.objects.select_related("cadre").filter(pk__in=[u.pk for u in accounts]):
        expected = {
            request.pk
            for request in requests
            for step in request.steps.filter(status="pending")
            if policies.may_decide(user, request, step.approver)
        }
        assert set(selectors.inbox(user=user).values_list("pk", flat=True)) == expected, user.username
