"""Leave as the people use it, in a real browser (issue 4 acceptance):

a cadre requests 4 days on the phone form; the county official's inbox shows it with its deadline
countdown; the official opens it and approves in place; the cadre sees the decision; a township
official of another township cannot open the request (404).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from leave.models import LeaveRequest
from tests.browser.helpers import login, logout
from tests.leave.factories import cadre_account, leave_request
from zhucun.testing.world import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_cadre_requests_four_days_county_approves_in_the_inbox_and_other_township_gets_404(
    page: Page, live_server: object, world: World
) -> None:
    base_url = live_server.url  # type: ignore[attr-defined]
    member = cadre_account(world.members["A"], "member_a")
    start = timezone.localdate() + dt.timedelta(days=3)

    # The cadre asks on the phone: 4 whole days → the county office decides (第十九条2).
    page.set_viewport_size({"width": 360, "height": 740})
    login(page, base_url, member.username)
    page.goto(f"{base_url}/leave/new/")
    page.select_option("#id_kind", "personal")
    page.fill("#id_start", start.isoformat())
    page.select_option("#id_start_half", "am")
    page.fill("#id_end", (start + dt.timedelta(days=3)).isoformat())
    page.select_option("#id_end_half", "pm")
    page.fill("#id_reason", "母亲住院手术，需陪护")
    # Before submitting, the form shows what the routing decides (issue 15 item 9).
    preview = page.locator("[data-testid=preview-ready]")
    expect(preview.locator("[data-testid=preview-days]")).to_have_text("4 天")
    expect(preview.locator("[data-testid=preview-approvers]")).to_have_text("甲县驻村工作办公室")
    page.click("[data-testid=submit-leave]")
    expect(page.locator("body")).to_contain_text("下午（4 天））")
    expect(page.locator("[data-testid=approval-chain]")).to_contain_text("县驻村工作办公室")
    request = LeaveRequest.objects.get(cadre=world.members["A"])
    assert request.days == 4
    logout(page, base_url)

    # The county official's inbox shows it, with its countdown, and opens the side panel.
    page.set_viewport_size({"width": 1400, "height": 900})
    login(page, base_url, "p_county")
    page.goto(f"{base_url}/leave/inbox/")
    row = page.locator(f"[data-testid=inbox-row][data-leave-id='{request.pk}']")
    expect(row).to_contain_text(world.members["A"].name)
    expect(row).to_contain_text("4 天")
    badge = row.locator("[data-testid=countdown]")
    expect(badge).to_contain_text(re.compile(r"剩|已超时"))
    expect(badge).to_have_class(re.compile(r"zc-countdown-(ok|soon|overdue)"))
    row.click()
    panel = page.locator("[data-testid=leave-panel]")
    expect(panel).to_contain_text("母亲住院手术")
    expect(panel).to_contain_text("本月概况")
    panel.locator("#decision-comment").fill("同意，注意安全")
    panel.locator("[data-testid=approve]").click()
    expect(page.locator("[data-testid=decision-done]")).to_contain_text("已批准")
    expect(row).to_have_count(0)  # the row leaves the inbox without a reload
    request.refresh_from_db()
    assert request.status == "approved"
    logout(page, base_url)

    # The cadre sees the decision.
    page.set_viewport_size({"width": 360, "height": 740})
    login(page, base_url, member.username)
    page.goto(f"{base_url}/leave/mine/")
    card = page.locator(f"[data-testid=my-request][data-leave-id='{request.pk}']")
    expect(card.locator("[data-testid=my-request-status]")).to_have_text("已批准")
    expect(card).to_contain_text("同意，注意安全")
    logout(page, base_url)

    # A township official of 甲二镇 (the request is in 甲一镇) cannot open it.
    login(page, base_url, world.township_accounts["B"].username)
    response = page.goto(f"{base_url}/leave/{request.pk}/")
    assert response is not None and response.status == 404
    expect(page.locator("body")).not_to_contain_text("母亲住院手术")


def test_on_a_phone_a_tapped_request_opens_over_the_inbox_with_a_way_back(
    page: Page, live_server: object, world: World
) -> None:
    """Issue 15 item 8: at 390 px the panel used to render below the whole list, off-screen."""
    base_url = live_server.url  # type: ignore[attr-defined]
    for i in range(8):  # enough rows that a panel below them is off-screen
        cadre = world.members["A" if i % 2 else "B"]
        leave_request(cadre, days=4, start=timezone.localdate() + dt.timedelta(days=10 * i + 2))
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, base_url, "p_county")
    page.goto(f"{base_url}/leave/inbox/")
    row = page.locator("[data-testid=inbox-row]").first
    request_id = row.get_attribute("data-leave-id")
    row.locator("[data-label=申请人]").click()
    panel = page.locator("[data-testid=leave-panel]")
    expect(panel).to_have_attribute("data-leave-id", str(request_id))
    expect(panel).to_be_in_viewport()
    panel.locator("[data-testid=panel-back]").click()
    expect(panel).to_be_hidden()
    expect(row).to_be_in_viewport()
