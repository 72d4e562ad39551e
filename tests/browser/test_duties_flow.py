"""The duties calendar in a real browser under the CSP: a dispatching unit on a 390 px phone opens
我的待办, finds the overdue quarter first and records it with a photo; the county department at 1366 px
sees it in the compliance view — zero CSP violations."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Page, expect

from duties import services
from duties.models import Obligation
from tests.browser.helpers import login, logout
from zhucun.testing.world import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_unit_records_an_overdue_quarter_from_its_phone(
    page: Page, live_server: object, world: World, tmp_path: Path
) -> None:
    year = timezone.localdate().year - 1
    services.obligations_generate(year=year)
    services.obligations_update(today=dt.date(year, 4, 2))
    base = str(live_server)
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, base, "p_unit")
    page.goto(f"{base}/duties/?year={year}")
    first = page.get_by_test_id("duty-list").locator("a").first
    expect(first).to_contain_text("已逾期")
    first.click()
    page.fill("#date", f"{year}-03-20")
    page.fill("#note", "党组会审议通过本单位帮扶工作计划")
    photo = tmp_path / "纪要.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())
    page.set_input_files("#evidence", str(photo))
    page.get_by_role("button", name="登记").click()
    expect(page.get_by_test_id("evidence")).to_contain_text("纪要.jpg")
    page.screenshot(path=str(tmp_path / "phone.png"), full_page=True)
    assert Obligation.objects.filter(status="done", unit=world.units["A"]).count() == 1
    logout(page, base)
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, base, "p_county")
    page.goto(f"{base}/duties/compliance/?year={year}&status=overdue")
    expect(page.get_by_test_id("compliance-table")).to_contain_text("甲县卫生健康局")
