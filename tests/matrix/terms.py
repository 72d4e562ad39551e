"""Matrix entries of the cadre's term (第三条, issue 12): adjustments and the replacement's dispatch.

``setup`` files an application by the target's unit for the target's member (straight to the table:
only unit A is a persona). Who may do what: the unit applies for its own cadres (the unit persona
dispatches A); the organization department of the unit's level decides (甲县's department for A and
B, which are dispatched by 甲县 units); organization departments dispatch a replacement; a cadre sees
only adjustments of their own, so none of these."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.urls import reverse

from cadres.models import TermAdjustment
from zhucun.testing.world import World

from .common import ORG, REGIONAL, VISIBLE, Case, Expect, role_only, scoped

#: who sees the application for the target's member: as teams, but not the cadre persona
TERM_VISIBLE = {**VISIBLE, "cadre": set()}
READERS = REGIONAL | {"unit"}


def _file(world: World, target: str | None) -> None:
    assert target is not None
    cadre = world.members[target]
    TermAdjustment.objects.create(
        cadre=cadre, unit=cadre.unit, village_code=cadre.team.village_id, reason=f"书面申请{target}",
        attachment=ContentFile(b"%PDF-1.4", name="a.pdf"), decided_by_level="county",
        decided_by_region=cadre.unit.region_id or "", filed_with="市委组织部",
    )  # fmt: skip


def _pk(world: World, target: str | None) -> int:
    assert target is not None
    return TermAdjustment.objects.get(cadre=world.members[target]).pk


def decider(ok: int) -> Expect:
    """The county department of 甲县 decides for A and B; others who see it are refused."""

    def expect(persona: str, target: str | None) -> int:
        assert target is not None
        if target not in TERM_VISIBLE[persona]:
            return 404
        return ok if persona == "county" else 403

    return expect


def the_unit(ok: int) -> Expect:
    def expect(persona: str, target: str | None) -> int:
        assert target is not None
        if target not in VISIBLE[persona]:
            return 404
        return ok if persona == "unit" else 403

    return expect


MATRIX: dict[str, Case] = {
    "term-adjustment-list": Case(
        "get",
        lambda w, t: reverse("term-adjustment-list"),
        role_only(READERS),
        api=False,
        setup=_file,
        lists=lambda w, t: reverse("term-adjustment-detail", args=[_pk(w, t)]),
        list_visible=TERM_VISIBLE,
    ),
    "term-adjustment-detail": Case(
        "get",
        lambda w, t: reverse("term-adjustment-detail", args=[_pk(w, t)]),
        scoped(READERS, TERM_VISIBLE),
        api=False,
        setup=_file,
    ),
    "term-adjustment-attachment": Case(
        "get",
        lambda w, t: reverse("term-adjustment-attachment", args=[_pk(w, t)]),
        scoped(READERS, TERM_VISIBLE),
        api=False,
        setup=_file,
    ),
    "term-adjustment-new": Case(
        "get", lambda w, t: reverse("term-adjustment-new", args=[w.members[t or ""].pk]), the_unit(200), api=False
    ),
    "cadre-handover": Case(
        "get", lambda w, t: reverse("cadre-handover", args=[w.members[t or ""].pk]), scoped(READERS), api=False
    ),
    "team-dispatch": Case(
        "get", lambda w, t: reverse("team-dispatch", args=[w.teams[t or ""].pk]), scoped(ORG), api=False
    ),
    "api:term-adjustment-list": Case(
        "post",
        lambda w, t: reverse("api:term-adjustment-list"),
        the_unit(201),
        data=lambda w, t: {"cadre": w.members[t or ""].pk, "reason": "因工作需要调整岗位，特此申请。"},
    ),
    "api:term-adjustment-detail": Case(
        "get",
        lambda w, t: reverse("api:term-adjustment-detail", args=[_pk(w, t)]),
        scoped(READERS, TERM_VISIBLE),
        setup=_file,
    ),
    "api:term-adjustment-approve": Case(
        "post", lambda w, t: reverse("api:term-adjustment-approve", args=[_pk(w, t)]), decider(200), setup=_file
    ),
    "api:term-adjustment-reject": Case(
        "post",
        lambda w, t: reverse("api:term-adjustment-reject", args=[_pk(w, t)]),
        decider(200),
        setup=_file,
        data=lambda w, t: {"comment": "理由不充分"},
    ),
}

EXTRA: dict[str, Case] = {
    "api:term-adjustment-list(read)": Case(
        "get",
        lambda w, t: reverse("api:term-adjustment-list"),
        role_only(READERS),
        setup=_file,
        lists=lambda w, t: f'"reason":"书面申请{t}"',
        list_visible=TERM_VISIBLE,
    ),
}
