"""Team funds jobs on Celery: thin, idempotent tasks that call one service each. The insurance gaps fan
out one task per county, like the attendance jobs (decisions 0050, 0179)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from cadres import selectors as cadres_selectors
from zhucun import outbox
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
def insurance_gaps(day: str | None = None) -> int:
    """Nightly: flag cadres in post without accident insurance for some day of their term (第二十八条),
    one task per county, all judged on the same day. Returns the number of county tasks queued."""
    target = dt.date.fromisoformat(day) if day else timezone.localdate()
    codes = cadres_selectors.county_codes()
    outbox.enqueue_many(insurance_gaps_county.name, [(code, target.isoformat()) for code in codes])
    return len(codes)


@shared_task(name="funding.insurance_gaps_county", acks_late=True, **RETRY_TRANSIENT)
def insurance_gaps_county(county_code: str, day: str) -> int:
    return services.insurance_gaps_flag(county_code=county_code, today=dt.date.fromisoformat(day))
