"""Lockout (issue 10 item 2, decision 0045): AXES_FAILURE_LIMIT wrong passwords lock the account —
on the login form, the token API and the admin — keyed on the canonical username, not the address;
the lock ends after AXES_COOLOFF_TIME or when an organization department unlocks it; every login and
failed login is an audit event with the client's address, and never the password."""

from __future__ import annotations

import datetime as dt

from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from zhucun.models import AuditEvent
from zhucun.testing.world import PASSWORD, World

WRONG = "Wrong-pass-0000"


def _api_login(username: str, password: str, ip: str = "10.1.1.1") -> object:
    return APIClient().post(
        reverse("api:auth-token"), {"username": username, "password": password}, format="json", REMOTE_ADDR=ip
    )


def _form_login(client: Client, username: str, password: str, ip: str = "10.1.1.1") -> object:
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_thirty_wrong_passwords_on_the_token_api_lock_the_account_and_the_right_one_is_refused(world: World) -> None:
    for _ in range(30):
        assert _api_login("p_cadre", WRONG).status_code in (400, 429)  # type: ignore[attr-defined]
    response = _api_login("p_cadre", PASSWORD)
    assert response.status_code == 429, response.content  # type: ignore[attr-defined]
    detail = response.json()["detail"]  # type: ignore[attr-defined]
    assert "锁定" in detail and "组织部门" in detail and "后自动解锁" in detail
    assert int(response["Retry-After"]) > 0  # type: ignore[index]
    assert "token" not in response.json()  # type: ignore[attr-defined]


def test_the_tenth_failure_locks_and_the_ninth_does_not(world: World) -> None:
    for _ in range(9):
        assert _api_login("p_cadre", WRONG).status_code == 400  # type: ignore[attr-defined]
    assert _api_login("p_cadre", PASSWORD).status_code == 200  # type: ignore[attr-defined]
    for _ in range(10):
        _api_login("p_cadre", WRONG)
    assert _api_login("p_cadre", PASSWORD).status_code == 429  # type: ignore[attr-defined]


def test_thirty_wrong_passwords_on_the_login_form_lock_the_account(world: World) -> None:
    client = Client()
    for _ in range(30):
        _form_login(client, "p_county", WRONG)
    response = _form_login(client, "p_county", PASSWORD)
    assert response.status_code == 429  # type: ignore[attr-defined]
    page = response.content.decode()  # type: ignore[attr-defined]
    assert "已被锁定" in page and "组织部门" in page
    assert client.get(reverse("account-list")).status_code == 302  # not logged in


def test_the_admin_login_is_locked_too(world: World) -> None:
    User.objects.create_superuser("operator", password=PASSWORD)
    client = Client()
    url = reverse("admin:login")
    for _ in range(10):
        client.post(url, {"username": "operator", "password": WRONG, "next": "/"})
    response = client.post(url, {"username": "operator", "password": PASSWORD, "next": "/"})
    assert response.status_code == 429
    assert "已被锁定" in response.content.decode()
    assert AuditEvent.objects.filter(action="auth.login_failed", after__channel="admin").count() >= 10


def test_failures_from_many_addresses_add_up_and_other_accounts_at_that_address_are_not_locked(world: World) -> None:
    """Cadres of a village share one address: the lock follows the username, not the IP."""
    for i in range(10):
        _api_login("p_cadre", WRONG, ip=f"10.0.0.{i}")
    assert _api_login("p_cadre", PASSWORD, ip="10.0.0.99").status_code == 429  # type: ignore[attr-defined]
    assert _api_login("p_township", PASSWORD, ip="10.0.0.1").status_code == 200  # type: ignore[attr-defined]


def test_failures_under_other_spellings_of_the_username_count_for_the_same_account(world: World) -> None:
    for spelling in ("P_CADRE", "p_cadre", "Ｐ＿ＣＡＤＲＥ", "P_Cadre", "p_CADRE") * 2:
        _api_login(spelling, WRONG)
    assert _api_login("p_cadre", PASSWORD).status_code == 429  # type: ignore[attr-defined]


def test_the_lock_ends_after_the_cool_off_period(world: World) -> None:
    for _ in range(10):
        _api_login("p_cadre", WRONG)
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert _api_login("p_cadre", PASSWORD).status_code == 200  # type: ignore[attr-defined]


def test_the_county_sees_the_lock_and_unlocks_the_account(world: World) -> None:
    for _ in range(10):
        _api_login("p_cadre", WRONG)
    county = Client()
    county.force_login(world.personas["county"])
    account = world.personas["cadre"]
    listing = county.get(reverse("account-list") + "?search=p_cadre").content.decode()
    assert "锁定至" in listing
    page = county.get(reverse("account-detail", args=[account.pk])).content.decode()
    assert 'data-testid="locked"' in page and 'data-testid="unlock"' in page
    assert county.post(reverse("account-unlock", args=[account.pk])).status_code == 302
    assert _api_login("p_cadre", PASSWORD).status_code == 200  # type: ignore[attr-defined]
    event = AuditEvent.objects.get(action="account.unlock")
    assert event.actor == world.personas["county"]
    assert event.before is not None and event.before["locked_until"] and event.after == {"locked_until": None}


def test_a_township_may_not_unlock(world: World) -> None:
    for _ in range(10):
        _api_login("p_cadre", WRONG)
    township = Client()
    township.force_login(world.personas["township"])
    assert township.post(reverse("account-unlock", args=[world.personas["cadre"].pk])).status_code == 403
    assert _api_login("p_cadre", PASSWORD).status_code == 429  # type: ignore[attr-defined]
    assert not AuditEvent.objects.filter(action="account.unlock").exists()  # nothing was written


def test_unlocking_an_account_that_is_not_locked_says_so(world: World) -> None:
    county = Client()
    county.force_login(world.personas["county"])
    response = county.post(reverse("account-unlock", args=[world.personas["cadre"].pk]), follow=True)
    assert "当前未被锁定" in response.content.decode()
    assert not AuditEvent.objects.filter(action="account.unlock").exists()


def test_every_login_and_failed_login_is_audited_with_the_address_and_never_the_password(world: World) -> None:
    _api_login("p_cadre", WRONG, ip="10.9.9.1")
    _api_login("p_cadre", PASSWORD, ip="10.9.9.2")
    client = Client()
    _form_login(client, "p_county", WRONG, ip="10.9.9.3")
    _form_login(client, "p_county", PASSWORD, ip="10.9.9.4")
    _api_login("nobody", WRONG, ip="10.9.9.5")
    events = list(
        AuditEvent.objects.filter(action__in=["auth.login", "auth.login_failed"])
        .order_by("id")
        .values_list("action", "object_repr", "after")
    )
    facts = [(action, after["ip"], after["channel"]) for action, _, after in events if after is not None]
    assert facts == [
        ("auth.login_failed", "10.9.9.1", "api"),
        ("auth.login", "10.9.9.2", "api"),
        ("auth.login_failed", "10.9.9.3", "form"),
        ("auth.login", "10.9.9.4", "form"),
        ("auth.login_failed", "10.9.9.5", "api"),
    ]
    assert events[-1][1] == "nobody"  # an unknown name is recorded as tried
    everything = str(list(AuditEvent.objects.values_list("before", "after", "object_repr")))
    assert WRONG not in everything and PASSWORD not in everything
    failed = AuditEvent.objects.filter(action="auth.login_failed", object_id=str(world.personas["cadre"].pk)).get()
    assert failed.region_code == world.village("A")  # the cadre's village: scoped audit readers see it


def test_the_address_behind_the_proxy_is_the_one_the_proxy_appended(world: World, settings: object) -> None:
    settings.ZHUCUN_TRUSTED_PROXIES = 1  # type: ignore[attr-defined]
    APIClient().post(
        reverse("api:auth-token"),
        {"username": "p_cadre", "password": WRONG},
        format="json",
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 10.2.3.4",  # the client claimed 6.6.6.6; the proxy saw 10.2.3.4
    )
    after = AuditEvent.objects.get(action="auth.login_failed").after
    assert after is not None and after["ip"] == "10.2.3.4"


def test_no_password_is_kept_by_the_lockout_records(world: World) -> None:
    for _ in range(3):
        Client().post(reverse("login"), {"username": "p_county", "password": WRONG})
    stored = str(list(AccessAttempt.objects.values()))
    assert WRONG not in stored


def test_the_lockout_answer_gives_the_end_in_beijing_time(world: World) -> None:
    for _ in range(10):
        _api_login("p_cadre", WRONG)
    body = _api_login("p_cadre", PASSWORD).json()  # type: ignore[attr-defined]
    until = dt.datetime.fromisoformat(body["locked_until"])
    assert until.utcoffset() == dt.timedelta(hours=8)
    assert f"{until:%H:%M} 后自动解锁" in body["detail"]
