"""How leave is written for people (issue 15 item 11): one day count, the period without 下午 至 下午,
and who decided as an office and a person, never a login name."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.test import Client
from django.urls import reverse

from leave import services
from leave.models import LeaveRequest, period_parts
from leave.templatetags.leave_labels import signer_label
from tests.leave.factories import leave_request
from zhucun.templatetags.zc import days_label
from zhucun.testing.world import World

D = dt.date(2026, 11, 30)


def test_a_day_count_is_written_one_way() -> None:
    assert [days_label(Decimal(v)) for v in ("5.0", "0.5", "1.5", "10", "10.0")] == [
        "5 天",
        "0.5 天",
        "1.5 天",
        "10 天",
        "10 天",
    ]
    assert days_label(None) == "" and days_label("x") == ""


def test_a_single_half_day_is_one_date_and_one_half() -> None:
    assert period_parts(D, "pm", D, "pm") == ("11月30日 下午",)
    assert period_parts(D, "am", D, "am") == ("11月30日 上午",)
    assert period_parts(D, "am", D, "pm") == ("11月30日 全天",)
    assert period_parts(D, "pm", D + dt.timedelta(days=3), "am") == ("11月30日 下午", "12月3日 上午")
    leave = LeaveRequest(start=D, start_half="pm", end=D, end_half="pm", days=Decimal("0.5"))
    assert leave.period_label == "11月30日 下午（0.5 天）"


def test_who_decided_is_named_by_office_and_person(world: World) -> None:
    county = world.personas["county"]
    assert signer_label(county) == "甲县委组织部"  # an account without a name: its office alone
    county.last_name, county.first_name = "张", "三"
    assert signer_label(county) == "甲县委组织部 张三"
    assert signer_label(world.township_accounts["A"]) == "甲一镇党委"
    assert signer_label(world.personas["cadre"]) == f"甲村驻村工作队 {world.leaders['A'].name}"
    assert signer_label(None) == ""


def test_the_pages_show_the_office_not_the_login_and_days_without_a_trailing_zero(world: World) -> None:
    county = world.personas["county"]
    county.last_name, county.first_name = "张", "三"
    county.save(update_fields=["last_name", "first_name"])
    request = leave_request(world.members["A"], days=5)
    services.leave_request_approve(actor=county, request_id=request.pk, comment="同意")
    client = Client()
    client.force_login(county)
    detail = client.get(reverse("leave-detail", args=[request.pk])).content.decode()
    assert "甲县委组织部 张三" in detail
    assert county.username not in detail.split('data-testid="approval-chain"')[1]
    assert "5 天" in detail and "5.0" not in detail
    register = client.get(
        reverse("leave-register"), {"start": str(request.start), "end": str(request.end)}
    ).content.decode()
    assert "甲县委组织部 张三" in register and "5 天" in register
