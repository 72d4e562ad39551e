"""Issue 14 in a browser: a cadre records a visit on a 390 px phone in one step, and it shows in the
day's work log; the township sees the due list and the coverage chart drawn by the vendored ECharts —
all under the Content-Security-Policy (the autouse fixture fails on any violation)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from households.models import Household, Visit
from tests.browser.helpers import login, logout
from zhucun.testing.world import World

# Like every browser test: committed data for the live server, and the database restored afterwards —
# without serialized_rollback the flush leaves the next browser test unable to restore its own.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _fits(page: Page) -> None:
    size = page.evaluate("() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert size["scroll"] <= size["inner"] + 1, size


def test_a_cadre_records_a_visit_on_a_phone_and_the_township_sees_the_chart(
    page: Page, live_server: object, world: World
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    household = Household.objects.create(village_code=world.village("A"), head_name="王贫困", kind="poor")
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, base, "p_cadre")
    page.click("[data-testid=visit-link]")
    form = page.locator("[data-testid=visit-form]")
    expect(form).to_be_visible()
    _fits(page)
    page.select_option("#id_household", str(household.pk))
    page.fill("#id_note", "了解看病报销")
    page.click("[data-testid=visit-submit]")
    expect(form).to_contain_text("第六条7")  # a poor household: income and 三保障 required
    assert not Visit.objects.exists()
    page.select_option("#id_household", str(household.pk))
    page.fill("#id_monthly_income", "1500")
    for key in ("education", "health", "housing"):
        page.click(f"label[for=id_{key}_yes]")
    page.click("[data-testid=visit-submit]")
    expect(page.locator(".alert-success")).to_contain_text("已列入")
    assert Visit.objects.get().monthly_income == 1500
    page.goto(f"{base}/attendance/today/")
    expect(page.locator("[data-testid=log-visits]").first).to_contain_text("王贫困")
    _fits(page)
    logout(page, base)

    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, base, "p_township")
    page.goto(f"{base}/households/")
    expect(page.locator("#visits-coverage-chart svg")).to_be_visible()
    expect(page.locator("[data-testid=places-table]")).to_contain_text("甲村")
