"""记住本机 (issue 15 item 7, decision 0172): a cadre who ticks it stays signed in on that browser for
ZHUCUN_REMEMBER_DEVICE_DAYS, as a device the cadre and the organization department see and revoke —
revoking ends the session at once. Staff keep the short session. The check costs no query per request."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken
from accounts.receivers import REMEMBERED_DEVICE
from accounts.views import device_label
from zhucun.models import AuditEvent
from zhucun.testing.world import PASSWORD, World

PHONE = "Mozilla/5.0 (Linux; Android 13; V2227A) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36"


def _sign_in(username: str, *, remember: bool) -> Client:
    client = Client(HTTP_USER_AGENT=PHONE)
    data = {"username": username, "password": PASSWORD, **({"remember": "on"} if remember else {})}
    response = client.post(reverse("login"), data)
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def _signed_in(client: Client) -> bool:
    return client.get(reverse("my-devices")).status_code == 200


def test_a_cadre_who_ticks_remember_gets_a_long_session_bound_to_a_listed_device(world: World, settings: Any) -> None:
    settings.ZHUCUN_REMEMBER_DEVICE_DAYS = 30
    client = _sign_in("p_cadre", remember=True)
    session = client.session
    expiry = session.get_expiry_date()
    assert dt.timedelta(days=29, hours=23) < expiry - timezone.now() <= dt.timedelta(days=30)
    assert client.cookies[django_settings.SESSION_COOKIE_NAME]["max-age"] > 29 * 86400
    device = ApiToken.objects.get(user=world.personas["cadre"], kind="browser")
    assert device.session_key == session.session_key
    assert device.device == "Android 手机 · Chrome"
    assert session[REMEMBERED_DEVICE] == device.pk
    page = client.get(reverse("my-devices")).content.decode()
    assert 'data-testid="this-device"' in page and "Android 手机 · Chrome" in page
    assert AuditEvent.objects.filter(action="auth.device_remember", object_id=str(world.personas["cadre"].pk)).exists()


def test_without_the_tick_or_for_staff_the_session_stays_short(world: World, settings: Any) -> None:
    settings.SESSION_COOKIE_AGE = 8 * 3600
    plain = _sign_in("p_cadre", remember=False)
    assert plain.session.get_expiry_age() <= 8 * 3600
    staff = Client()
    response = staff.post(reverse("login"), {"username": "p_county", "password": PASSWORD, "remember": "on"})
    assert response.status_code == 302
    assert staff.session.get_expiry_date() - timezone.now() <= dt.timedelta(hours=8)
    assert not ApiToken.objects.filter(kind="browser").exists()
    assert "只适用于驻村干部账号" in staff.get(reverse("home")).content.decode()


def test_the_county_revokes_the_remembered_phone_and_its_session_ends_at_once(world: World) -> None:
    phone = _sign_in("p_cadre", remember=True)
    key = phone.session.session_key
    device = ApiToken.objects.get(kind="browser")
    county = Client()
    county.force_login(world.personas["county"])
    detail = county.get(reverse("account-detail", args=[world.personas["cadre"].pk])).content.decode()
    assert 'data-testid="remembered-browser"' in detail
    revoked = county.post(
        reverse("account-revoke-tokens", args=[world.personas["cadre"].pk]), {"token": str(device.pk)}
    )
    assert revoked.status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    answer = phone.get(reverse("attendance-today"))
    assert answer.status_code == 302 and answer["Location"].startswith(reverse("login"))


def test_the_cadre_signs_this_phone_out_from_the_devices_page(world: World) -> None:
    phone = _sign_in("p_cadre", remember=True)
    other = _sign_in("p_cadre", remember=True)  # a second phone
    devices = list(ApiToken.objects.filter(kind="browser").order_by("pk"))
    assert len(devices) == 2
    # The other phone first: this one stays signed in.
    assert phone.post(reverse("my-device-revoke"), {"token": str(devices[1].pk)}).status_code == 302
    assert _signed_in(phone) and not _signed_in(other)
    # Then this one: straight to the login page.
    response = phone.post(reverse("my-device-revoke"), {"token": str(devices[0].pk)})
    assert response["Location"] == reverse("login")
    assert not _signed_in(phone)
    assert AuditEvent.objects.filter(action="auth.device_revoke").count() == 2


def test_someone_elses_device_is_not_revoked(world: World) -> None:
    _sign_in("p_cadre", remember=True)
    device = ApiToken.objects.get(kind="browser")
    county = Client()
    county.force_login(world.personas["county"])
    response = county.post(reverse("my-device-revoke"), {"token": str(device.pk)}, follow=True)
    assert "该设备已注销或不存在" in response.content.decode()
    assert ApiToken.objects.filter(pk=device.pk).exists()


def test_logging_out_forgets_the_phone(world: World) -> None:
    phone = _sign_in("p_cadre", remember=True)
    phone.post(reverse("logout"))
    assert not ApiToken.objects.filter(kind="browser").exists()


def test_a_new_password_ends_other_phones_and_keeps_this_one_remembered(world: World) -> None:
    phone = _sign_in("p_cadre", remember=True)
    other = _sign_in("p_cadre", remember=True)
    changed = phone.post(reverse("password-change"), {"old_password": PASSWORD, "new_password": "Xin-mima-2027"})
    assert changed.status_code == 302
    assert _signed_in(phone) and not _signed_in(other)
    device = ApiToken.objects.get(kind="browser")
    assert device.session_key == phone.session.session_key
    assert phone.session.get_expiry_age() > 29 * 86400


def test_a_remembered_session_costs_no_query_per_request_and_checks_its_device_hourly(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    moment = [dt.datetime(2026, 6, 3, 9, 0, tzinfo=dt.UTC)]
    monkeypatch.setattr(timezone, "now", lambda: moment[0])
    remembered = _sign_in("p_cadre", remember=True)
    url = reverse("my-devices")
    remembered.get(url)
    with CaptureQueriesContext(connection) as within_the_hour:
        remembered.get(url)
    forgotten = Client(HTTP_USER_AGENT=PHONE)
    forgotten.force_login(world.personas["cadre"])
    forgotten.get(url)
    with CaptureQueriesContext(connection) as ordinary:
        forgotten.get(url)
    assert len(within_the_hour) == len(ordinary)
    moment[0] += dt.timedelta(minutes=61)
    with CaptureQueriesContext(connection) as hourly:
        remembered.get(url)
    # once an hour: the device UPDATE and the session save (UPDATE inside a savepoint)
    assert len(hourly) == len(ordinary) + 4
    # A device row deleted around the signal (a raw delete): the hourly check signs the session out.
    ApiToken.objects.filter(kind="browser")._raw_delete(using="default")
    moment[0] += dt.timedelta(minutes=61)
    assert remembered.get(url).status_code == 302


def test_device_names_come_from_the_user_agent() -> None:
    assert device_label(PHONE) == "Android 手机 · Chrome"
    assert device_label("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) MicroMessenger/8.0") == "iPhone · 微信"
    assert device_label("") == "未知设备 · 浏览器"
