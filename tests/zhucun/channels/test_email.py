"""E-mail over SMTP, against a local SMTP server (aiosmtpd) that the test starts: Django's SMTP backend
with the EMAIL_* settings, a Chinese subject and body, and the Message-ID derived from the delivery's
idempotency key; refusals and a server that is down."""

from __future__ import annotations

import email
import email.policy

import pytest
from django.test import override_settings

from zhucun.channels import DeliveryError, Outgoing, TransientDeliveryError
from zhucun.channels.email import EmailChannel

from .conftest import Mailbox, free_port


def test_a_message_is_sent_over_smtp_with_its_idempotency_key_as_message_id(mailbox: Mailbox) -> None:
    message = Outgoing(
        key="n42:email", title="张三申请事假2天", body="请在半日内答复。", url="https://zc.example.cn/l/1/"
    )
    sent = EmailChannel().send("xingtang@example.cn", message)
    [(sender, recipients, raw)] = mailbox.messages
    assert (sender, recipients) == ("noreply@zhucun.example.cn", ["xingtang@example.cn"])
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert str(parsed["Subject"]).strip() == "【驻村干部管理系统】张三申请事假2天"
    assert parsed["Message-ID"] == "<n42.email@zhucun.example.cn>" == sent.provider_id
    body = parsed.get_body().get_content()  # type: ignore[union-attr]
    assert "请在半日内答复。" in body and "https://zc.example.cn/l/1/" in body


def test_a_refused_recipient_is_permanent(mailbox: Mailbox) -> None:
    mailbox.refuse = "550 5.1.1 No such user"
    with pytest.raises(DeliveryError, match=r"拒收.*550") as raised:
        EmailChannel().send("nobody@example.cn", Outgoing(key="k", title="t"))
    assert not isinstance(raised.value, TransientDeliveryError)
    assert mailbox.messages == []


def test_a_temporary_refusal_is_transient(mailbox: Mailbox) -> None:
    mailbox.refuse = "451 4.3.0 Try again later"
    with pytest.raises(TransientDeliveryError, match="451"):
        EmailChannel().send("busy@example.cn", Outgoing(key="k", title="t"))
    assert mailbox.messages == []


def test_a_server_that_is_down_is_transient() -> None:
    with (
        override_settings(EMAIL_HOST="127.0.0.1", EMAIL_PORT=free_port(), DEFAULT_FROM_EMAIL="n@zhucun.example.cn"),
        pytest.raises(TransientDeliveryError, match="无法连接邮件服务器"),
    ):
        EmailChannel().send("a@example.cn", Outgoing(key="k", title="t"))


def test_the_address_is_the_accounts_e_mail_when_it_is_one() -> None:
    from accounts.models import User

    assert EmailChannel().address(User(email="a@example.cn")) == "a@example.cn"
    assert EmailChannel().address(User(email="not an address")) == ""
    assert EmailChannel().address(User(email="")) == ""
