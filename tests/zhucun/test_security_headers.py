"""Issue 10 item 10: the Content-Security-Policy on every response, and no caching of anything a
signed-in person sees (browsers' back-button caches and shared proxies keep no personal data)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client, override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from zhucun.testing.world import World

pytestmark = pytest.mark.django_db


def _directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_every_page_carries_a_policy_without_inline_script_or_style(world: World) -> None:
    client = Client()
    client.force_login(world.personas["township"])
    for url in ("/accounts/login/", "/attendance/dashboard/", f"/public/villages/{world.village('A')}/", "/api/docs/"):
        header = client.get(url)["Content-Security-Policy"]
        policy = _directives(header)
        assert policy["default-src"] == ["'self'"], url
        assert policy["script-src"] == ["'self'"], url
        assert policy["style-src"] == ["'self'"], url
        assert policy["object-src"] == ["'none'"]
        assert policy["base-uri"] == ["'self'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["form-action"] == ["'self'"]
        assert set(policy["img-src"]) == {"'self'", "data:"}
        assert "unsafe-inline" not in header and "unsafe-eval" not in header


def test_swagger_ui_loads_its_init_script_as_a_file(world: World) -> None:
    client = Client()
    client.force_login(world.personas["province"])
    page = client.get("/api/docs/").content.decode()
    assert '<script src="/api/docs/?script="></script>' in page
    assert "<script>" not in page and "<style" not in page
    script = client.get("/api/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle(" in script.content


def _no_store(response: object) -> bool:
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}  # type: ignore[index]
    return {"no-store", "private"} <= cache_control and response["Pragma"] == "no-cache"  # type: ignore[index]


def test_pages_fragments_and_downloads_for_a_signed_in_official_are_not_stored(world: World) -> None:
    client = Client()
    client.force_login(world.personas["township"])
    for url in (
        "/",
        "/attendance/dashboard/",
        f"/cadres/{world.leaders['A'].pk}/",
        f"/attendance/dashboard/{world.township('A')}/register.xlsx",
        "/api/v1/cadres/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert _no_store(response), (url, response.get("Cache-Control"))


def test_api_answers_to_a_token_are_not_stored(world: World) -> None:
    token = Token.objects.create(user=world.personas["cadre"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.get("/api/v1/teams/")
    assert response.status_code == 200
    assert _no_store(response)
    refused = APIClient()
    refused.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert _no_store(refused.get("/api/v1/teams/"))  # even the refusal of a wrong token


@override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True)  # serve static/ as production does
def test_public_pages_and_static_files_stay_cacheable(world: World) -> None:
    public = Client().get(f"/public/villages/{world.village('A')}/")
    assert public.status_code == 200
    assert "no-store" not in public.get("Cache-Control", "")
    signed_in = Client()
    signed_in.force_login(world.personas["township"])
    static = signed_in.get(f"{settings.STATIC_URL}css/app.css")
    assert static.status_code == 200
    assert "no-store" not in static.get("Cache-Control", "")
