"""Team funds jobs on Celery: thin, idempotent tasks that call one service each."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from zhucun.jobs import RETRY_TRANSIENT

from . import services


@shared_task(name="funding.overdue_flags", acks_late=True, **RETRY_TRANSIENT)
def overdue_flags() -> int:
    """Nightly: flag teams whose expenses wait longer than the reimbursement interval (第十四条4)."""
    return services.overdue_flags_raise()


@shared_task(name="funding.open_year", acks_late=True, **RETRY_TRANSIENT)
def open_year() -> int:
    """On the first of January (and idempotently on any later run): open this year's accounts with
    last year's balance carried in (第二十七条 可转入下年度使用)."""
    return services.accounts_open_year(year=timezone.localdate().year)


@shared_task(name="funding.insurance_gaps", acks_late=True, **RETRY_TRANSIENT)
def insurance_gaps() -> int:
    """Nightly: flag cadres in post without accident insurance for some day of their term (第二十八条)."""
    return services.insurance_gaps_flag()
