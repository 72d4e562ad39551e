"""The 节假日与调休 pages: provincial staff list a year's days, add, correct and delete them, and
publish the year; a missing year is a standing banner on their home page from October 1 (issue 11
item 3, decision 0085)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.test_query_counts import PINNED
from zhucun.models import AuditEvent, WorkCalendarDay, WorkCalendarYear
from zhucun.testing.world import World
from zhucun.workcalendar import SHANGHAI


def client_for(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.personas[persona])
    return client


@pytest.fixture
def on_day(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Set today's date (Shanghai, 09:00)."""

    def set_day(day: dt.date) -> None:
        moment = dt.datetime.combine(day, dt.time(9, 0), tzinfo=SHANGHAI)
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_day


def test_provincial_staff_enter_new_years_day_2027_and_publish_the_year(world: World) -> None:
    client = client_for(world, "province")
    response = client.post(
        reverse("work-calendar-year", args=[2027]), {"date": "2027-01-01", "kind": "holiday", "name": "元旦"}
    )
    assert response.status_code == 302
    page = client.get(reverse("work-calendar-year", args=[2027])).content.decode()
    assert "2027-01-01" in page and "元旦" in page and "未发布" in page

    response = client.post(
        reverse("work-calendar-publish", args=[2027]), {"action": "publish", "source": "国务院办公厅通知"}
    )
    assert response.status_code == 302
    assert WorkCalendarYear.objects.get(year=2027).published_at is not None
    assert "已发布" in client.get(reverse("work-calendar-year", args=[2027])).content.decode()


def test_a_bad_date_is_a_400_naming_the_field_and_nothing_is_written(world: World) -> None:
    client = client_for(world, "province")
    audits = AuditEvent.objects.count()
    response = client.post(
        reverse("work-calendar-year", args=[2027]), {"date": "明年元旦", "kind": "holiday", "name": "元旦"}
    )
    assert response.status_code == 400
    assert "请填写日期，格式如 2027-01-01。" in response.content.decode()
    assert AuditEvent.objects.count() == audits
    assert not WorkCalendarDay.objects.filter(date__year=2027).exists()


def test_a_day_is_corrected_and_deleted_from_its_page(world: World) -> None:
    client = client_for(world, "province")
    day = WorkCalendarDay.objects.get(date=dt.date(2026, 10, 7))
    assert client.get(reverse("work-calendar-day", args=[day.pk])).status_code == 200
    response = client.post(
        reverse("work-calendar-day", args=[day.pk]), {"date": "2026-10-07", "kind": "holiday", "name": "国庆节（更正）"}
    )
    assert response.status_code == 302
    day.refresh_from_db()
    assert day.name == "国庆节（更正）"
    assert client.post(reverse("work-calendar-day-delete", args=[day.pk])).status_code == 302
    assert not WorkCalendarDay.objects.filter(pk=day.pk).exists()
    assert AuditEvent.objects.filter(action__in=["calendar.day_change", "calendar.day_delete"]).count() == 2


def test_publishing_an_empty_year_is_refused_with_what_to_do(world: World) -> None:
    response = client_for(world, "province").post(
        reverse("work-calendar-publish", args=[2027]), {"action": "publish", "source": "国务院办公厅通知"}
    )
    assert response.status_code == 400
    assert "请先按国务院办公厅的通知录入放假和调休上班日期" in response.content.decode()


def test_other_roles_may_not_edit_the_table_and_nothing_is_written(world: World) -> None:
    for persona in ("city", "county", "township", "unit", "cadre"):
        response = client_for(world, persona).post(
            reverse("work-calendar-year", args=[2027]), {"date": "2027-01-01", "kind": "holiday", "name": "元旦"}
        )
        assert response.status_code == 403, persona
    assert not WorkCalendarDay.objects.filter(date__year=2027).exists()
    assert not AuditEvent.objects.filter(action__startswith="calendar.day").exists()


def test_the_menu_shows_the_page_to_provincial_staff_only(world: World) -> None:
    assert "节假日与调休" in client_for(world, "province").get(reverse("home")).content.decode()
    assert "节假日与调休" not in client_for(world, "county").get(reverse("home")).content.decode()


def test_the_home_page_warns_provincial_staff_from_october_while_next_years_table_is_missing(
    world: World, on_day: Any
) -> None:
    province, county = client_for(world, "province"), client_for(world, "county")
    on_day(dt.date(2026, 9, 30))
    assert 'data-testid="calendar-missing"' not in province.get(reverse("home")).content.decode()

    on_day(dt.date(2026, 10, 1))
    page = province.get(reverse("home")).content.decode()
    assert 'data-testid="calendar-missing"' in page
    assert "2027年节假日和调休安排尚未发布" in page and reverse("work-calendar-year", args=[2027]) in page
    assert 'data-testid="calendar-missing"' not in county.get(reverse("home")).content.decode()

    WorkCalendarDay.objects.create(date=dt.date(2027, 1, 1), kind="holiday", name="元旦")
    WorkCalendarYear.objects.create(year=2027, published_at=timezone.now(), source="国务院办公厅通知")
    assert 'data-testid="calendar-missing"' not in province.get(reverse("home")).content.decode()


def test_the_years_overview_shows_which_years_are_published(world: World, on_day: Any) -> None:
    on_day(dt.date(2026, 11, 30))
    page = client_for(world, "province").get(reverse("work-calendar")).content.decode()
    assert 'data-testid="calendar-year-2026"' in page and 'data-testid="calendar-year-2004"' in page
    row_2027 = page.split('data-testid="calendar-year-2027"')[1].split("</tr>")[0]
    assert "未录入" in row_2027
    row_2026 = page.split('data-testid="calendar-year-2026"')[1].split("</tr>")[0]
    assert "已发布" in row_2026


def _year_page_queries(client: Client, year: int) -> int:
    client.get(reverse("work-calendar-year", args=[year]))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("work-calendar-year", args=[year]))
    assert response.status_code == 200
    return len(queries)


def test_the_year_page_query_count_is_pinned_and_does_not_grow_with_days(world: World) -> None:
    client = client_for(world, "province")
    WorkCalendarDay.objects.filter(date__year=2026).exclude(date__month=10).delete()
    few = _year_page_queries(client, 2026)
    WorkCalendarDay.objects.bulk_create(
        [
            WorkCalendarDay(date=dt.date(2026, 1, 1) + dt.timedelta(days=i), kind="holiday", name=f"假日{i}")
            for i in range(200)
            if (dt.date(2026, 1, 1) + dt.timedelta(days=i)).month != 10
        ]
    )
    many = _year_page_queries(client, 2026)
    assert few == many
    assert many == PINNED["province"]["work-calendar-year"], many
