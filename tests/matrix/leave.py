"""Matrix entries of the leave app's routes (pages and API).

Each cell gets a fresh world; ``setup`` makes the target's request. Two kinds of request are used:

* the target's *leader* (第一书记兼队长) asks for 1 day → the township decides. The cadre persona is
  leader A, so it is the applicant of target A's request;
* the target's *member* asks for 4 days → the county office decides (第十九条2). No team leader is
  involved, so the cadre persona does not see these requests at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from leave.models import LeaveRequest
from tests.leave.factories import leave_request
from zhucun.testing.world import World

from .common import ALL, VISIBLE, Case, everyone, role_only, scoped

#: who sees a member's county-office request: like the teams, except the cadre persona (not the
#: applicant, not a 队长 it is routed to)
MEMBER_REQUEST_VISIBLE = {**VISIBLE, "cadre": set()}
#: whose inbox shows a member's 4-day request of each target: the county office of 甲县 (A and B)
COUNTY_INBOX: dict[str, set[str]] = {persona: set() for persona in VISIBLE} | {"county": {"A", "B"}}


def _tomorrow() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=1)


def _leader_request(world: World, target: str | None, *, approved: bool = False) -> None:
    assert target is not None
    if approved:
        leave_request(
            world.leaders[target],
            reason=f"事由{target}",
            start=timezone.localdate(),
            status=LeaveRequest.Status.APPROVED,
        )
    else:
        leave_request(world.leaders[target], reason=f"事由{target}")


def _member_request(world: World, target: str | None) -> None:
    assert target is not None
    leave_request(world.members[target], days=4, reason=f"事由{target}")


def _approved_leader_request(world: World, target: str | None) -> None:
    _leader_request(world, target, approved=True)


def _approved_future_leader_request(world: World, target: str | None) -> None:
    """Approved and starting tomorrow: the applicant may still cancel it (第十九条2)."""
    assert target is not None
    leave_request(world.leaders[target], reason=f"事由{target}", status=LeaveRequest.Status.APPROVED)


def _latest(world: World, target: str | None, *, member: bool) -> int:
    assert target is not None
    cadre = world.members[target] if member else world.leaders[target]
    return LeaveRequest.objects.filter(cadre=cadre).latest("id").pk


def _api(name: str, *, member: bool) -> Callable[[World, str | None], str]:
    return lambda w, t: reverse(f"api:leave-request-{name}", args=[_latest(w, t, member=member)])


def _page(name: str, *, member: bool) -> Callable[[World, str | None], str]:
    return lambda w, t: reverse(name, args=[_latest(w, t, member=member)])


_NEW_LEAVE = {
    "kind": "personal",
    "start_half": "am",
    "end_half": "pm",
    "reason": "回家处理家事",
}


def _new_leave(world: World, target: str | None) -> dict[str, object]:
    day = _tomorrow().isoformat()
    return {**_NEW_LEAVE, "start": day, "end": day}


#: who answers for a member's 4-day request: the county office of its county
county_decides = scoped({"county"}, MEMBER_REQUEST_VISIBLE)
#: the applicant alone withdraws and reports back
applicant_only = scoped({"cadre"})
#: pages that redirect after a write answer 302 where the API answers 200
county_decides_page = scoped({"county"}, MEMBER_REQUEST_VISIBLE, ok=302)
applicant_only_page = scoped({"cadre"}, ok=302)
APPROVERS = {"county", "township", "unit", "cadre"}

MATRIX: dict[str, Case] = {
    # --- API -----------------------------------------------------------------------------------
    "api:leave-request-list": Case(
        "post",
        lambda w, t: reverse("api:leave-request-list"),
        role_only({"cadre"}, 201),
        per_target=False,
        data=_new_leave,
    ),
    "api:leave-request-detail": Case("get", _api("detail", member=False), scoped(ALL), setup=_leader_request),
    "api:leave-request-approve": Case(
        "post",
        _api("approve", member=True),
        county_decides,
        setup=_member_request,
        data=lambda w, t: {"comment": "同意"},
    ),
    "api:leave-request-reject": Case(
        "post",
        _api("reject", member=True),
        county_decides,
        setup=_member_request,
        data=lambda w, t: {"comment": "村里近期有检查，请改期"},
    ),
    "api:leave-request-withdraw": Case(
        "post",
        _api("withdraw", member=False),
        applicant_only,
        setup=_leader_request,
    ),
    "api:leave-request-cancel": Case(
        "post",
        _api("cancel", member=False),
        applicant_only,
        setup=_approved_future_leader_request,
    ),
    "api:leave-request-report-back": Case(
        "post",
        _api("report-back", member=False),
        applicant_only,
        setup=_approved_leader_request,
    ),
    # --- pages ---------------------------------------------------------------------------------
    "leave-inbox": Case(
        "get",
        lambda w, t: reverse("leave-inbox"),
        everyone(200),
        api=False,
        setup=_member_request,
        lists=lambda w, t: f'data-leave-id="{_latest(w, t, member=True)}"',
        list_visible=COUNTY_INBOX,
    ),
    "leave-bulk-approve": Case(
        "post",
        lambda w, t: reverse("leave-bulk-approve"),
        role_only(APPROVERS, 302),
        api=False,
        setup=_member_request,
        data=lambda w, t: {"ids": [_latest(w, t, member=True)]},
    ),
    "leave-bulk-reject": Case(
        "post",
        lambda w, t: reverse("leave-bulk-reject"),
        county_decides_page,
        api=False,
        setup=_member_request,
        data=lambda w, t: {"ids": [_latest(w, t, member=True)], "reason": "村里近期有检查，请改期"},
    ),
    "leave-detail": Case("get", _page("leave-detail", member=False), scoped(ALL), api=False, setup=_leader_request),
    "leave-decide": Case(
        "post",
        _page("leave-decide", member=True),
        county_decides_page,
        api=False,
        setup=_member_request,
        data=lambda w, t: {"decision": "approve", "comment": "同意"},
    ),
    "leave-withdraw": Case(
        "post", _page("leave-withdraw", member=False), applicant_only_page, api=False, setup=_leader_request
    ),
    "leave-cancel": Case(
        "post",
        _page("leave-cancel", member=False),
        applicant_only_page,
        api=False,
        setup=_approved_future_leader_request,
    ),
    "leave-report-back": Case(
        "post",
        _page("leave-report-back", member=False),
        applicant_only_page,
        api=False,
        setup=_approved_leader_request,
    ),
    "leave-mine": Case(
        "get",
        lambda w, t: reverse("leave-mine"),
        role_only({"cadre"}),
        api=False,
        setup=_leader_request,
        lists=lambda w, t: f'data-leave-id="{_latest(w, t, member=False)}"',
        list_visible={persona: set() for persona in VISIBLE} | {"cadre": {"A"}},
    ),
    "leave-new": Case("get", lambda w, t: reverse("leave-new"), role_only({"cadre"}), api=False, per_target=False),
    "leave-preview": Case(
        "get",
        lambda w, t: reverse("leave-preview") + "?" + urlencode(_new_leave(w, t)),
        role_only({"cadre"}),
        api=False,
        per_target=False,
    ),
    "leave-register": Case(
        "get",
        lambda w, t: (
            reverse("leave-register") + f"?start={timezone.localdate()}&end={_tomorrow() + dt.timedelta(days=7)}"
        ),
        role_only({"province", "city", "county", "township", "unit"}),
        api=False,
        setup=_leader_request,
        lists=lambda w, t: f'href="{reverse("leave-detail", args=[_latest(w, t, member=False)])}"',
    ),
}

EXTRA: dict[str, Case] = {
    "api:leave-request-list(read)": Case(
        "get",
        lambda w, t: reverse("api:leave-request-list"),
        everyone(200),
        setup=_leader_request,
        lists=lambda w, t: f'"reason":"事由{t}"',
    ),
    "api:leave-request-list(awaiting_me)": Case(
        "get",
        lambda w, t: reverse("api:leave-request-list") + "?awaiting_me=true",
        everyone(200),
        setup=_member_request,
        lists=lambda w, t: f'"reason":"事由{t}"',
        list_visible=COUNTY_INBOX,
    ),
    "leave-new(post)": Case(
        "post",
        lambda w, t: reverse("leave-new"),
        role_only({"cadre"}, 302),
        api=False,
        per_target=False,
        data=lambda w, t: {**_new_leave(w, t)},
    ),
}
