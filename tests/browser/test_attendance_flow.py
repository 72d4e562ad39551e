"""The township's morning in a real browser (issue 3 acceptance): a township official logs in, sees
the uncovered village and a cadre under 25 days on the dashboard, confirms a pending finding; the
public village page shows whereabouts and no personal data, and the printed poster's QR code scans
(issue 15 item 1: decoded from a screenshot of the poster as Chromium renders it)."""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid

import pytest
import zxingcpp
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Page, expect

from attendance.models import AbsenceFinding, SignIn
from zhucun.testing.world import PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_township_official_reads_the_dashboard_and_confirms_a_finding(
    page: Page, live_server: object, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    base = str(live_server)
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    leader, member = world.leaders["A"], world.members["A"]
    # The leader signed in yesterday only; nobody today: 甲村 is uncovered and both are under 25 days.
    SignIn.objects.create(
        cadre=leader, village_code=world.village("A"), date=yesterday, client_id=uuid.uuid4(),
        status="ok", inside_geofence=True, distance_m=80,
    )  # fmt: skip
    finding = AbsenceFinding.objects.create(
        cadre=member, village_code=world.village("A"), date=yesterday, source="whereabouts_unposted"
    )
    other = AbsenceFinding.objects.create(
        cadre=leader, village_code=world.village("A"), date=yesterday, source="missing_signin"
    )

    not_found: list[str] = []  # every page asks for an icon: none may be a 404 (issue 15 item 15)
    page.on("response", lambda response: not_found.append(response.url) if response.status == 404 else None)
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "p_township")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(f"{base}/attendance/dashboard/")

    uncovered = page.locator("[data-testid=uncovered-villages]")
    expect(uncovered).to_contain_text("甲村")
    expect(uncovered).to_contain_text(leader.phone)  # the township may call the team
    month = page.locator("[data-testid=cadre-month]")
    expect(month.locator("tr", has_text="甲村队员")).to_contain_text("不足25天")
    expect(page.locator("#heatmap svg")).to_be_visible()  # the month heat-map rendered

    # Deciding a finding (issue 15 item 3): the row shows a legible badge in place and the counter follows.
    pending = page.locator("[data-testid=pending-count]")
    expect(pending).to_have_text("2")
    row = page.locator(f"#finding-{finding.pk}")
    expect(row).to_contain_text("未公示去向")
    row.get_by_role("button", name="确认缺岗").click()
    badge = page.locator(f"#finding-{finding.pk} .zc-badge")
    expect(badge).to_have_text("已确认")  # swapped in place by htmx
    _assert_legible(page, f"#finding-{finding.pk} .zc-badge")
    expect(pending).to_have_text("1")
    finding.refresh_from_db()
    assert finding.status == AbsenceFinding.Status.CONFIRMED
    assert finding.decided_by == world.personas["township"]
    row = page.locator(f"#finding-{other.pk}")
    row.get_by_label("理由").fill("当天在县里开会")
    row.get_by_role("button", name="排除").click()
    expect(page.locator(f"#finding-{other.pk} .zc-badge")).to_have_text("已排除")
    _assert_legible(page, f"#finding-{other.pk} .zc-badge")
    expect(pending).to_have_text("0")

    # A heat-map cell opens that cadre's day (issue 15 item 13): yesterday's 在村 cell is the leader's.
    page.goto(f"{base}/attendance/dashboard/?month={yesterday:%Y-%m}")
    # Two green paths once the chart is drawn: yesterday's cell and the 在村 swatch of the legend below it. Under
    # load the legend could be drawn first and `.first` clicked it (it filters, never navigates): wait for both and
    # click the cell, the larger of the two.
    green = page.locator("#heatmap path[fill='#2e7d32']")
    expect(green).to_have_count(2)
    cell = max((green.nth(i) for i in range(2)), key=lambda p: (p.bounding_box() or {"height": 0.0})["height"])
    with page.expect_navigation():  # a click that navigates nowhere fails here, one that goes elsewhere below
        cell.click()
    assert page.url.endswith(f"{reverse('attendance-cadre', args=[leader.pk])}?day={yesterday:%Y-%m-%d}"), page.url
    expect(page.locator("[data-testid=cadre-day]")).to_contain_text("正常")  # yesterday's sign-in
    expect(page.locator("[data-testid=cadre-call]")).to_have_attribute("href", f"tel:{leader.phone}")

    # The public board: names and whereabouts, nothing personal.
    page.goto(f"{base}/public/villages/{world.village('A')}/")
    board = page.locator("[data-testid=public-board]")
    expect(board).to_contain_text("甲村书记")
    expect(board).to_contain_text("未公示")
    body = page.content()
    assert leader.phone not in body and member.phone not in body
    assert leader.id_number[-4:] not in body
    assert not re.search(r"\b38\.0+\b|\b114\.5", body)  # no coordinates

    # The poster's QR code, as printed on A4 and as shown on a phone screen, leads back to the page.
    public_url = base + reverse("public-village", args=[world.village("A")])
    page.goto(f"{base}/public/villages/{world.village('A')}/poster/")
    qr = page.locator("[data-testid=poster-qr]")
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        expect(qr).to_be_visible()
        assert _decoded(qr.screenshot()) == [public_url], width
    # Chromium scales an <img> of an SVG that has no viewBox; Firefox and SVG-as-document renderers
    # (print pipelines, a saved image) draw it at its own width and height and cut it to the box: the
    # same SVG drawn as a document into the poster's box must scan too.
    box = qr.bounding_box()
    assert box is not None and box["width"] > 100
    source = qr.get_attribute("src") or ""
    assert source.startswith("data:image/svg+xml")
    sheet = page.context.new_page()
    size = f'width="{box["width"]:.0f}" height="{box["height"]:.0f}"'
    sheet.set_content(f'<object type="image/svg+xml" {size} data="{source}"></object>')
    assert _decoded(sheet.locator("object").screenshot()) == [public_url]
    sheet.close()
    assert not_found == []
    # … nor a request the browser makes by itself (the icon), as the server logs it
    logged = [r.getMessage() for r in caplog.records if r.name == "django.request"]
    assert [message for message in logged if message.startswith("Not Found")] == []


def _decoded(png: bytes) -> list[str]:
    """The texts of the QR codes in a screenshot, read by zxing-cpp like a phone's scanner would."""
    return [code.text for code in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


_CONTRAST = """(selector) => {
  const el = document.querySelector(selector);
  const style = getComputedStyle(el);
  const rgb = (value) => value.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const luminance = (value) => {
    const [r, g, b] = rgb(value).map((c) => {
      c /= 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  let back = el, background = "rgba(0, 0, 0, 0)";
  while (back && /rgba\\(.*, 0\\)$/.test((background = getComputedStyle(back).backgroundColor))) {
    back = back.parentElement;
  }
  if (!back) background = "rgb(255, 255, 255)";
  const [light, dark] = [luminance(style.color), luminance(background)].sort((a, b) => b - a);
  return (light + 0.05) / (dark + 0.05);
}"""


def _assert_legible(page: Page, selector: str) -> None:
    """The element's text against the background it is drawn on meets WCAG AA (4.5:1)."""
    ratio = page.evaluate(_CONTRAST, selector)
    assert ratio >= 4.5, f"{selector}: contrast {ratio:.2f}"
