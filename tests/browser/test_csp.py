"""The Content-Security-Policy in a real browser (issue 10 item 10): the headline pages keep working —
ECharts draws, htmx approves and confirms in place, Bootstrap's modal and the phone's side menu open,
Swagger UI renders — with no inline script or style and zero violations (the autouse fixture
``csp_violations`` in conftest.py fails any browser test that causes one). With hostile names from the
roster no script runs anywhere (item 1)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone
from playwright.sync_api import Dialog, Page, expect

from accounts.models import User
from attendance.models import AbsenceFinding, SignIn
from leave.models import LeaveRequest
from tests.browser.helpers import login, logout
from tests.leave.factories import leave_request
from zhucun.testing.hostile import ATTRIBUTE, SCRIPT, build_hostile_world
from zhucun.testing.world import PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _morning(world: World) -> tuple[AbsenceFinding, LeaveRequest]:
    """Yesterday the leader of A signed in and the member did not (a pending finding); the member asks
    for 4 days, which the county office decides (第十九条2)."""
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    SignIn.objects.create(
        cadre=world.leaders["A"], village_code=world.village("A"), date=yesterday, client_id=uuid.uuid4(),
        status="ok", inside_geofence=True, distance_m=80,
    )  # fmt: skip
    finding = AbsenceFinding.objects.create(
        cadre=world.members["A"], village_code=world.village("A"), date=yesterday, source="missing_signin"
    )
    return finding, leave_request(world.members["A"], days=4)


def test_the_watcher_reports_a_violation(page: Page, live_server: object, csp_violations: list[str]) -> None:
    """The zero-violation checks below mean something: an inline script under the policy is reported."""
    base = str(live_server)
    page.route(
        f"{base}/csp-probe/",
        lambda route: route.fulfill(
            body="<!doctype html><html><body><script>document.title = 'ran'</script></body></html>",
            headers={"Content-Type": "text/html", "Content-Security-Policy": "script-src 'self'"},
        ),
    )
    page.goto(f"{base}/csp-probe/")
    expect(page).not_to_have_title("ran")
    page.wait_for_function("() => true")
    assert any("script-src" in violation for violation in csp_violations)
    csp_violations.clear()


def test_headline_pages_work_under_the_policy_with_zero_violations(
    page: Page, live_server: object, world: World
) -> None:
    base = str(live_server)
    finding, request = _morning(world)

    # Every page carries the policy, without inline script.
    response = page.goto(f"{base}/accounts/login/")
    assert response is not None
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy

    # Township: the heat-map draws, a finding is confirmed in place by htmx.
    login(page, base, "p_township")
    # On the 1st the month's only day is today, blank before anyone signs in: read last month's instead.
    today = timezone.localdate()
    if today.day == 1:
        page.goto(f"{base}/attendance/dashboard/?month={today - dt.timedelta(days=1):%Y-%m}")
        expect(page.locator("#heatmap svg")).to_be_visible()
        assert any("在村" in text or "缺勤" in text for text in _tooltips(page, "#heatmap"))
    page.goto(f"{base}/attendance/dashboard/")
    expect(page.locator("#heatmap svg")).to_be_visible()
    if today.day != 1:
        assert any("在村" in text or "缺勤" in text for text in _tooltips(page, "#heatmap"))
    row = page.locator(f"#finding-{finding.pk}")
    row.get_by_role("button", name="确认缺岗").click()
    expect(page.locator(f"#finding-{finding.pk}")).to_contain_text("已确认")
    finding.refresh_from_db()
    assert finding.status == AbsenceFinding.Status.CONFIRMED
    logout(page, base)

    # County: the coverage chart draws; the inbox approves in place; Bootstrap's modal opens.
    login(page, base, "p_county")
    page.goto(f"{base}/attendance/dashboard/")
    expect(page.locator("#coverage-chart svg")).to_be_visible()
    assert any("有人在岗：" in text for text in _tooltips(page, "#coverage-chart"))  # its tooltip, styled by class
    page.goto(f"{base}/leave/inbox/")
    inbox_row = page.locator(f"[data-testid=inbox-row][data-leave-id='{request.pk}']")
    inbox_row.locator(".zc-check").check()
    expect(inbox_row).not_to_have_class("table-active")  # ticking a box does not open the row
    page.click("[data-testid=bulk-approve]")
    expect(page.locator("#bulk-modal")).to_be_visible()
    expect(page.locator("[data-testid=bulk-list]")).to_contain_text(world.members["A"].name)
    page.get_by_role("button", name="取消").click()
    expect(page.locator("#bulk-modal")).to_be_hidden()
    inbox_row.focus()
    page.keyboard.press("Enter")  # the keyboard opens a row as a click does
    panel = page.locator("[data-testid=leave-panel]")
    expect(panel).to_contain_text("本月概况")
    panel.locator("[data-testid=approve]").click()
    expect(page.locator("[data-testid=decision-done]")).to_contain_text("已批准")
    expect(inbox_row).to_have_count(0)
    request.refresh_from_db()
    assert request.status == LeaveRequest.Status.APPROVED

    # On a phone the side menu opens and closes from the top bar.
    page.set_viewport_size({"width": 390, "height": 844})
    sidebar = page.locator("#zc-sidebar")
    expect(sidebar).to_be_hidden()
    page.click("[data-testid=sidebar-toggle]")
    expect(sidebar).to_be_visible()
    page.click("[data-testid=sidebar-toggle]")
    expect(sidebar).to_be_hidden()
    page.set_viewport_size({"width": 1366, "height": 900})
    logout(page, base)

    # Province: the assessment's quota gauges draw and its progress bars have their widths.
    login(page, base, "p_province")
    page.goto(f"{base}/assessment/")
    expect(page.locator("#gauge-team svg")).to_be_visible()
    expect(page.locator("#gauge-cadre svg")).to_be_visible()
    bar = page.locator("[data-testid=progress-table] .progress-bar").first
    assert bar.evaluate("el => el.style.width") == f"{bar.get_attribute('data-zc-width')}%"

    # The API documentation (Swagger UI) renders its operations.
    page.goto(f"{base}/api/docs/")
    operation = page.locator(".swagger-ui .opblock").first
    expect(operation).to_be_visible()
    operation.locator(".opblock-summary").click()  # an operation opens with its parameters
    expect(operation.locator(".opblock-body")).to_be_visible()
    logout(page, base)

    # The public poster's QR code is an image that loads.
    page.goto(f"{base}/public/villages/{world.village('A')}/poster/")
    qr = page.locator("[data-testid=poster-qr]")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")


def test_the_admin_works_under_the_policy(page: Page, live_server: object, world: World) -> None:
    from django.conf import settings

    User.objects.create_superuser(username="root_admin", password=PASSWORD)
    base = str(live_server)
    page.goto(f"{base}/{settings.ADMIN_URL}")
    page.fill("#id_username", "root_admin")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_be_visible()
    page.goto(f"{base}/{settings.ADMIN_URL}cadres/cadre/")
    expect(page.locator("#result_list")).to_be_visible()
    page.locator("#result_list tbody a").first.click()  # a change form, with its date widgets
    expect(page.locator("#id_term_start")).to_be_visible()


def _tooltips(page: Page, chart: str) -> set[str]:
    """The texts of the chart's tooltip while the mouse sweeps its plot area: the heat-map's first day
    from top to bottom (one row per cadre), the coverage chart's bars from left to right."""
    element = page.locator(chart)
    expect(element.locator("svg")).to_be_visible()
    element.scroll_into_view_if_needed()
    box = element.bounding_box()
    assert box is not None
    if chart == "#heatmap":  # the grid starts 150 px from the left, 10 px from the top
        points: list[tuple[float, float]] = [(155, y) for y in range(12, int(box["height"]) - 60, 6)]
    else:  # the grid starts 48 px from the left; the axis tooltip answers anywhere in a column
        points = [(x, box["height"] / 2) for x in range(50, int(box["width"]) - 16, 20)]
    shown = set()
    for x, y in points:
        page.mouse.move(box["x"] + x, box["y"] + y)
        page.wait_for_timeout(20)
        shown.add(element.evaluate("el => el.lastElementChild.textContent"))
    return shown


@pytest.fixture
def hostile_world(transactional_db: None) -> World:
    return build_hostile_world()


def test_hostile_names_run_no_script_in_the_browser(page: Page, live_server: object, hostile_world: World) -> None:
    base = str(live_server)
    world = hostile_world
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    _morning(world)
    # On the 1st the month's only day is today, blank before anyone signs in: the charts read last month.
    today = timezone.localdate()
    month = f"?month={today - dt.timedelta(days=1):%Y-%m}" if today.day == 1 else ""
    for username, path in (
        ("p_township", f"/attendance/dashboard/{month}"),
        ("p_county", f"/attendance/dashboard/{month}"),
        ("p_county", "/leave/inbox/"),
        ("p_city", "/attendance/dashboard/"),
        ("p_province", "/attendance/dashboard/"),
        ("p_province", "/cadres/"),
    ):
        login(page, base, username)
        page.goto(f"{base}{path}")
        page.wait_for_load_state("load")
        if path.startswith("/attendance/dashboard/") and username in ("p_township", "p_county"):
            # The charts' tooltips (HTML) show cadres' and townships' names as text.
            shown = _tooltips(page, "#heatmap" if username == "p_township" else "#coverage-chart")
            assert any(SCRIPT in text for text in shown) and any(ATTRIBUTE in text for text in shown), shown
        logout(page, base)
    assert dialogs == []
