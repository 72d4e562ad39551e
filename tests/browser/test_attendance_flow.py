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
    page: Page, live_server: object, world: World
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

    row = page.locator(f"#finding-{finding.pk}")
    expect(row).to_contain_text("未公示去向")
    row.get_by_role("button", name="确认缺岗").click()
    expect(page.locator(f"#finding-{finding.pk}")).to_contain_text("已确认")  # swapped in place by htmx
    finding.refresh_from_db()
    assert finding.status == AbsenceFinding.Status.CONFIRMED
    assert finding.decided_by == world.personas["township"]

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


def _decoded(png: bytes) -> list[str]:
    """The texts of the QR codes in a screenshot, read by zxing-cpp like a phone's scanner would."""
    return [code.text for code in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]
