"""找回密码 (issue 15 item 7, decision 0173): the organization department sets a temporary password that
must be changed at the next sign-in; where SMS is configured, a person resets their own with a code
sent through the SMS gateway (a local stub here) — no account enumeration, rate-limited, code hashed,
10 minutes, 5 attempts, Django's validators in Chinese."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import PasswordResetRequest, User
from tests.zhucun.channels.stub import Reply, Request, Stub, stub_server
from zhucun.jobs import SCHEDULED_JOBS
from zhucun.models import AuditEvent
from zhucun.testing.world import PASSWORD, World

NEW = "Xin-mima-2027"
CADRE_PHONE = "13900000001"  # the roster's phone of 甲村书记 (p_cadre)


def _gateway(request: Request) -> Reply:
    return 200, {"Code": "OK", "Message": "OK", "BizId": "BIZ", "RequestId": "R"}


@contextmanager
def sms_enabled() -> Iterator[Stub]:
    with (
        stub_server(_gateway) as stub,
        override_settings(
            ZHUCUN_CHANNELS=["sms"],
            ZHUCUN_SMS_BASE_URL=stub.url,
            ZHUCUN_SMS_ACCESS_KEY_ID="LTAI-test",
            ZHUCUN_SMS_ACCESS_KEY_SECRET="s3cret",
            ZHUCUN_SMS_SIGN_NAME="驻村干部管理",
            ZHUCUN_SMS_TEMPLATE_CODE="SMS_000001",
            ZHUCUN_SMS_CODE_TEMPLATE_CODE="SMS_CODE01",
        ),
    ):
        yield stub


def _codes(stub: Stub) -> list[tuple[str, str]]:
    """(phone, code) of every SMS the gateway received."""
    sent = []
    for request in stub.requests:
        form = request.form()
        sent.append((form["PhoneNumbers"], json.loads(form["TemplateParam"])["code"]))
    return sent


def _ask(client: Client, identifier: str, on_commit: Any, **extra: Any) -> Any:
    with on_commit(execute=True):
        return client.post(reverse("password-reset"), {"identifier": identifier}, **extra)


def _confirm(client: Client, identifier: str, code: str, password: str = NEW) -> Any:
    return client.post(
        reverse("password-reset-confirm"),
        {"identifier": identifier, "code": code, "new_password": password, "new_password2": password},
    )


# --- the organization department's temporary password ---------------------------------------------


def test_a_reset_by_the_county_is_a_temporary_password_changed_at_the_next_sign_in(world: World) -> None:
    cadre = world.personas["cadre"]
    county = Client()
    county.force_login(world.personas["county"])
    response = county.post(reverse("account-reset-password", args=[cadre.pk]), {"password": "Linshi-2026x"})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="account.reset_password", object_id=str(cadre.pk))
    assert (event.after or {})["must_change_password"] is True
    # The phone's API refuses the temporary password until it is changed on the web.
    api = APIClient().post(reverse("api:auth-token"), {"username": "p_cadre", "password": "Linshi-2026x"})
    assert api.status_code == 400
    assert "临时密码" in api.json()["non_field_errors"][0]
    phone = Client()
    assert phone.post(reverse("login"), {"username": "p_cadre", "password": "Linshi-2026x"}).status_code == 302
    assert phone.get(reverse("attendance-today"))["Location"] == reverse("password-change")
    assert phone.get(reverse("my-devices"), HTTP_HX_REQUEST="true")["HX-Redirect"] == reverse("password-change")
    page = phone.get(reverse("password-change")).content.decode()
    assert 'data-testid="temporary-password"' in page
    changed = phone.post(reverse("password-change"), {"old_password": "Linshi-2026x", "new_password": NEW})
    assert changed.status_code == 302
    assert phone.get(reverse("attendance-today")).status_code == 200
    assert not User.objects.get(pk=cadre.pk).must_change_password
    api = APIClient().post(reverse("api:auth-token"), {"username": "p_cadre", "password": NEW})
    assert api.status_code == 200


def test_the_department_cannot_reset_outside_its_scope_nor_a_township_at_all(world: World) -> None:
    county = Client()
    county.force_login(world.personas["county"])
    outside = world.township_accounts["C"]
    assert county.post(reverse("account-reset-password", args=[outside.pk]), {"password": NEW}).status_code == 404
    township = Client()
    township.force_login(world.personas["township"])
    inside = world.personas["cadre"]
    assert township.post(reverse("account-reset-password", args=[inside.pk]), {"password": NEW}).status_code == 403
    assert not User.objects.filter(must_change_password=True).exists()


# --- 找回密码 by SMS -------------------------------------------------------------------------------


def test_without_sms_the_page_says_to_ask_the_organization_department(world: World) -> None:
    page = Client().get(reverse("password-reset")).content.decode()
    assert 'data-testid="reset-unavailable"' in page and "联系本级组织部门" in page
    assert Client().get(reverse("password-reset-confirm"))["Location"] == reverse("password-reset")
    assert 'data-testid="forgot-password"' in Client().get(reverse("login")).content.decode()


def test_a_code_by_sms_resets_the_password_once_and_signs_out_everywhere(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    old_session = Client()
    old_session.force_login(world.personas["cadre"])
    client = Client()
    with sms_enabled() as stub:
        response = _ask(client, "P_CADRE", django_capture_on_commit_callbacks)
        assert response["Location"] == reverse("password-reset-confirm")
        [(phone, code)] = _codes(stub)
        assert phone == CADRE_PHONE and re.fullmatch(r"\d{6}", code)
        assert stub.requests[0].form()["TemplateCode"] == "SMS_CODE01"
        row = PasswordResetRequest.objects.get()
        assert code not in row.code_digest and len(row.code_digest) == 64  # only a keyed digest is kept
        page = client.get(reverse("password-reset-confirm")).content.decode()
        assert 'value="P_CADRE"' in page and "验证码已通过短信发送" in page
        weak = _confirm(client, "P_CADRE", code, "12345678")
        assert "密码不能全是数字" in weak.content.decode()
        done = _confirm(client, "P_CADRE", code)
        assert done["Location"] == reverse("login")
        again = _confirm(client, "P_CADRE", code, "Another-pass-2028")
        assert "验证码不正确或已过期" in again.content.decode()
    user = User.objects.get(username="p_cadre")
    assert user.check_password(NEW)
    assert old_session.get(reverse("my-devices")).status_code == 302  # signed out everywhere
    assert AuditEvent.objects.filter(action="auth.password_reset_sms", object_id=str(user.pk)).exists()
    assert AuditEvent.objects.filter(action="auth.password_reset_code", object_id=str(user.pk)).exists()


def test_the_answer_is_the_same_for_an_unknown_account_and_no_sms_is_sent(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with sms_enabled() as stub:
        known = _ask(Client(), CADRE_PHONE, django_capture_on_commit_callbacks)
        unknown = _ask(Client(), "nobody_here", django_capture_on_commit_callbacks)
        admin_like = _ask(Client(), "13800000000", django_capture_on_commit_callbacks)
        assert known.status_code == unknown.status_code == admin_like.status_code == 302
        assert known["Location"] == unknown["Location"] == admin_like["Location"]
        assert [phone for phone, _ in _codes(stub)] == [CADRE_PHONE]  # asked by phone: the roster's
        wrong = _confirm(Client(), "nobody_here", "123456")
        assert "验证码不正确或已过期" in wrong.content.decode()


def test_five_wrong_codes_use_up_the_code_and_it_expires_after_ten_minutes(
    world: World, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    moment = [timezone.now()]
    monkeypatch.setattr(timezone, "now", lambda: moment[0])
    client = Client()
    with sms_enabled() as stub:
        _ask(client, "p_cadre", django_capture_on_commit_callbacks)
        [(_, code)] = _codes(stub)
        wrong = "000000" if code != "000000" else "111111"
        for _ in range(5):
            assert "验证码不正确或已过期" in _confirm(client, "p_cadre", wrong).content.decode()
        assert "验证码不正确或已过期" in _confirm(client, "p_cadre", code).content.decode()
        assert PasswordResetRequest.objects.get().attempts == 5
        _ask(client, "p_cadre", django_capture_on_commit_callbacks)
        fresh = _codes(stub)[-1][1]
        moment[0] += dt.timedelta(minutes=10, seconds=1)
        assert "验证码不正确或已过期" in _confirm(client, "p_cadre", fresh).content.decode()
    assert User.objects.get(username="p_cadre").check_password(PASSWORD)


def test_requests_are_rate_limited_per_account_silently_and_per_address_with_429(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    User.objects.filter(username="p_county").update(mobile="13811112222")
    with sms_enabled() as stub:
        for _ in range(4):  # 3 codes an hour per account; the 4th is answered alike, sends nothing
            assert _ask(Client(), "p_cadre", django_capture_on_commit_callbacks).status_code == 302
        assert len(_codes(stub)) == 3
        for index in range(6):  # 10 requests an hour from one address, whatever they name
            assert _ask(Client(), f"nobody{index}", django_capture_on_commit_callbacks).status_code == 302
        refused = _ask(Client(), "p_county", django_capture_on_commit_callbacks)
        assert refused.status_code == 429
        assert "获取验证码的次数太多" in refused.content.decode()
        other = _ask(Client(), "p_county", django_capture_on_commit_callbacks, REMOTE_ADDR="10.0.0.9")
        assert other.status_code == 302
        assert [phone for phone, _ in _codes(stub)][3:] == ["13811112222"]  # staff: the account's mobile


# --- the rows are not kept for ever ----------------------------------------------------------------

NOW = dt.datetime(2027, 6, 1, 4, 0, tzinfo=dt.UTC)


def _reset_request(user: User | None, *, days_ago: int, sent: bool = True, used: bool = False) -> int:
    """A request made ``days_ago`` before NOW: its code sent at once (10 minutes), used or not."""
    at = NOW - dt.timedelta(days=days_ago)
    minutes = dt.timedelta(minutes=1)
    return PasswordResetRequest.objects.create(
        user=user, requested_ip="10.0.0.1", requested_at=at, sent_at=at if sent else None,
        expires_at=at + 10 * minutes if sent else None, used_at=at + 5 * minutes if used else None,
    ).pk  # fmt: skip


@override_settings(ZHUCUN_AUDIT_RETENTION_DAYS=365)
def test_finished_requests_older_than_the_audit_retention_are_purged_by_one_delete_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    cadre = world.personas["cadre"]
    purged = {
        _reset_request(cadre, days_ago=400, used=True),
        _reset_request(cadre, days_ago=366),  # expired unused
        _reset_request(None, days_ago=500, sent=False),  # named no account: the row is the only trace
    }
    kept = {
        _reset_request(cadre, days_ago=364, used=True),  # within the retention
        _reset_request(None, days_ago=1, sent=False),
        _reset_request(cadre, days_ago=0),  # its code still has 10 minutes
    }
    # A code still usable is never deleted, whatever its request's age (a clock set wrong at the time).
    still_usable = _reset_request(cadre, days_ago=400)
    PasswordResetRequest.objects.filter(pk=still_usable).update(expires_at=NOW + dt.timedelta(minutes=3))
    kept.add(still_usable)
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    from accounts.tasks import purge_password_resets

    with CaptureQueriesContext(connection) as queries:
        assert purge_password_resets.apply().get() == len(purged)
    touching = [q["sql"] for q in queries.captured_queries if "accounts_passwordresetrequest" in q["sql"]]
    assert len(touching) == 1 and touching[0].startswith("DELETE")  # set-based: no rows loaded, no loop
    assert set(PasswordResetRequest.objects.values_list("pk", flat=True)) == kept
    assert purge_password_resets.apply().get() == 0  # idempotent
    assert "accounts.purge_password_resets" in dict(SCHEDULED_JOBS)  # beat and run_jobs run it
