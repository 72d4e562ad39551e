"""Matrix entries of supervision (issue 13): random presence checks (第十三条3).

Who may do what: the township and the county issue checks to cadres they see (第十五条1 daily
management); organization departments above follow them; the cadre answers their own (the cadre
persona leads team A). Out of scope is 404 before the role is asked."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from supervision.models import PresenceCheck
from zhucun.testing.world import World

from .common import REGIONAL, VISIBLE, Case, role_only, scoped

ISSUERS = {"county", "township"}
#: 甲村 (target A) lies at (38.0, 114.5): an answer from inside its geofence
INSIDE = {"latitude": 38.001, "longitude": 114.5}


def _check(world: World, target: str | None) -> None:
    """A pending check of the target's leader, due in half an hour."""
    assert target is not None
    cadre = world.leaders[target]
    now = timezone.now()
    world.extra["check"] = PresenceCheck.objects.create(
        cadre=cadre, village_code=cadre.team.village_id, minutes=30, issued_at=now,
        due_at=now + dt.timedelta(minutes=30),
    )  # fmt: skip


def _check_pk(world: World, target: str | None) -> int:
    return int(world.extra["check"].pk)


MATRIX: dict[str, Case] = {
    # --- pages -------------------------------------------------------------------------------
    "supervision-presence-list": Case(
        "get",
        lambda w, t: reverse("supervision-presence-list"),
        role_only(REGIONAL),
        api=False,
        setup=_check,
        lists=lambda w, t: reverse("cadre-detail", args=[w.leaders[t].pk]),
    ),
    "supervision-presence-issue": Case(
        "get", lambda w, t: reverse("supervision-presence-issue"), role_only(ISSUERS), api=False, per_target=False
    ),
    "supervision-presence-mine": Case(
        "get", lambda w, t: reverse("supervision-presence-mine"), role_only({"cadre"}), api=False, per_target=False
    ),
    "supervision-presence-answer": Case(
        "post",
        lambda w, t: reverse("supervision-presence-answer", args=[_check_pk(w, t)]),
        scoped({"cadre"}, ok=302),
        api=False,
        setup=_check,
        data=lambda w, t: INSIDE,
    ),
    # --- API ---------------------------------------------------------------------------------
    "api:presence-check-list": Case(
        "post",
        lambda w, t: reverse("api:presence-check-list"),
        scoped(ISSUERS, ok=201),
        data=lambda w, t: {"cadre": w.leaders[t or ""].pk, "minutes": 30},
    ),
    "api:presence-check-detail": Case(
        "get",
        lambda w, t: reverse("api:presence-check-detail", args=[_check_pk(w, t)]),
        scoped(REGIONAL | {"cadre"}),
        setup=_check,
    ),
    "api:presence-check-answer": Case(
        "post",
        lambda w, t: reverse("api:presence-check-answer", args=[_check_pk(w, t)]),
        scoped({"cadre"}),
        setup=_check,
        data=lambda w, t: INSIDE,
    ),
}

EXTRA: dict[str, Case] = {
    "supervision-presence-issue(post)": Case(
        "post",
        lambda w, t: reverse("supervision-presence-issue"),
        scoped(ISSUERS, ok=302),
        api=False,
        data=lambda w, t: {"cadre": w.leaders[t or ""].pk, "minutes": 30},
    ),
    "api:presence-check-list(read)": Case(
        "get",
        lambda w, t: reverse("api:presence-check-list") + "?page_size=200",
        role_only(REGIONAL | {"cadre"}),
        setup=_check,
        lists=lambda w, t: f'"cadre_name":"{w.leaders[t].name}"',
        list_visible=VISIBLE,
    ),
}
