"""Matrix entries of training (issue 14; 第十三条4, 第十五条3).

``setup`` records a rotation training organized by the target's county organization department, with
the target's leader attending (straight to the tables). Who may do what:

* everyone who sees a cadre who attended sees the event (and the organizer's subtree);
* the organizing body alone enrols (甲县's department organizes A's and B's events here);
* departments and townships record events (a township only its township training: a rotation is 400);
* organization departments list their cadres not yet trained this year.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from training.models import TrainingAttendance, TrainingEvent
from zhucun.testing.world import World

from .common import ALL, ORG, Case, Expect, everyone, role_only, scoped

ORGANIZER = {"county"}


def _event(world: World, target: str | None) -> TrainingEvent:
    assert target is not None
    county = world.township(target)[:6]
    event = TrainingEvent.objects.filter(title=f"培训{target}").first()
    if event is None:
        event = TrainingEvent.objects.create(
            title=f"培训{target}", kind="rotation", organizer_level="county", region_code=county,
            organizer_name="县委组织部", start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 4), place="县委党校",
        )  # fmt: skip
        leader = world.leaders[target]
        TrainingAttendance.objects.create(event=event, cadre=leader, village_code=leader.team.village_id)
    return event


def _setup(world: World, target: str | None) -> None:
    _event(world, target)


def _pk(world: World, target: str | None) -> int:
    return _event(world, target).pk


def creators(ok: int) -> Expect:
    """Departments record a rotation training; a township may not (its kind is township training)."""
    return lambda persona, target: ok if persona in ORG else 400 if persona == "township" else 403


_EVENT = {"title": "轮训班", "kind": "rotation", "start": "2026-04-01", "end": "2026-04-03", "place": "党校"}

MATRIX: dict[str, Case] = {
    "training-list": Case("get", lambda w, t: reverse("training-list"), everyone(200), api=False, per_target=False),
    "training-event": Case(
        "get", lambda w, t: reverse("training-event", args=[_pk(w, t)]), scoped(ALL), api=False, setup=_setup
    ),
    "training-untrained": Case(
        "get", lambda w, t: reverse("training-untrained"), role_only(ORG), api=False, per_target=False
    ),
    "api:training-event-list": Case(
        "post",
        lambda w, t: reverse("api:training-event-list"),
        creators(201),
        per_target=False,
        data=lambda w, t: _EVENT,
    ),
    "api:training-event-detail": Case(
        "get", lambda w, t: reverse("api:training-event-detail", args=[_pk(w, t)]), scoped(ALL), setup=_setup
    ),
    "api:training-event-enrol": Case(
        "post",
        lambda w, t: reverse("api:training-event-enrol", args=[_pk(w, t)]),
        scoped(ORGANIZER),
        setup=_setup,
        data=lambda w, t: {"cadres": [w.members[t or ""].pk]},
    ),
}

EXTRA: dict[str, Case] = {
    "api:training-event-list(read)": Case(
        "get",
        lambda w, t: reverse("api:training-event-list"),
        everyone(200),
        setup=_setup,
        lists=lambda w, t: f'"title":"培训{t}"',
    ),
    "training-list(post)": Case(
        "post",
        lambda w, t: reverse("training-list"),
        creators(302),
        api=False,
        per_target=False,
        data=lambda w, t: _EVENT,
    ),
    "training-event(enrol)": Case(
        "post",
        lambda w, t: reverse("training-event", args=[_pk(w, t)]),
        scoped(ORGANIZER, ok=302),
        api=False,
        setup=_setup,
        data=lambda w, t: {"cadres": [w.members[t or ""].pk]},
    ),
    "training-untrained(export)": Case(
        "get", lambda w, t: reverse("training-untrained") + "?export=xlsx", role_only(ORG), api=False, per_target=False
    ),
}
