"""Leave requests for the demo province, made through the real service so their approval chains and
deadlines are what the policy gives: the county inbox of 行唐县 (xingtang) has a 4-day request and the
township of 龙州镇 (longzhou) a 2-day one; ganbu has an approved day off last week. Idempotent."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.models import Role, User
from accounts.services import account_create
from cadres.demo import DEMO_PASSWORD
from cadres.models import Cadre

from .models import LeaveRequest
from .services import leave_request_create


def _account(cadre: Cadre, username: str) -> User:
    existing = User.objects.filter(cadre=cadre).first()
    if existing is not None:
        return existing
    return account_create(actor=None, username=username, password=DEMO_PASSWORD, role=Role.CADRE, scope=str(cadre.pk))


def seed_leave() -> int:
    if LeaveRequest.objects.exists():
        return 0
    members = list(
        Cadre.objects.filter(team__village__code__startswith="130125100", role=Cadre.Role.MEMBER).order_by("pk")[:2]
    )
    if len(members) < 2:
        return 0
    today = timezone.localdate()
    monday = today + dt.timedelta(days=(7 - today.weekday()) % 7 or 7)
    first = _account(members[0], "ganbu2")
    second = _account(members[1], "ganbu3")
    leave_request_create(
        actor=first, kind="personal", start=monday, start_half="am", end=monday + dt.timedelta(days=3),
        end_half="pm", reason="母亲住院手术，需回家陪护",
    )  # fmt: skip
    leave_request_create(
        actor=second, kind="sick", start=monday + dt.timedelta(days=1), start_half="am",
        end=monday + dt.timedelta(days=2), end_half="pm", reason="感冒发烧，去县医院就诊",
    )  # fmt: skip
    return 2
