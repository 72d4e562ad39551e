"""E-mail over SMTP (decision 0150): Django's ``EmailMessage`` through its SMTP backend, configured by
the usual ``EMAIL_*`` settings. The Message-ID is derived from the delivery's idempotency key, so a
mail server or reader that sees the same message twice can tell. A refused recipient or a 5xx answer
is permanent; a connection that fails, times out or drops, and a 4xx answer, are transient."""

from __future__ import annotations

import smtplib
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email

from .base import DeliveryError, Outgoing, Sent, TransientDeliveryError

if TYPE_CHECKING:
    from accounts.models import User

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def message_id(key: str) -> str:
    domain = (settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "zhucun.local").strip(">").strip()
    local = "".join(ch if ch.isalnum() or ch in "-." else "." for ch in key)
    return f"<{local}@{domain}>"


class EmailChannel:
    code = "email"
    label = "电子邮件"

    def address(self, user: User) -> str:
        email = str(getattr(user, "email", "") or "").strip()
        try:
            validate_email(email)
        except ValidationError:
            return ""
        return email

    def build(self, address: str, message: Outgoing) -> EmailMessage:
        body = "\n\n".join(part for part in (message.body, message.url and f"查看详情：{message.url}") if part)
        mail = EmailMessage(
            subject=f"【驻村干部管理系统】{message.title}",
            body=body or message.title,
            from_email=settings.DEFAULT_FROM_EMAIL or None,
            to=[address],
            headers={"Message-ID": message_id(message.key)},
        )
        mail.encoding = "utf-8"
        return mail

    def send(self, address: str, message: Outgoing) -> Sent:
        mail = self.build(address, message)
        connection = get_connection(backend=SMTP_BACKEND, fail_silently=False, timeout=settings.EMAIL_TIMEOUT)
        try:
            connection.send_messages([mail])
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            text = f"邮件服务器拒收地址 {address}（{'、'.join(str(code) for code in codes)}）"
            if codes and all(400 <= code < 500 for code in codes):  # 4xx: "try again later"
                raise TransientDeliveryError(text) from exc
            raise DeliveryError(text) from exc
        except smtplib.SMTPResponseException as exc:
            text = f"邮件服务器答复 {exc.smtp_code}：{exc.smtp_error!r}"
            if 400 <= exc.smtp_code < 500:
                raise TransientDeliveryError(text) from exc
            raise DeliveryError(text) from exc
        except (TimeoutError, smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError) as exc:
            raise TransientDeliveryError(f"无法连接邮件服务器：{type(exc).__name__}") from exc
        return Sent(provider_id=mail.extra_headers["Message-ID"])
