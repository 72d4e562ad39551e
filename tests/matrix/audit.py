"""Matrix entries of the audit viewer (issue 10 item 7): the organization departments read the events
of their subtree (region_code prefix), everyone else is refused; the API detail of an event outside the
caller's scope is a 404 like any other object."""

from __future__ import annotations

from django.urls import reverse

from zhucun.models import AuditEvent
from zhucun.testing.world import World

from .common import ACCOUNT_VISIBLE, ORG, Case, role_only, scoped

#: Audit events are keyed on region codes only: units and cadres see none (zhucun/scoping.py).
AUDIT_VISIBLE = ACCOUNT_VISIBLE


def _probe(world: World, target: str | None) -> None:
    """An event on the target's team, keyed on its village."""
    assert target is not None
    team = world.teams[target]
    world.extra["audit_event"] = AuditEvent.objects.create(
        action="team.update",
        object_type="cadres.team",
        object_id=str(team.pk),
        object_repr=f"探针事件{target}",
        region_code=team.village_id,
    )


MATRIX: dict[str, Case] = {
    "audit-list": Case(
        "get",
        lambda w, t: reverse("audit-list") + f"?search=探针事件{t}",
        role_only(ORG),
        api=False,
        setup=_probe,
        lists=lambda w, t: f'对象">探针事件{t} <span',
        list_visible=AUDIT_VISIBLE,
    ),
    "api:audit-event-list": Case(
        "get",
        lambda w, t: reverse("api:audit-event-list") + f"?search=探针事件{t}",
        role_only(ORG),
        setup=_probe,
        lists=lambda w, t: f'"object_repr":"探针事件{t}"',
        list_visible=AUDIT_VISIBLE,
    ),
    "api:audit-event-detail": Case(
        "get",
        lambda w, t: reverse("api:audit-event-detail", args=[w.extra["audit_event"].pk]),
        scoped(ORG, visible=AUDIT_VISIBLE),
        setup=_probe,
    ),
}

EXTRA: dict[str, Case] = {
    # the viewer's export holds exactly what the page shows: the target's event only where visible
    "audit-list(export)": Case(
        "get",
        lambda w, t: reverse("audit-list") + f"?search=探针事件{t}&export=xlsx",
        role_only(ORG),
        api=False,
        setup=_probe,
    ),
}
