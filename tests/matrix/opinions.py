"""Matrix entries of 双线考核 (第二十五条, issue 14): the team leader's yearly opinions on the county and the
dispatching unit. ``setup`` puts the target team's opinion on its county straight into the table. The
cadre persona is team A's leader: it gives A's opinions (B–D are not its team: the service refuses, 403);
organization departments and units read what they see (a unit: the opinions on itself)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from assessment.models import SupportOpinion
from cadres.models import Region
from zhucun.testing.world import World

from .common import ORG, VISIBLE, Case, role_only, scoped

READERS = ORG | {"unit", "cadre"}
#: a unit sees the opinions on itself — none on a county
OPINION_VISIBLE = {**VISIBLE, "unit": set()}


def _opinion(world: World, target: str | None) -> None:
    team = world.teams[target or ""]
    SupportOpinion.objects.create(
        year=timezone.localdate().year, team=team, village_code=team.village_id, body_type="county",
        county_code=Region.county_of(team.village_id), grade="good", score=85, opinion="保障有力",
    )  # fmt: skip


def _pk(world: World, target: str | None) -> int:
    return SupportOpinion.objects.get(team=world.teams[target or ""]).pk


MATRIX: dict[str, Case] = {
    "assessment-support-opinions": Case(
        "get",
        lambda w, t: reverse("assessment-support-opinions"),
        role_only(READERS),
        api=False,
        setup=_opinion,
        lists=lambda w, t: f'<td data-label="驻村工作队">{w.village_name(t)}</td>',
        list_visible={**OPINION_VISIBLE, "cadre": {"A"}},
    ),
    # the team is the leader's own (the body names no object): the cadre persona gives A's opinion
    "api:support-opinion-list": Case(
        "post",
        lambda w, t: reverse("api:support-opinion-list"),
        lambda persona, target: 201 if persona == "cadre" else 403,
        per_target=False,
        data=lambda w, t: {
            "year": timezone.localdate().year,
            "body_type": "unit",
            "unit": w.units["A"].pk,
            "grade": "good",
            "score": "88",
            "opinion": "支持有力",
        },
    ),
    "api:support-opinion-detail": Case(
        "get",
        lambda w, t: reverse("api:support-opinion-detail", args=[_pk(w, t)]),
        scoped(READERS, OPINION_VISIBLE),
        setup=_opinion,
    ),
    "api:support-opinion-summary": Case(
        "get",
        lambda w, t: reverse("api:support-opinion-summary") + f"?year={timezone.localdate().year}",
        role_only(READERS),
        setup=_opinion,
        lists=lambda w, t: f'"key":"{Region.county_of(w.village(t))}"',
        list_visible={**OPINION_VISIBLE, "cadre": {"A"}},
    ),
}

EXTRA: dict[str, Case] = {
    "api:support-opinion-list(read)": Case(
        "get",
        lambda w, t: reverse("api:support-opinion-list"),
        role_only(READERS),
        setup=_opinion,
        lists=lambda w, t: f'"village_code":"{w.village(t)}"',
        list_visible={**OPINION_VISIBLE, "cadre": {"A"}},
    ),
}
