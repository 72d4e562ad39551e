"""Background work of accounts. Thin: they take ids and call one service."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from zhucun.channels import TransientDeliveryError
from zhucun.jobs import RETRY_TRANSIENT

from .services import password_reset_requests_purge, reset_code_send

#: A code is worth sending only within its 10 minutes: a few quick retries of a gateway that was
#: busy or timed out, then the person asks again.
CODE_RETRY: dict[str, Any] = {
    **RETRY_TRANSIENT,
    "autoretry_for": (*RETRY_TRANSIENT["autoretry_for"], TransientDeliveryError),
    "retry_backoff": 5,
    "retry_backoff_max": 60,
    "max_retries": 3,
}


@shared_task(name="accounts.send_reset_code", acks_late=True, **CODE_RETRY)
def send_reset_code(request_id: int) -> bool:
    """Make and send the SMS code of a 找回密码 request (decision 0173). Idempotent."""
    return reset_code_send(request_id=request_id)


@shared_task(name="accounts.purge_password_resets", acks_late=True, **RETRY_TRANSIENT)
def purge_password_resets() -> int:
    """Every night: finished 找回密码 requests past the audit retention are deleted (decision 0173).
    Idempotent: a second run deletes nothing."""
    return password_reset_requests_purge()
