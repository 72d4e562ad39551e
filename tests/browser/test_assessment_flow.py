"""The provincial assessment as the province's organization department runs it, in a real browser
(issue 5 acceptance): grade a level, be refused the over-cap 优秀 with a clear message, finalize, and
download the print-ready workbook."""

from __future__ import annotations

import io
import os

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from assessment.models import AssessmentResult, AssessmentRound
from cadres.models import Unit
from tests.assessment.helpers import YEAR, province_level
from tests.browser.helpers import login
from zhucun.testing.world import World
from zhucun.testing.xlsx import table_rows

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def grade_all(page: Page, pks: list[int], grade: str) -> None:
    for pk in pks:
        page.select_option(f"[data-testid=grade-{pk}]", grade)
    settle(page)


def assert_grid_usable(page: Page, pks: list[int]) -> None:
    """At 1366 px and at 390 px every name stays on one line and every grade dropdown is wide enough to
    read and tap (≥ 120 px), inside the screen."""
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        if os.environ.get("ZHUCUN_SCREENSHOTS"):  # to look at the grid: a directory for the PNGs
            page.screenshot(path=f"{os.environ['ZHUCUN_SCREENSHOTS']}/grid-{width}.png", full_page=True)
        for pk in pks:
            assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scrolling
            name = page.locator(f"[data-testid=row-{pk}] [data-testid=subject-name]")
            height, line = name.evaluate(
                "el => [el.getBoundingClientRect().height, parseFloat(getComputedStyle(el).lineHeight)]"
            )
            assert height < 1.5 * line, (width, pk, height, line)  # one line, not two
            select = page.locator(f"[data-testid=grade-{pk}]").bounding_box()
            assert select is not None
            assert select["width"] >= 120, (width, pk, select)
            assert select["x"] >= 0 and select["x"] + select["width"] <= width, (width, pk, select)
    page.set_viewport_size({"width": 1366, "height": 900})


def settle(page: Page) -> None:
    """Let the inline checks (htmx, one per change) finish before the next step."""
    page.wait_for_timeout(300)
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def test_province_grades_a_level_is_refused_over_cap_finalizes_and_downloads(
    page: Page, live_server: object, world: World
) -> None:
    base_url = live_server.url  # type: ignore[attr-defined]
    teams = province_level(5)
    cadres = [team.cadres.get() for team in teams]
    login(page, base_url, "p_province")

    page.goto(f"{base_url}/assessment/?year={YEAR}")
    expect(page.locator("[data-testid=progress-team]")).to_have_text("0 / 5 个")
    expect(page.locator("[data-testid=quota-team]")).to_contain_text("上限 2 个")

    # Teams: three 优秀 of five — the third is refused inline, before saving.
    page.click("[data-testid=grid-link-team]")
    grade_all(page, [t.pk for t in teams[3:]], "good")
    grade_all(page, [t.pk for t in teams[:3]], "excellent")
    feedback = page.locator(f"[data-testid=feedback-{teams[2].pk}]")
    expect(feedback).to_contain_text("第二十二条：本级驻村工作队优秀已 2 个，上限 2 个")
    expect(page.locator("[data-testid=check-errors]")).to_be_visible()
    # Saving anyway is refused whole, with the message next to the row.
    page.click("[data-testid=save-grades]")
    expect(page.locator("[data-testid=grid-summary]")).to_contain_text("未保存任何修改")
    expect(page.locator(f"[data-testid=feedback-{teams[2].pk}]")).to_contain_text("上限 2 个")
    assert not AssessmentResult.objects.exists()
    # The official lowers the third to 良好 and saves the level.
    page.select_option(f"[data-testid=grade-{teams[2].pk}]", "good")
    expect(feedback).to_have_text("")
    settle(page)
    page.click("[data-testid=save-grades]")
    expect(page.get_by_role("alert")).to_contain_text("已保存 5 条考核等次")

    # Cadres and units. The cadre grid works at a laptop's and a phone's width (issue 15 item 5).
    for cadre, name in zip(cadres, ["欧阳娜", "张晓明", "李建国", "王秀英", "赵国庆"], strict=True):
        cadre.name = name
        cadre.save(update_fields=["name"])
        Unit.objects.filter(pk=cadre.unit_id).update(name=f"河北省乡村振兴促进中心第{name}驻村帮扶工作联络办公室")
    page.goto(f"{base_url}/assessment/{YEAR}/cadre/")
    grade_all(page, [c.pk for c in cadres[:3]], "excellent")  # the third's refusal fills its 提示 cell
    expect(page.locator(f"[data-testid=feedback-{cadres[2].pk}]")).to_contain_text("上限 2 人")
    assert_grid_usable(page, [c.pk for c in cadres])
    grade_all(page, [c.pk for c in cadres], "competent")
    page.click("[data-testid=save-grades]")
    expect(page.get_by_role("alert")).to_contain_text("已保存 5 条")
    page.goto(f"{base_url}/assessment/{YEAR}/unit/")
    grade_all(page, [t.unit_id for t in teams], "good")
    page.click("[data-testid=save-grades]")
    expect(page.get_by_role("alert")).to_contain_text("已保存 5 条")

    # Finalize (after confirming), then the round is locked.
    page.goto(f"{base_url}/assessment/?year={YEAR}")
    expect(page.locator("[data-testid=progress-unit]")).to_have_text("5 / 5 个")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=finalize]")
    expect(page.locator("[data-testid=round-status]")).to_contain_text("已定档")
    assert AssessmentRound.objects.get(year=YEAR, level="province").status == "finalized"

    # Download the workbook and read it back.
    with page.expect_download() as info:
        page.click("[data-testid=export]")
    download = info.value
    path = download.path()
    assert path is not None
    book = load_workbook(io.BytesIO(path.read_bytes()))
    assert book["省级驻村工作队"]["A1"].value == f"{YEAR}年度省级驻村工作队考核结果（河北省·省级）"
    grades = [row[8] for row in table_rows(book["省级驻村工作队"])]
    assert grades.count("优秀") == 2
    quota = [row for row in table_rows(book["优秀比例核查"]) if row[3] == "驻村工作队"]
    assert quota[0][2] == "已定档" and quota[0][4:7] == (5, 2, 2)
