"""The county office reveals one cadre's 身份证号 in a real browser (issue 10 item 11): the page shows
the number masked, the button swaps in the full number in place (htmx), and the look is audited.
From the same page it opens the cadre's file (第十五条2, decision 0132) and prints it: headless
Chromium's PDF of the page has A4 pages, each section under the province's header, no navigation."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from cadres.idnumbers import mask_id_number
from tests.browser.helpers import login
from zhucun.models import AuditEvent
from zhucun.testing.world import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

A4_POINTS = (595.28, 841.89)


def test_the_county_office_reveals_a_number_in_place_and_the_look_is_audited(
    page: Page, live_server: object, world: World, tmp_path: Path
) -> None:
    base = str(live_server)
    cadre = world.leaders["A"]
    login(page, base, "p_county")

    page.goto(f"{base}/cadres/{cadre.pk}/")
    number = page.locator("[data-testid=id-number]")
    expect(number).to_contain_text(mask_id_number(cadre.id_number))
    expect(number).not_to_contain_text(cadre.id_number)

    page.get_by_role("button", name="查看完整号码").click()

    expect(number).to_contain_text(cadre.id_number)
    expect(number).to_contain_text("已记入审计日志")
    assert page.url == f"{base}/cadres/{cadre.pk}/"  # swapped in place, no navigation
    event = AuditEvent.objects.get(action="cadre.reveal_id_number")
    assert (event.actor_id, event.object_id) == (world.personas["county"].pk, str(cadre.pk))

    # 第十五条2: the cadre's file, opened from the cadre page and printed on A4
    page.get_by_test_id("archive").click()
    expect(page.get_by_test_id("archive-header")).to_have_text("河北省驻村干部管理档案")
    expect(page.get_by_test_id("archive-attendance")).to_contain_text("三、考勤（按月）")
    page.screenshot(path=str(tmp_path / "archive-1366.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(tmp_path / "archive-390.png"), full_page=True)
    printed_pdf = page.pdf(prefer_css_page_size=True)
    (tmp_path / "archive.pdf").write_bytes(printed_pdf)
    pdf = PdfReader(io.BytesIO(printed_pdf))
    sections = page.locator(".zc-archive-section").count()
    assert len(pdf.pages) >= sections  # each section on a new page (the first on the cover)
    texts = ["".join(p.extract_text().split()) for p in pdf.pages]  # pypdf spaces out CJK runs
    for printed in pdf.pages:
        size = (float(printed.mediabox.width), float(printed.mediabox.height))
        assert all(abs(got - a4) < 1 for got, a4 in zip(size, A4_POINTS, strict=True)), size  # Letter: 612 × 792
    assert sum("河北省驻村干部管理档案" in text for text in texts) >= sections  # each section's first page
    assert texts[-1].startswith(f"第{len(texts)}页/共{len(texts)}页")  # numbered pages
    assert not any("退出" in text or "驻村干部管理系统" in text for text in texts)  # no navigation printed
