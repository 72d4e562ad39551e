"""Issue 10 item 7: the audit viewer (操作记录) — the province sees every event, an organization
department the events of its subtree; filters by actor, action, object type, date range and region,
a search, the total, pagination, an xlsx of exactly the filtered rows (text stays text), the same
list as a read-only API, and bad filters refused by name rather than widened to everything."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.conftest import api_as
from zhucun.models import AuditEvent
from zhucun.testing.world import World
from zhucun.testing.xlsx import table_rows


@contextmanager
def _at(day: dt.date) -> Iterator[None]:
    moment = dt.datetime.combine(day, dt.time(10, 0), tzinfo=timezone.get_default_timezone())
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _event(world: World, target: str, *, actor: str = "county", action: str = "team.update",
           repr_: str = "", day: dt.date | None = None, object_type: str = "cadres.team") -> AuditEvent:  # fmt: skip
    team = world.teams[target]
    with _at(day or timezone.localdate()):
        return AuditEvent.objects.create(
            actor=world.personas[actor] if actor else None,
            action=action,
            object_type=object_type,
            object_id=str(team.pk),
            object_repr=repr_ or f"{team.village.name}工作队",
            region_code=team.village_id,
            before={"unit_id": 1},
            after={"unit_id": 2},
        )


@pytest.fixture
def events(world: World) -> dict[str, AuditEvent]:
    AuditEvent.objects.all()  # the world's account-creation events stay; the tests filter by action
    return {
        "A": _event(world, "A", repr_="甲村工作队"),
        "B": _event(world, "B", action="cadre.update", object_type="cadres.cadre", repr_="乙村干部"),
        "C": _event(world, "C", actor="city", day=dt.date(2026, 3, 1), repr_="丙村工作队"),
        "D": _event(world, "D", actor="province", repr_='=HYPERLINK("http://x")'),
    }


def _page(user: object, query: str = "") -> tuple[int, str]:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    response = client.get(reverse("audit-list") + query)
    return response.status_code, response.content.decode()


def _rows(user: object, query: str = "") -> list[tuple[object, ...]]:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    response = client.get(reverse("audit-list") + query + ("&" if query else "?") + "export=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    return table_rows(sheet)


def test_the_county_sees_the_events_of_its_subtree_only(world: World, events: dict[str, AuditEvent]) -> None:
    status, body = _page(world.personas["county"], "?object_type=cadres.team")
    assert status == 200
    assert "甲村工作队" in body and "丙村工作队" not in body
    assert 'data-testid="total-count">1<' in body


def test_the_province_sees_every_event(world: World, events: dict[str, AuditEvent]) -> None:
    status, body = _page(world.personas["province"], "?object_type=cadres.team")
    assert status == 200
    assert 'data-testid="total-count">3<' in body


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?actor=p_city", {"丙村工作队"}),
        ("?actor=P_CITY", {"丙村工作队"}),
        ("?action=cadre.", {"乙村干部"}),
        ("?object_type=cadres.cadre", {"乙村干部"}),
        ("?start=2026-02-28&end=2026-03-01", {"丙村工作队"}),
        ("?region=130104&object_type=cadres.team", {"丙村工作队"}),
        ("?search=乙村", {"乙村干部"}),
        ("?region=1302&actor=p_province", {'=HYPERLINK("http://x")'}),
    ],
)
def test_each_filter_narrows_the_list_and_its_export_alike(
    world: World, events: dict[str, AuditEvent], query: str, expected: set[str]
) -> None:
    province = world.personas["province"]
    exported = {row[6] for row in _rows(province, query) if row[3] != "export.xlsx"}
    assert exported == expected
    status, body = _page(province, query)
    assert status == 200
    assert f'data-testid="total-count">{len(expected)}<' in body


def test_the_export_keeps_a_formula_as_text(world: World, events: dict[str, AuditEvent]) -> None:
    client = Client()
    client.force_login(world.personas["province"])
    response = client.get(reverse("audit-list") + "?region=1302&actor=p_province&export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    cell = sheet.cell(row=3, column=7)
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s"


def test_the_export_is_itself_audited(world: World, events: dict[str, AuditEvent]) -> None:
    _rows(world.personas["county"], "?action=team")
    event = AuditEvent.objects.get(action="export.xlsx", object_type="zhucun.auditevent")
    assert event.actor == world.personas["county"]
    assert event.after is not None and event.after["filters"] == {"action": "team"} and event.after["rows"] == 1


def test_the_list_is_paginated_with_the_total(world: World) -> None:
    for n in range(60):
        _event(world, "A", repr_=f"批量{n:02d}")
    status, body = _page(world.personas["county"], "?search=批量")
    assert status == 200
    assert 'data-testid="total-count">60<' in body and "第 1 / 2 页" in body
    assert "批量59" in body and "批量00" not in body  # newest first
    _, second = _page(world.personas["county"], "?search=批量&page=2")
    assert "批量00" in second


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("?start=2026-13-01", "start", ""),
        ("?start=0001-01-01", "start", "起始日期应在 2015 年至 2100 年之间"),
        ("?end=9999-12-31", "end", "截止日期应在 2015 年至 2100 年之间"),
        ("?start=2026-03-02&end=2026-03-01", "end", "截止日期不能早于起始日期"),
        # a NUL in any parameter is refused before any view (tests/zhucun/test_bad_input.py)
        ("?region=abc", "region", "区划代码应为 2 至 12 位数字"),
    ],
)
def test_a_bad_filter_is_refused_by_name_and_nothing_is_shown_or_exported(
    world: World, events: dict[str, AuditEvent], query: str, field: str, message: str
) -> None:
    province = world.personas["province"]
    status, body = _page(province, query)
    assert status == 400
    assert 'data-testid="filter-errors"' in body and message in body
    assert 'data-testid="total-count">0<' in body
    client = Client()
    client.force_login(province)
    exported = client.get(reverse("audit-list") + query + "&export=xlsx")
    assert exported.status_code == 400 and "未导出" in exported.content.decode()
    api = api_as(province).get(reverse("api:audit-event-list") + query)
    assert api.status_code == 400 and field in api.json()


def test_the_api_lists_the_same_filtered_events(world: World, events: dict[str, AuditEvent]) -> None:
    response = api_as(world.personas["county"]).get(reverse("api:audit-event-list") + "?object_type=cadres.team")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    [item] = body["results"]
    assert item["object_repr"] == "甲村工作队"
    assert item["actor"] == {"id": world.personas["county"].pk, "username": "p_county"}
    assert (item["before"], item["after"]) == ({"unit_id": 1}, {"unit_id": 2})


def test_the_api_is_read_only(world: World, events: dict[str, AuditEvent]) -> None:
    client = api_as(world.personas["province"])
    url = reverse("api:audit-event-detail", args=[events["A"].pk])
    assert client.patch(url, {"action": "forged"}, format="json").status_code == 405
    assert client.delete(url).status_code == 405
    assert client.post(reverse("api:audit-event-list"), {"action": "forged"}, format="json").status_code == 405
    assert AuditEvent.objects.get(pk=events["A"].pk).action == "team.update"


def test_the_menu_offers_the_viewer_to_organization_departments_only(world: World) -> None:
    assert "操作记录" in _page(world.personas["county"])[1]
    client = Client()
    client.force_login(world.personas["township"])
    assert "操作记录" not in client.get(reverse("home")).content.decode()
