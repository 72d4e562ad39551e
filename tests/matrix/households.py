"""Matrix entries of households and visits (issue 14, 第六条7–8).

``setup`` registers a household in the target's village (poor, so that a visit needs the income and
the 三保障) and, where the route needs one, a visit by the target's leader — straight to the tables.
Who may do what:

* the township and the county register and import a village's households (API.md);
* a cadre of the village's team records visits (the cadre persona leads A);
* everyone who sees the village reads its households and visits; out of scope is 404.
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from attendance.models import WorkLog
from households.models import Household, Visit
from households.testing import households_xlsx
from zhucun.testing.world import World

from .common import ALL, REGIONAL, VISIBLE, Case, everyone, role_only, scoped

REGISTRARS = {"county", "township"}


def _household(world: World, target: str | None) -> Household:
    assert target is not None
    village = world.village(target)
    household = Household.objects.filter(village_code=village).first()
    if household is None:
        household = Household.objects.create(village_code=village, head_name=f"户主{target}", kind="poor")
    return household


def _setup_household(world: World, target: str | None) -> None:
    _household(world, target)


def _setup_visit(world: World, target: str | None) -> None:
    assert target is not None
    household = _household(world, target)
    cadre = world.leaders[target]
    today = timezone.localdate()
    log = WorkLog.objects.create(team=cadre.team, village_code=household.village_code, author=cadre, date=today)
    Visit.objects.create(
        household=household, village_code=household.village_code, cadre=cadre, work_log=log, date=today,
        household_kind="poor", note=f"走访{target}", monthly_income="1200", education_ok=True, health_ok=True,
        housing_ok=True,
    )  # fmt: skip


def _import_file(world: World, target: str | None) -> SimpleUploadedFile:
    assert target is not None
    data = households_xlsx([[world.village(target), world.village_name(target), "导入户", "", "贫困户", "是", ""]])
    return SimpleUploadedFile("农户名单.xlsx", data)


def _household_pk(world: World, target: str | None) -> int:
    return _household(world, target).pk


def _visit_pk(world: World, target: str | None) -> int:
    assert target is not None
    return Visit.objects.get(village_code=world.village(target)).pk


def _visit_body(world: World, target: str | None) -> dict[str, object]:
    return {
        "household": _household_pk(world, target),
        "date": timezone.localdate().isoformat(),
        "note": "了解春耕准备",
        "monthly_income": "1500",
        "three_guarantees": {"education": True, "health": True, "housing": True},
    }


MATRIX: dict[str, Case] = {
    # --- pages -------------------------------------------------------------------------------
    "households-visit-new": Case(
        "get", lambda w, t: reverse("households-visit-new"), role_only({"cadre"}), api=False, per_target=False
    ),
    "households-overview": Case(
        "get",
        lambda w, t: reverse("households-overview"),
        lambda persona, target: 302 if persona in REGIONAL | {"cadre"} else 403,
        api=False,
        per_target=False,
    ),
    "households-region": Case(
        "get",
        lambda w, t: reverse("households-region", args=[w.township(t or "")]),
        scoped(REGIONAL),
        api=False,
        setup=_setup_household,
        lists=lambda w, t: f"户主{t}",
        list_visible={**VISIBLE, "unit": set(), "cadre": set()},
    ),
    "households-new": Case(
        "post",
        lambda w, t: reverse("households-new", args=[w.village(t or "")]),
        scoped(REGISTRARS, ok=302),
        api=False,
        data=lambda w, t: {"head_name": "页面登记户", "kind": "poor", "resident": "yes"},
    ),
    "households-import": Case(
        "get", lambda w, t: reverse("households-import"), role_only(REGISTRARS), api=False, per_target=False
    ),
    "households-import-template": Case(
        "get", lambda w, t: reverse("households-import-template"), role_only(REGISTRARS), api=False, per_target=False
    ),
    # --- API ---------------------------------------------------------------------------------
    "api:household-list": Case(
        "post",
        lambda w, t: reverse("api:household-list"),
        scoped(REGISTRARS, ok=201),
        data=lambda w, t: {"village": w.village(t or ""), "head_name": "新登记户", "kind": "poor", "resident": True},
    ),
    "api:household-detail": Case(
        "get",
        lambda w, t: reverse("api:household-detail", args=[_household_pk(w, t)]),
        scoped(ALL),
        setup=_setup_household,
    ),
    "api:visit-list": Case(
        "post",
        lambda w, t: reverse("api:visit-list"),
        scoped({"cadre"}, ok=201),
        setup=_setup_household,
        data=_visit_body,
    ),
    "api:household-import-template": Case(
        "get", lambda w, t: reverse("api:household-import-template"), role_only(REGISTRARS), per_target=False
    ),
    "api:household-import": Case(
        "post",
        lambda w, t: reverse("api:household-import"),
        scoped(REGISTRARS, ok=201),
        multipart=True,
        data=lambda w, t: {"region": w.township(t or ""), "file": _import_file(w, t)},
    ),
    "api:visit-detail": Case(
        "get", lambda w, t: reverse("api:visit-detail", args=[_visit_pk(w, t)]), scoped(ALL), setup=_setup_visit
    ),
}

EXTRA: dict[str, Case] = {
    "api:household-list(read)": Case(
        "get",
        lambda w, t: reverse("api:household-list") + "?page_size=200",
        everyone(200),
        setup=_setup_household,
        lists=lambda w, t: f'"head_name":"户主{t}"',
    ),
    "api:household-list(due)": Case(
        "get",
        lambda w, t: reverse("api:household-list") + f"?village={w.village(t or '')}&due=true",
        everyone(200),
        setup=_setup_household,
        lists=lambda w, t: f'"head_name":"户主{t}"',
    ),
    "api:household-detail(patch)": Case(
        "patch",
        lambda w, t: reverse("api:household-detail", args=[_household_pk(w, t)]),
        scoped(REGISTRARS),
        data=lambda w, t: {"kind": "non_poor"},
    ),
    "households-region(village)": Case(
        "get",
        lambda w, t: reverse("households-region", args=[w.village(t or "")]),
        scoped(ALL),
        api=False,
        setup=_setup_household,
        lists=lambda w, t: f"户主{t}",
    ),
    "households-region(export)": Case(
        "get",
        lambda w, t: reverse("households-region", args=[w.township(t or "")]) + "?export=xlsx",
        scoped(REGIONAL),
        api=False,
        setup=_setup_household,
    ),
    "api:visit-list(read)": Case(
        "get",
        lambda w, t: reverse("api:visit-list") + "?page_size=200",
        everyone(200),
        setup=_setup_visit,
        lists=lambda w, t: f'"note":"走访{t}"',
    ),
}
