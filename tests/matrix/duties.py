"""Matrix entries of the duties calendar (pages and API, issue 13).

Each cell's ``setup`` gives the target's dispatching unit last year's obligations, written straight to
the tables: 第九条6 (open, the one fulfilled), 第九条2 (overdue: accountability), 第九条4 (the drafted
report, open) and a filed 第九条4 report with a piece of evidence. A unit's obligations are keyed by
its department's region (甲县 for A and B, 丙县 for C, 丁县 for D): the township sees none of them, the
unit persona its own (A). Only the body fulfils: the unit persona for A; everyone else in scope 403.
The township's own obligation (EXTRA) is fulfilled by the township persona."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from duties.catalogue import CATALOGUE, unit_region_code
from duties.models import Evidence, Obligation, Report
from duties.reports import facts_for
from zhucun.testing.world import World

from .common import ORG, REGIONAL, VISIBLE, Case, Expect, role_only, scoped

#: who sees a target unit's obligations (their department's region, the unit itself)
DUTY_VISIBLE = {
    "province": {"A", "B", "C", "D"},
    "city": {"A", "B", "C"},
    "county": {"A", "B"},
    "township": set(),
    "unit": {"A"},
    "cadre": set(),
    "anonymous": set(),
}
READERS = REGIONAL | {"unit"}
#: who sees a target township's obligations (regional roles by prefix; no unit, no cadre)
TOWNSHIP_VISIBLE = {**VISIBLE, "unit": set(), "cadre": set()}


def _year() -> int:
    return timezone.localdate().year - 1


def _make(world: World, target: str, duty: str, period: str, status: str) -> Obligation:
    unit = world.units[target]
    year = _year()
    quarter = period.endswith("Q1")
    half = period.endswith("H1")
    end = dt.date(year, 3, 31) if quarter else dt.date(year, 6, 30) if half else dt.date(year, 12, 31)
    return Obligation.objects.create(
        duty=duty, article=CATALOGUE[duty].article, body_type="unit", unit=unit,
        region_code=unit_region_code(unit.level, unit.region_id), body_key=str(unit.pk), body_name=unit.name,
        year=year, period=f"{year}{period}", period_label=f"{year}{period}", period_start=dt.date(year, 1, 1),
        period_end=end, due=end + dt.timedelta(days=15 if half else 0), status=status,
    )  # fmt: skip


def _setup(world: World, target: str | None) -> None:
    assert target is not None
    _make(world, target, "unit_benefits", "", "open")
    _make(world, target, "unit_quarterly_study", "-Q1", "overdue")
    _make(world, target, "unit_halfyear_report", "-H1", "open")
    filed = _make(world, target, "unit_halfyear_report", "-H2", "done")
    Report.objects.create(
        obligation=filed, region_code=filed.region_code, title=f"报告{target}", facts=facts_for(filed),
        narrative="正文", filed_on=dt.date(_year(), 12, 20),
    )  # fmt: skip
    Evidence.objects.create(
        obligation=filed, region_code=filed.region_code, kind="image", file=ContentFile(b"\xff\xd8\xff", name="e.jpg"),
        size=3, sha256="0" * 64, original_name="纪要.jpg",
    )  # fmt: skip


def _pk(duty: str, done: bool = False):  # type: ignore[no-untyped-def]
    def pk(world: World, target: str | None) -> int:
        assert target is not None
        rows = Obligation.objects.filter(unit=world.units[target], duty=duty)
        return rows.filter(status="done").get().pk if done else rows.exclude(status="done").get().pk

    return pk


_benefits, _study, _draft = _pk("unit_benefits"), _pk("unit_quarterly_study"), _pk("unit_halfyear_report")
_filed = _pk("unit_halfyear_report", done=True)


def _evidence(world: World, target: str | None) -> int:
    assert target is not None
    return Evidence.objects.get(obligation__unit=world.units[target]).pk


def body_only(ok: int, *, body: str = "unit", visible: dict[str, set[str]] = DUTY_VISIBLE) -> Expect:
    """Only the body (the persona ``body``, whose own is target A's) — everyone else in scope 403."""

    def expect(persona: str, target: str | None) -> int:
        assert target is not None
        if target not in visible[persona]:
            return 404
        return ok if persona == body and target == "A" else 403

    return expect


def _township_obligation(world: World, target: str | None) -> None:
    assert target is not None
    code, year = world.township(target), _year()
    Obligation.objects.create(
        duty="township_first_secretary_meeting", article="第十五条3", body_type="township", region_code=code,
        body_key=code, body_name=f"{code}党委、政府", year=year, period=f"{year}-Q4", period_label=f"{year}年第四季度",
        period_start=dt.date(year, 10, 1), period_end=dt.date(year, 12, 31), due=dt.date(year, 12, 31),
        status="overdue",
    )  # fmt: skip


def _township_pk(world: World, target: str | None) -> int:
    assert target is not None
    return Obligation.objects.get(body_key=world.township(target)).pk


def _fulfil_data(world: World, target: str | None) -> dict[str, str]:
    return {"date": f"{_year()}-03-15", "note": "党组会研究落实待遇"}


MATRIX: dict[str, Case] = {
    # --- pages -------------------------------------------------------------------------------
    "duties-mine": Case("get", lambda w, t: reverse("duties-mine"), role_only(READERS), api=False, per_target=False),
    "duties-compliance": Case(
        "get",
        lambda w, t: reverse("duties-compliance"),
        role_only(ORG),
        api=False,
        setup=_setup,
        lists=lambda w, t: w.units[t].name,
        list_visible=DUTY_VISIBLE,
    ),
    "duties-detail": Case(
        "get",
        lambda w, t: reverse("duties-detail", args=[_benefits(w, t)]),
        scoped(READERS, DUTY_VISIBLE),
        api=False,
        setup=_setup,
    ),
    "duties-fulfil": Case(
        "post",
        lambda w, t: reverse("duties-fulfil", args=[_benefits(w, t)]),
        body_only(302),
        api=False,
        setup=_setup,
        data=_fulfil_data,
    ),
    "duties-report": Case(
        "get", lambda w, t: reverse("duties-report", args=[_draft(w, t)]), body_only(200), api=False, setup=_setup
    ),
    "duties-report-docx": Case(
        "get",
        lambda w, t: reverse("duties-report-docx", args=[_filed(w, t)]),
        scoped(READERS, DUTY_VISIBLE),
        api=False,
        setup=_setup,
    ),
    "duties-accountability": Case(
        "get",
        lambda w, t: reverse("duties-accountability", args=[_study(w, t)]),
        scoped(ORG, DUTY_VISIBLE),
        api=False,
        setup=_setup,
    ),
    "duties-evidence": Case(
        "get",
        lambda w, t: reverse("duties-evidence", args=[_evidence(w, t)]),
        scoped(READERS, DUTY_VISIBLE),
        api=False,
        setup=_setup,
    ),
    # --- API ---------------------------------------------------------------------------------
    "api:duty-list": Case(
        "get",
        lambda w, t: reverse("api:duty-list") + f"?year={_year()}&page_size=200",
        role_only(READERS),
        setup=_setup,
        lists=lambda w, t: f'"body_name":"{w.units[t].name}"',
        list_visible=DUTY_VISIBLE,
    ),
    "api:duty-detail": Case(
        "get",
        lambda w, t: reverse("api:duty-detail", args=[_benefits(w, t)]),
        scoped(READERS, DUTY_VISIBLE),
        setup=_setup,
    ),
    "api:duty-fulfil": Case(
        "post",
        lambda w, t: reverse("api:duty-fulfil", args=[_benefits(w, t)]),
        body_only(200),
        setup=_setup,
        data=_fulfil_data,
    ),
}

EXTRA: dict[str, Case] = {
    "api:duty-fulfil(township)": Case(
        "post",
        lambda w, t: reverse("api:duty-fulfil", args=[_township_pk(w, t)]),
        body_only(200, body="township", visible=TOWNSHIP_VISIBLE),
        setup=_township_obligation,
        data=lambda w, t: {"date": f"{_year()}-11-20", "note": "召开第一书记工作会议"},
    ),
    "duties-report(post)": Case(
        "post",
        lambda w, t: reverse("duties-report", args=[_draft(w, t)]),
        body_only(302),
        api=False,
        setup=_setup,
        data=lambda w, t: {"narrative": "上半年工作情况", "date": f"{_year()}-07-05"},
    ),
    "duties-accountability(post)": Case(
        "post",
        lambda w, t: reverse("duties-accountability", args=[_study(w, t)]),
        scoped(ORG, DUTY_VISIBLE, ok=302),
        api=False,
        setup=_setup,
        data=lambda w, t: {
            "measure": "inquiry",
            "failed_duty": "未研究",
            "facts": "逾期",
            "decided_on": f"{timezone.localdate():%Y-%m-%d}",
        },
    ),
}
