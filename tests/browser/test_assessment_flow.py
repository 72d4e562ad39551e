"""The provincial assessment as the province's organization department runs it, in a real browser
(issue 5 acceptance): grade a level, be refused the over-cap 优秀 with a clear message, finalize, and
download the print-ready workbook."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from assessment.models import AssessmentResult, AssessmentRound
from tests.assessment.helpers import YEAR, province_level
from tests.browser.helpers import login
from zhucun.testing.world import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def grade_all(page: Page, pks: list[int], grade: str) -> None:
    for pk in pks:
        page.select_option(f"[data-testid=grade-{pk}]", grade)
    settle(page)


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

    # Cadres and units.
    page.goto(f"{base_url}/assessment/{YEAR}/cadre/")
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
    assert book["驻村工作队"]["A1"].value == f"{YEAR}年度驻村工作队考核结果（河北省·省级）"
    grades = [row[8] for row in book["驻村工作队"].iter_rows(min_row=3, values_only=True)]
    assert grades.count("优秀") == 2
    quota = [row for row in book["优秀比例核查"].iter_rows(min_row=3, values_only=True) if row[3] == "驻村工作队"]
    assert quota[0][2] == "已定档" and quota[0][4:7] == (5, 2, 2)
