"""Matrix entries of the attendance routes (pages, API, public board)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.urls import reverse
from django.utils import timezone

from attendance.models import AbsenceFinding, SignIn, WorkLog
from zhucun.models import PolicyProfileVersion
from zhucun.testing.world import World

from .common import ALL, REGIONAL, VISIBLE, Case, everyone, role_only, scoped

DECIDERS = {"county", "township"}


def _yesterday() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=1)


def _finding(world: World, target: str | None) -> None:
    assert target is not None
    cadre = world.leaders[target]
    world.extra["finding"] = AbsenceFinding.objects.create(
        cadre=cadre, village_code=cadre.team.village_id, date=_yesterday(), source="missing_signin"
    )


def _log(world: World, target: str | None) -> None:
    assert target is not None
    cadre = world.leaders[target]
    world.extra["log"] = WorkLog.objects.create(
        team=cadre.team, village_code=cadre.team.village_id, author=cadre, date=_yesterday(), content="入户走访"
    )


def _open_window(world: World, target: str | None) -> None:
    """Sign-ins are accepted all day, so the matrix does not depend on the hour CI runs at."""
    PolicyProfileVersion.objects.create(
        name="matrix", effective_from=dt.date(2000, 1, 1), overrides={"signin_window_start": "00:00"}
    )


def _signin(world: World, target: str | None) -> None:
    assert target is not None
    cadre = world.leaders[target]
    world.extra["signin"] = SignIn.objects.create(
        cadre=cadre, village_code=cadre.team.village_id, date=_yesterday(), client_id=uuid.uuid4(),
        status="ok", inside_geofence=True, distance_m=10,
    )  # fmt: skip


def _pending_leave(world: World, target: str | None) -> None:
    """The target's leader asks for a day's leave (the township decides; the cadre persona is leader A)."""
    from tests.leave.factories import leave_request

    assert target is not None
    world.extra["leave"] = leave_request(world.leaders[target], reason=f"事由{target}")


def _record_finding(persona: str, target: str | None) -> int:
    """The cadre must be visible (else 400, like any out-of-scope reference); then only the township
    and county may record."""
    if target not in VISIBLE[persona]:
        return 400
    return 201 if persona in DECIDERS else 403


MATRIX: dict[str, Case] = {
    # --- pages ---
    "attendance-home": Case("get", lambda w, t: reverse("attendance-home"), everyone(302), api=False, per_target=False),
    "attendance-today": Case(
        "get",
        lambda w, t: reverse("attendance-today"),
        lambda p, t: 200 if p == "cadre" else 404,
        api=False,
        per_target=False,
    ),
    "attendance-whereabouts-post": Case(
        "post",
        lambda w, t: reverse("attendance-whereabouts-post"),
        scoped({"cadre"}, ok=302),
        api=False,
        data=lambda w, t: {"cadre": w.leaders[t or ""].pk, "status": "meeting"},
    ),
    "attendance-work-log-post": Case(
        "post",
        lambda w, t: reverse("attendance-work-log-post"),
        lambda p, t: 302 if p == "cadre" else 403,
        api=False,
        per_target=False,
        data=lambda w, t: {"content": "走访脱贫户"},
    ),
    "attendance-dashboard": Case(
        "get", lambda w, t: reverse("attendance-dashboard"), role_only(REGIONAL), api=False, per_target=False
    ),
    "attendance-dashboard-region": Case(
        "get",
        lambda w, t: reverse("attendance-dashboard-region", args=[w.township(t or "")]),
        scoped(REGIONAL),
        api=False,
    ),
    "attendance-register": Case(
        "get", lambda w, t: reverse("attendance-register", args=[w.township(t or "")]), scoped(REGIONAL), api=False
    ),
    # issue 15 item 13: a cadre's month, day, findings and leave, opened from the dashboards
    "attendance-cadre": Case(
        "get", lambda w, t: reverse("attendance-cadre", args=[w.leaders[t or ""].pk]), scoped(REGIONAL), api=False
    ),
    "attendance-finding-decide": Case(
        "post",
        lambda w, t: reverse("attendance-finding-decide", args=[w.extra["finding"].pk]),
        scoped(DECIDERS, ok=302),
        api=False,
        setup=_finding,
        data=lambda w, t: {"decision": "confirm"},
    ),
    "attendance-work-logs": Case(
        "get", lambda w, t: reverse("attendance-work-logs"), role_only(REGIONAL), api=False, per_target=False
    ),
    "attendance-work-log-check": Case(
        "post",
        lambda w, t: reverse("attendance-work-log-check", args=[w.extra["log"].pk]),
        scoped(DECIDERS, ok=302),
        api=False,
        setup=_log,
    ),
    # 第五条, 第十九条2: what a pending leave does, for whoever may see the request (decision 0074)
    "attendance-leave-impact": Case(
        "get",
        lambda w, t: reverse("attendance-leave-impact", args=[w.extra["leave"].pk]),
        scoped(ALL),
        api=False,
        setup=_pending_leave,
    ),
    "public-village": Case(
        "get",
        lambda w, t: reverse("public-village", args=[w.village(t or "")]),
        everyone(200),
        api=False,
        anonymous=200,
    ),
    "public-poster": Case(
        "get", lambda w, t: reverse("public-poster", args=[w.village(t or "")]), everyone(200), api=False, anonymous=200
    ),
    # --- API ---
    "api:attendance-dashboard": Case(
        "get", lambda w, t: reverse("api:attendance-dashboard") + f"?region={w.township(t or '')}", scoped(REGIONAL)
    ),
    "api:attendance-export": Case(
        "get", lambda w, t: reverse("api:attendance-export") + f"?region={w.township(t or '')}", scoped(REGIONAL)
    ),
    "api:signin-list": Case(
        "post",
        lambda w, t: reverse("api:signin-list"),
        lambda p, t: 201 if p == "cadre" else 403,
        per_target=False,
        setup=_open_window,
        data=lambda w, t: {"client_id": str(uuid.uuid4()), "latitude": 38.0, "longitude": 114.5},
    ),
    "api:absence-finding-list": Case(
        "post",
        lambda w, t: reverse("api:absence-finding-list"),
        _record_finding,
        data=lambda w, t: {"cadre": w.members[t or ""].pk, "date": _yesterday().isoformat(), "source": "inspection"},
    ),
    "api:absence-finding-detail": Case(
        "get",
        lambda w, t: reverse("api:absence-finding-detail", args=[w.extra["finding"].pk]),
        scoped(ALL),
        setup=_finding,
    ),
    "api:absence-finding-confirm": Case(
        "post",
        lambda w, t: reverse("api:absence-finding-confirm", args=[w.extra["finding"].pk]),
        scoped(DECIDERS),
        setup=_finding,
    ),
    "api:absence-finding-dismiss": Case(
        "post",
        lambda w, t: reverse("api:absence-finding-dismiss", args=[w.extra["finding"].pk]),
        scoped(DECIDERS),
        setup=_finding,
        data=lambda w, t: {"reason": "外出开会"},
    ),
    "api:whereabouts-list": Case(
        "post",
        lambda w, t: reverse("api:whereabouts-list"),
        scoped({"cadre"}, ok=201),
        data=lambda w, t: {"cadre": w.leaders[t or ""].pk, "status": "meeting"},
    ),
    "api:work-log-list": Case(
        "post",
        lambda w, t: reverse("api:work-log-list"),
        lambda p, t: 201 if p == "cadre" else 403,
        per_target=False,
        data=lambda w, t: {"date": timezone.localdate().isoformat(), "content": "组织党员学习"},
    ),
    "api:work-log-detail": Case(
        "get", lambda w, t: reverse("api:work-log-detail", args=[w.extra["log"].pk]), scoped(ALL), setup=_log
    ),
    "api:work-log-check": Case(
        "post", lambda w, t: reverse("api:work-log-check", args=[w.extra["log"].pk]), scoped(DECIDERS), setup=_log
    ),
}

EXTRA: dict[str, Case] = {
    "api:signin-list(read)": Case(
        "get",
        lambda w, t: reverse("api:signin-list") + f"?region={w.village(t or '')}",
        everyone(200),
        setup=_signin,
        lists=lambda w, t: f'"id":{w.extra["signin"].pk},',
    ),
    "api:absence-finding-list(read)": Case(
        "get",
        lambda w, t: reverse("api:absence-finding-list") + f"?region={w.village(t or '')}",
        everyone(200),
        setup=_finding,
        lists=lambda w, t: f'"id":{w.extra["finding"].pk},',
    ),
    "api:whereabouts-list(read)": Case(
        "get", lambda w, t: reverse("api:whereabouts-list"), everyone(200), per_target=False
    ),
    "api:work-log-list(read)": Case(
        "get",
        lambda w, t: reverse("api:work-log-list"),
        everyone(200),
        setup=_log,
        lists=lambda w, t: f'"id":{w.extra["log"].pk},',
    ),
}
