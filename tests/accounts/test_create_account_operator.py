"""Issue 10 item 7: ``create_account`` has no logged-in actor, so its audit event names the operator —
the ``--operator`` given, or the operating-system account that ran the command."""

from __future__ import annotations

import getpass
import io

import pytest
from django.core.management import call_command

from accounts.models import User
from zhucun.models import AuditEvent
from zhucun.testing.world import PASSWORD

pytestmark = pytest.mark.django_db


def _event_for(username: str) -> AuditEvent:
    user = User.objects.get(username=username)
    return AuditEvent.objects.get(action="account.create", object_id=str(user.pk))


def test_create_account_records_the_operator_given() -> None:
    call_command("create_account", "admin", role="province_org", scope="13", password=PASSWORD, operator="李四",
                 stdout=io.StringIO())  # fmt: skip
    event = _event_for("admin")
    assert event.actor is None
    assert event.operator == "李四 (create_account)"


def test_create_account_records_the_os_user_by_default() -> None:
    call_command("create_account", "admin2", role="province_org", scope="13", password=PASSWORD, stdout=io.StringIO())
    assert _event_for("admin2").operator == f"{getpass.getuser()} (create_account)"


def test_the_operator_does_not_leak_into_later_events() -> None:
    call_command("create_account", "admin3", role="province_org", scope="13", password=PASSWORD, operator="王五",
                 stdout=io.StringIO())  # fmt: skip
    from accounts.services import account_create

    user = account_create(actor=None, username="later", password=PASSWORD, role="province_org", scope="13")
    assert AuditEvent.objects.get(action="account.create", object_id=str(user.pk)).operator == ""
