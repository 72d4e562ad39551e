"""Matrix entries of the assessment app's routes (pages and API): annual assessment, recall,
accountability, key training, exports. Recall cases are on target teams' members, so the cadre
persona (the leader of A) sees none of them; grading and deciding belong to the organization
department of the unit's level — the world's units are 甲县's, 丙县's and 丁县's, so only the county
persona (甲县) may grade or decide, for A and B."""

from __future__ import annotations

from collections.abc import Callable

from django.core.files.base import ContentFile
from django.urls import reverse

from assessment.models import ExportJob, RecallCase
from zhucun.testing.world import World

from .common import ORG, REGIONAL, VISIBLE, Case, role_only, scoped

YEAR = 2026
#: recall cases are about the target's member: the cadre persona (leader of A) sees none
CASE_VISIBLE = {**VISIBLE, "cadre": set()}
READERS = REGIONAL | {"unit"}


def _case(world: World, target: str | None) -> None:
    assert target is not None
    cadre = world.members[target]
    world.extra["case"] = RecallCase.objects.create(
        cadre=cadre, unit=cadre.unit, village_code=cadre.team.village_id, trigger="other", evidence="证据"
    )


def _consulted_case(world: World, target: str | None) -> None:
    from django.utils import timezone

    _case(world, target)
    RecallCase.objects.filter(pk=world.extra["case"].pk).update(consultation="同意", consulted_at=timezone.now())


def _job(world: World, target: str | None) -> None:
    job = ExportJob(user=world.personas["province"], year=YEAR, status="done", progress=100)
    job.file.save("matrix.xlsx", ContentFile(b"PK"), save=True)
    world.extra["job"] = job


def _case_url(name: str) -> Callable[[World, str | None], str]:
    return lambda w, t: reverse(name, args=[w.extra["case"].pk])


def _province_only(persona: str, target: str | None) -> int:
    return 200 if persona == "province" else 404


MATRIX: dict[str, Case] = {
    # --- pages -----------------------------------------------------------------------------
    "assessment-overview": Case(
        "get",
        lambda w, t: reverse("assessment-overview") + f"?year={YEAR}",
        role_only(ORG),
        api=False,
        per_target=False,
    ),
    "assessment-grid": Case(
        "get", lambda w, t: reverse("assessment-grid", args=[YEAR, "team"]), role_only(ORG), api=False, per_target=False
    ),
    "assessment-grid-check": Case(
        "post",
        lambda w, t: reverse("assessment-grid-check", args=[YEAR, "team"]),
        role_only(ORG),
        api=False,
        per_target=False,
    ),
    # finalizing an incomplete round is refused with a message on the overview (302 for the departments)
    "assessment-finalize": Case(
        "post",
        lambda w, t: reverse("assessment-finalize", args=[YEAR]),
        role_only(ORG, 302),
        api=False,
        per_target=False,
    ),
    "assessment-export": Case(
        "post", lambda w, t: reverse("assessment-export", args=[YEAR]), role_only(READERS), api=False, per_target=False
    ),
    "assessment-export-job": Case(
        "get",
        lambda w, t: reverse("assessment-export-job", args=[w.extra["job"].pk]),
        _province_only,
        api=False,
        per_target=False,
        setup=_job,
    ),
    "assessment-export-download": Case(
        "get",
        lambda w, t: reverse("assessment-export-download", args=[w.extra["job"].pk]),
        _province_only,
        api=False,
        per_target=False,
        setup=_job,
    ),
    "assessment-recall-list": Case(
        "get",
        lambda w, t: reverse("assessment-recall-list") + f"?search={w.members[t or ''].name}",
        lambda p, t: 403 if p == "cadre" else 200,
        api=False,
        setup=_case,
        lists=lambda w, t: reverse("assessment-recall-detail", args=[w.extra["case"].pk]),
        list_visible=CASE_VISIBLE,
    ),
    "assessment-recall-export": Case(
        "get",
        lambda w, t: reverse("assessment-recall-export") + f"?search={w.members[t or ''].name}",
        lambda p, t: 403 if p == "cadre" else 200,
        api=False,
        setup=_case,
    ),
    "assessment-recall-new": Case(
        "get", lambda w, t: reverse("assessment-recall-new"), role_only(ORG), api=False, per_target=False
    ),
    "assessment-recall-detail": Case(
        "get",
        _case_url("assessment-recall-detail"),
        scoped(READERS, CASE_VISIBLE),
        api=False,
        setup=_case,
    ),
    "assessment-recall-consult": Case(
        "post",
        _case_url("assessment-recall-consult"),
        scoped({"county", "unit"}, CASE_VISIBLE, ok=302),
        api=False,
        setup=_case,
        data=lambda w, t: {"opinion": "同意召回"},
    ),
    "assessment-recall-decide": Case(
        "post",
        _case_url("assessment-recall-decide"),
        scoped({"county"}, CASE_VISIBLE, ok=302),
        api=False,
        setup=_consulted_case,
        data=lambda w, t: {"decision": "dismissed", "reason": "经核实不属实"},
    ),
    "assessment-accountability": Case(
        "get", lambda w, t: reverse("assessment-accountability"), role_only(ORG), api=False, per_target=False
    ),
    "assessment-accountability-export": Case(
        "get",
        lambda w, t: reverse("assessment-accountability-export"),
        role_only(ORG),
        api=False,
        per_target=False,
    ),
    "assessment-key-training": Case(
        "get", lambda w, t: reverse("assessment-key-training"), role_only(ORG | {"unit"}), api=False, per_target=False
    ),
    "assessment-cadre-file": Case(
        "get",
        lambda w, t: reverse("assessment-cadre-file", args=[w.leaders[t or ""].pk]),
        scoped(ORG | {"unit"}),
        api=False,
    ),
    "assessment-key-training-add": Case(
        "post",
        lambda w, t: reverse("assessment-key-training-add", args=[w.leaders[t or ""].pk]),
        scoped(ORG | {"unit"}, ok=302),
        api=False,
        data=lambda w, t: {"year": YEAR, "reason": "实绩突出"},
    ),
    # --- API ---------------------------------------------------------------------------------
    "api:assessment-grade": Case(
        "get",
        lambda w, t: reverse("api:assessment-grade", args=[YEAR, "team", w.teams[t or ""].pk]),
        scoped(ORG | {"unit"}),
    ),
    "api:assessment-export": Case(
        "get", lambda w, t: reverse("api:assessment-export") + f"?year={YEAR}", role_only(READERS), per_target=False
    ),
    "api:recall-case-list": Case(
        "get",
        lambda w, t: reverse("api:recall-case-list") + f"?cadre={w.members[t or ''].pk}",
        # ?cadre= names a cadre in the caller's scope; any other is a 400 (decision 0060)
        lambda p, t: 403 if p == "cadre" else (200 if t in VISIBLE[p] else 400),
        setup=_case,
        lists=lambda w, t: f'"id":{w.extra["case"].pk},',
        list_visible=CASE_VISIBLE,
    ),
    "api:recall-case-detail": Case(
        "get", _case_url("api:recall-case-detail"), scoped(READERS, CASE_VISIBLE), setup=_case
    ),
    "api:recall-case-consult": Case(
        "post",
        _case_url("api:recall-case-consult"),
        scoped({"county", "unit"}, CASE_VISIBLE),
        setup=_case,
        data=lambda w, t: {"opinion": "同意召回"},
    ),
    "api:recall-case-decide": Case(
        "post",
        _case_url("api:recall-case-decide"),
        scoped({"county"}, CASE_VISIBLE),
        setup=_consulted_case,
        data=lambda w, t: {"decision": "recalled", "reason": "经核实属实"},
    ),
}

EXTRA: dict[str, Case] = {}
# The list route also takes manual cases (第二十条3–7): organization departments with the cadre in scope.
EXTRA["api:recall-case-list(open)"] = Case(
    "post",
    lambda w, t: reverse("api:recall-case-list"),
    lambda p, t: (201 if t in VISIBLE[p] else 400) if p in ORG else 403,
    data=lambda w, t: {"cadre": w.leaders[t or ""].pk, "trigger": "violation", "evidence": "纪检线索经核查属实"},
)


def _grade_team(persona: str, target: str | None) -> int:
    """PUT a team grade: only the assessing department of the team's unit (甲县 for A and B, whose
    units are 甲县's; 丙县 and 丁县 grade C and D) — others in scope get 403 (第二十一条)."""
    if target not in VISIBLE[persona]:
        return 404
    return 200 if persona == "county" and target in {"A", "B"} else 403


EXTRA["api:assessment-grade(put)"] = Case(
    "put",
    lambda w, t: reverse("api:assessment-grade", args=[YEAR, "team", w.teams[t or ""].pk]),
    _grade_team,
    data=lambda w, t: {"grade": "good"},
)


def _opinion(persona: str, target: str | None) -> int:
    """第十四条3: the stationing county gives its opinion on the teams stationed in it (A, B for 甲县);
    other roles in scope get 403."""
    if target not in VISIBLE[persona]:
        return 404
    return 201 if persona == "county" else 403


MATRIX["api:assessment-opinions"] = Case(
    "post",
    lambda w, t: reverse("api:assessment-opinions", args=[YEAR, "team", w.teams[t or ""].pk]),
    _opinion,
    data=lambda w, t: {"opinion": "工作扎实，群众满意", "suggested_grade": "good"},
)
EXTRA["api:assessment-opinions(read)"] = Case(
    "get",
    lambda w, t: reverse("api:assessment-opinions", args=[YEAR, "team", w.teams[t or ""].pk]),
    scoped(ORG | {"unit"}),
)
