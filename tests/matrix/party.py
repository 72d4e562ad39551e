"""Matrix entries of party affairs (第十八条, issue 14): the membership transfer and the first secretary
as village party secretary.

``setup`` puts a pending transfer, or a proposal, of the target's first secretary straight into the
table. Who may do what (cadres/policies.py): the cadre's own unit or the village's own township records a
transfer, that township confirms it and proposes, appoints and ends; the first secretary (the cadre
persona, A's) and the unit consent. Everyone who sees the cadre reads; a cadre sees their own rows."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from cadres.models import PartySecretaryAppointment, PartyTransfer
from zhucun.testing.world import World

from .common import ALL, REGIONAL, VISIBLE, Case, Expect, role_only, scoped

READERS = REGIONAL | {"unit", "cadre"}
LISTERS = REGIONAL | {"unit"}


def _transfer(world: World, target: str | None) -> None:
    assert target is not None
    cadre = world.leaders[target]
    PartyTransfer.objects.create(
        cadre=cadre, village_code=cadre.team.village_id, from_organization=f"{cadre.unit.name}机关党委",
        to_organization=f"{world.village_name(target)}党组织", sent_on=timezone.localdate() - dt.timedelta(days=3),
    )  # fmt: skip


def _proposal(world: World, target: str | None, *, consented: bool = False) -> None:
    assert target is not None
    cadre = world.leaders[target]
    now = timezone.now() if consented else None
    PartySecretaryAppointment.objects.create(
        cadre=cadre, village_code=cadre.team.village_id, reason="换届中村党组织书记没有合适人选。",
        cadre_consent_at=now, unit_consent_at=now,
    )  # fmt: skip


def _transfer_pk(world: World, target: str | None) -> int:
    return PartyTransfer.objects.get(cadre=world.leaders[target or ""]).pk


def _appointment_pk(world: World, target: str | None) -> int:
    return PartySecretaryAppointment.objects.get(cadre=world.leaders[target or ""]).pk


def acting(roles: set[str], ok: int, *, role_first: bool = False) -> Expect:
    """``roles`` may act on the target's row (the township and unit personas are A's own); others who
    see it are refused (403). ``role_first``: the role is checked before the object named in the body
    is looked up (a create), so a role that may not act is 403 whatever the target."""

    def expect(persona: str, target: str | None) -> int:
        assert target is not None
        if role_first and persona not in roles:
            return 403
        if target not in VISIBLE[persona]:
            return 404
        return ok if persona in roles else 403

    return expect


def _today() -> str:
    return f"{timezone.localdate()}"


MATRIX: dict[str, Case] = {
    "party-transfer-list": Case(
        "get",
        lambda w, t: reverse("party-transfer-list"),
        role_only(LISTERS),
        api=False,
        lists=lambda w, t: f'href="{reverse("cadre-detail", args=[w.leaders[t].pk])}"',
    ),
    "cadre-party-transfer": Case(
        "get", lambda w, t: reverse("cadre-party-transfer", args=[w.leaders[t or ""].pk]), scoped(READERS), api=False
    ),
    "cadre-party-secretary": Case(
        "get", lambda w, t: reverse("cadre-party-secretary", args=[w.leaders[t or ""].pk]), scoped(ALL), api=False
    ),
    "api:party-transfer-list": Case(
        "post",
        lambda w, t: reverse("api:party-transfer-list"),
        acting({"unit", "township"}, 201, role_first=True),
        data=lambda w, t: {
            "cadre": w.leaders[t or ""].pk,
            "from_organization": "原单位机关党委",
            "sent_on": f"{timezone.localdate() - dt.timedelta(days=2)}",
        },
    ),
    "api:party-transfer-detail": Case(
        "get",
        lambda w, t: reverse("api:party-transfer-detail", args=[_transfer_pk(w, t)]),
        scoped(READERS),
        setup=_transfer,
    ),
    "api:party-transfer-confirm": Case(
        "post",
        lambda w, t: reverse("api:party-transfer-confirm", args=[_transfer_pk(w, t)]),
        acting({"township"}, 200),
        setup=_transfer,
        data=lambda w, t: {"received_on": _today()},
    ),
    "api:party-transfer-pending": Case(
        "get",
        lambda w, t: reverse("api:party-transfer-pending"),
        role_only(LISTERS),
        lists=lambda w, t: f'"name":"{w.leaders[t].name}"',
    ),
    "api:party-secretary-list": Case(
        "post",
        lambda w, t: reverse("api:party-secretary-list"),
        acting({"township"}, 201, role_first=True),
        data=lambda w, t: {"cadre": w.leaders[t or ""].pk, "reason": "村“两委”换届中村党组织书记没有合适人选。"},
    ),
    "api:party-secretary-detail": Case(
        "get",
        lambda w, t: reverse("api:party-secretary-detail", args=[_appointment_pk(w, t)]),
        scoped(READERS),
        setup=_proposal,
    ),
    "api:party-secretary-consent": Case(
        "post",
        lambda w, t: reverse("api:party-secretary-consent", args=[_appointment_pk(w, t)]),
        acting({"cadre"}, 200),
        setup=_proposal,
        data=lambda w, t: {"party": "first_secretary"},
    ),
    "api:party-secretary-appoint": Case(
        "post",
        lambda w, t: reverse("api:party-secretary-appoint", args=[_appointment_pk(w, t)]),
        acting({"township"}, 200),
        setup=lambda w, t: _proposal(w, t, consented=True),
        data=lambda w, t: {"decided_on": _today()},
    ),
    "api:party-secretary-end": Case(
        "post",
        lambda w, t: reverse("api:party-secretary-end", args=[_appointment_pk(w, t)]),
        acting({"township"}, 200),
        setup=_proposal,
        data=lambda w, t: {"ended_on": _today(), "reason": "已选出村党组织书记"},
    ),
}

EXTRA: dict[str, Case] = {
    "api:party-transfer-list(read)": Case(
        "get",
        lambda w, t: reverse("api:party-transfer-list"),
        role_only(READERS),
        setup=_transfer,
        lists=lambda w, t: f'"cadre":{w.leaders[t].pk},',
    ),
    "api:party-secretary-list(read)": Case(
        "get",
        lambda w, t: reverse("api:party-secretary-list"),
        role_only(READERS),
        setup=_proposal,
        lists=lambda w, t: f'"cadre":{w.leaders[t].pk},',
    ),
    # the unit consents for its party group; the first secretary may not consent for it
    "api:party-secretary-consent(unit)": Case(
        "post",
        lambda w, t: reverse("api:party-secretary-consent", args=[_appointment_pk(w, t)]),
        acting({"unit"}, 200),
        setup=_proposal,
        data=lambda w, t: {"party": "unit", "note": "党组会议研究同意"},
    ),
}
