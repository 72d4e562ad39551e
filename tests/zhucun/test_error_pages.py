"""The site's error pages (issue 15 item 10): Chinese, with the navigation and a way back; the API
keeps its JSON errors; the 500 page needs neither the database nor the context processors."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import api_as
from zhucun import views
from zhucun.testing.world import World


def _page(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.personas[persona])
    return client


def test_a_403_page_says_why_in_chinese_with_the_menu_and_the_way_home(world: World) -> None:
    response = _page(world, "cadre").get(reverse("leave-register"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "403 Forbidden" not in html
    assert 'data-status="403"' in html
    assert 'aria-label="主菜单"' in html  # the navigation
    assert f'href="{reverse("home")}"' in html and "返回首页" in html


def test_a_404_page_is_chinese_and_never_shows_djangos_english_message(world: World) -> None:
    client = _page(world, "township")
    for path in ("/no-such-page/", reverse("leave-detail", args=[999_999])):
        response = client.get(path)
        assert response.status_code == 404, path
        html = response.content.decode()
        assert 'data-status="404"' in html, path
        assert "Not Found" not in html and "Resolver404" not in html and "matches the given query" not in html
        assert "返回首页" in html and 'aria-label="主菜单"' in html
    assert "未找到该请假申请" in client.get(reverse("leave-detail", args=[999_999])).content.decode()


def test_a_404_page_of_a_visitor_offers_the_login(db: None) -> None:
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert "未找到" in response.content.decode() and reverse("login") in response.content.decode()


def test_api_errors_stay_json(world: World) -> None:
    client = api_as(world.personas["township"])
    missing = client.get("/api/v1/no-such-endpoint/")
    assert missing.status_code == 404 and "detail" in missing.json()
    request = RequestFactory().get("/api/v1/leave-requests/")
    assert views.server_error(request).status_code == 500
    assert "系统出错" in views.server_error(request).content.decode()  # JsonResponse, ensure_ascii off
    assert views.server_error(request)["Content-Type"] == "application/json"
    assert views.permission_denied(request, PermissionError("您无权"))["Content-Type"] == "application/json"


@pytest.mark.django_db
def test_the_500_page_is_chinese_and_asks_nothing_of_the_database() -> None:
    request = RequestFactory().get("/leave/inbox/")
    with CaptureQueriesContext(connection) as queries:
        response = views.server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert "系统出错" in html and "返回首页" in html and "Server Error" not in html
    assert len(queries) == 0


def test_a_csrf_failure_is_explained_in_chinese(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.personas["county"])
    response = client.post(reverse("leave-bulk-approve"), {"ids": ["1"]})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()
