"""Matrix entries of the foundation: pages, accounts, roster import, reference API."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.urls import reverse

from zhucun.testing.roster import roster_bytes, roster_row
from zhucun.testing.world import PASSWORD, UNIT_NAMES, World

from .common import ACCOUNT_VISIBLE, ORG, REGIONAL, VISIBLE, Case, everyone, role_only, scoped


def import_outcome(persona: str, target: str | None) -> int:
    """Rows outside the caller's region are refused row by row (400); other roles may not import."""
    if persona not in ORG:
        return 403
    return 201 if target in VISIBLE[persona] else 400


def account_create_outcome(persona: str, target: str | None) -> int:
    if persona not in ORG:
        return 403
    return 201 if target in VISIBLE[persona] else 400


def _roster_for(world: World, target: str | None) -> dict[str, Any]:
    assert target is not None
    names = {"A": ("甲县", "甲一镇", "甲村"), "B": ("甲县", "甲二镇", "乙村"), "C": ("丙县", "丙一镇", "丙村")}
    names["D"] = ("丁县", "丁一镇", "丁村")
    county, township, village = names[target]
    row = roster_row(
        市="石家庄市" if target != "D" else "唐山市",
        县=county,
        乡镇=township,
        村=village,
        村代码=world.village(target),
        派出单位=UNIT_NAMES[target],
    )
    upload = io.BytesIO(roster_bytes([row]))
    upload.name = "roster.xlsx"
    return {"file": upload}


def _national_day_2026() -> int:
    """A seeded day of the holiday table (the table is province-wide, so there are no targets)."""
    from zhucun.models import WorkCalendarDay

    return WorkCalendarDay.objects.get(date=dt.date(2026, 10, 7)).pk


def _new_years_day_2027(world: World, target: str | None) -> None:
    from zhucun.models import WorkCalendarDay

    WorkCalendarDay.objects.create(date=dt.date(2027, 1, 1), kind="holiday", name="元旦")


#: the working calendar (节假日与调休, decision 0085): provincial staff only, as ``calendar.manage``
CALENDAR = {"province"}

MATRIX: dict[str, Case] = {
    # --- pages -----------------------------------------------------------------------------
    "notifications": Case("get", lambda w, t: reverse("notifications"), everyone(200), api=False, per_target=False),
    # --- messages that reach people (issue 15): one's own settings; the channels' health for the
    # system administrator only (tests/matrix/admins.py), no business role
    "notification-settings": Case(
        "get", lambda w, t: reverse("notification-settings"), everyone(200), api=False, per_target=False
    ),
    "delivery-status": Case(
        "get", lambda w, t: reverse("delivery-status"), role_only(set()), api=False, per_target=False
    ),
    "api:notification-preferences": Case(
        "get", lambda w, t: reverse("api:notification-preferences"), everyone(200), per_target=False
    ),
    "home": Case(
        "get",
        lambda w, t: reverse("home"),
        lambda p, t: 302 if p == "cadre" else 200,  # a cadre's home is the day's page
        api=False,
        per_target=False,
    ),
    "healthz": Case("get", lambda w, t: reverse("healthz"), everyone(200), api=False, per_target=False, anonymous=200),
    "login": Case("get", lambda w, t: reverse("login"), everyone(302), api=False, per_target=False, anonymous=200),
    "logout": Case("post", lambda w, t: reverse("logout"), everyone(302), api=False, per_target=False, anonymous=302),
    "account-list": Case(
        "get",
        lambda w, t: reverse("account-list") + f"?search={w.township_accounts[t or ''].username}",
        role_only(ORG),
        api=False,
        lists=lambda w, t: f">{w.township_accounts[t].username}<",
        list_visible=ACCOUNT_VISIBLE,
    ),
    "account-create": Case(
        "post",
        lambda w, t: reverse("account-create"),
        lambda p, t: (302 if t in VISIBLE[p] else 200) if p in ORG else 403,  # out of scope: the form, with its error
        api=False,
        data=lambda w, t: {
            "username": "page_new",
            "password": PASSWORD,
            "role": "township",
            "scope": w.township(t or ""),
        },
    ),
    "region-tree": Case("get", lambda w, t: reverse("region-tree"), role_only(REGIONAL), api=False, per_target=False),
    "region-detail": Case(
        "get", lambda w, t: reverse("region-detail", args=[w.township(t or "")]), scoped(REGIONAL), api=False
    ),
    "team-list": Case(
        "get",
        lambda w, t: reverse("team-list") + f"?search={w.village_name(t or '')}",
        everyone(200),
        api=False,
        lists=lambda w, t: reverse("team-detail", args=[w.teams[t].pk]),
    ),
    "team-detail": Case("get", lambda w, t: reverse("team-detail", args=[w.teams[t or ""].pk]), scoped(), api=False),
    "cadre-list": Case(
        "get",
        lambda w, t: reverse("cadre-list") + f"?search={w.village_name(t or '')}",
        everyone(200),
        api=False,
        lists=lambda w, t: reverse("cadre-detail", args=[w.leaders[t].pk]),
    ),
    "cadre-detail": Case(
        "get", lambda w, t: reverse("cadre-detail", args=[w.leaders[t or ""].pk]), scoped(), api=False
    ),
    # 身份证号 in full: the county office only, by an audited POST (decision 0062)
    "cadre-reveal-id-number": Case(
        "post",
        lambda w, t: reverse("cadre-reveal-id-number", args=[w.leaders[t or ""].pk]),
        scoped({"county"}),
        api=False,
    ),
    "cadre-export-id-numbers": Case(
        "post",
        lambda w, t: reverse("cadre-export-id-numbers") + "?status=active",
        role_only({"county"}),
        api=False,
        per_target=False,
    ),
    "roster-import-page": Case(
        "get", lambda w, t: reverse("roster-import-page"), role_only(ORG), api=False, per_target=False
    ),
    "roster-template-download": Case(
        "get", lambda w, t: reverse("roster-template-download"), role_only(ORG), api=False, per_target=False
    ),
    "schema": Case("get", lambda w, t: reverse("schema"), everyone(200), per_target=False, anonymous=200),
    "api-docs": Case(
        "get", lambda w, t: reverse("api-docs"), everyone(200), api=False, per_target=False, anonymous=200
    ),
    "admin": Case(
        "get", lambda w, t: reverse("admin:index"), everyone(302), api=False, per_target=False, anonymous=302
    ),
    # --- the working calendar ----------------------------------------------------------------
    "work-calendar": Case(
        "get", lambda w, t: reverse("work-calendar"), role_only(CALENDAR), api=False, per_target=False
    ),
    "work-calendar-year": Case(
        "post",
        lambda w, t: reverse("work-calendar-year", args=[2027]),
        role_only(CALENDAR, ok=302),
        api=False,
        per_target=False,
        data=lambda w, t: {"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
    ),
    "work-calendar-day": Case(
        "post",
        lambda w, t: reverse("work-calendar-day", args=[_national_day_2026()]),
        role_only(CALENDAR, ok=302),
        api=False,
        per_target=False,
        data=lambda w, t: {"date": "2026-10-07", "kind": "holiday", "name": "国庆节"},
    ),
    "work-calendar-day-delete": Case(
        "post",
        lambda w, t: reverse("work-calendar-day-delete", args=[_national_day_2026()]),
        role_only(CALENDAR, ok=302),
        api=False,
        per_target=False,
    ),
    "work-calendar-publish": Case(
        "post",
        lambda w, t: reverse("work-calendar-publish", args=[2027]),
        role_only(CALENDAR, ok=302),
        api=False,
        per_target=False,
        setup=_new_years_day_2027,
        data=lambda w, t: {"action": "publish", "source": "国务院办公厅关于2027年部分节假日安排的通知"},
    ),
    # --- API ---------------------------------------------------------------------------------
    "api:auth-token": Case(
        "post", lambda w, t: reverse("api:auth-token"), everyone(200), per_target=False, anonymous=400
    ),
    "api:roster-import-template": Case(
        "get", lambda w, t: reverse("api:roster-import-template"), role_only(ORG), per_target=False
    ),
    "api:roster-import": Case(
        "post", lambda w, t: reverse("api:roster-import"), import_outcome, data=_roster_for, multipart=True
    ),
    "api:account-list": Case(
        "post",
        lambda w, t: reverse("api:account-list"),
        account_create_outcome,
        data=lambda w, t: {
            "username": "new_user",
            "password": PASSWORD,
            "role": "township",
            "scope": w.township(t or ""),
        },
    ),
    "api:account-detail": Case(
        "get",
        lambda w, t: reverse("api:account-detail", args=[w.township_accounts[t or ""].pk]),
        scoped(ORG, ACCOUNT_VISIBLE),
    ),
    "api:region-list": Case(
        "get",
        lambda w, t: reverse("api:region-list") + f"?parent={w.township(t or '')}",
        everyone(200),
        lists=lambda w, t: f'"code":"{w.village(t)}"',
    ),
    "api:region-detail": Case("get", lambda w, t: reverse("api:region-detail", args=[w.village(t or "")]), scoped()),
    "api:team-list": Case(
        "get",
        lambda w, t: reverse("api:team-list") + f"?region={w.village(t or '')}",
        everyone(200),
        lists=lambda w, t: f'"code":"{w.village(t)}"',
    ),
    "api:team-detail": Case("get", lambda w, t: reverse("api:team-detail", args=[w.teams[t or ""].pk]), scoped()),
    "api:cadre-list": Case(
        "get",
        lambda w, t: reverse("api:cadre-list") + f"?region={w.village(t or '')}",
        everyone(200),
        lists=lambda w, t: f'"id":{w.leaders[t].pk},',
    ),
    "api:cadre-detail": Case("get", lambda w, t: reverse("api:cadre-detail", args=[w.leaders[t or ""].pk]), scoped()),
    "api:cadre-reveal-id-number": Case(
        "post",
        lambda w, t: reverse("api:cadre-reveal-id-number", args=[w.leaders[t or ""].pk]),
        scoped({"county"}),
    ),
}

#: The account list is also read (GET) by org roles only; the POST above covers creation.
EXTRA: dict[str, Case] = {}
EXTRA["notification-settings(post)"] = Case(
    "post",
    lambda w, t: reverse("notification-settings"),
    everyone(302),
    api=False,
    per_target=False,
    data=lambda w, t: {"digest": "1", "quiet_enabled": "on", "quiet_start": "22:00", "quiet_end": "07:00"},
)
EXTRA["api:notification-preferences(put)"] = Case(
    "put",
    lambda w, t: reverse("api:notification-preferences"),
    everyone(200),
    per_target=False,
    data=lambda w, t: {"channels": [], "digest": True, "quiet_enabled": False},
)
EXTRA["api:account-list(read)"] = Case(
    "get",
    lambda w, t: reverse("api:account-list") + "?page_size=200",
    role_only(ORG),
    lists=lambda w, t: f'"username":"{w.township_accounts[t].username}"',
    list_visible=ACCOUNT_VISIBLE,
)
EXTRA["work-calendar-year(read)"] = Case(
    "get", lambda w, t: reverse("work-calendar-year", args=[2027]), role_only(CALENDAR), api=False, per_target=False
)
EXTRA["work-calendar-day(read)"] = Case(
    "get",
    lambda w, t: reverse("work-calendar-day", args=[_national_day_2026()]),
    role_only(CALENDAR),
    api=False,
    per_target=False,
)
