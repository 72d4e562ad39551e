"""The roster import as officials use it, in a real browser (issue acceptance):

a county official logs in, imports a roster with one bad row, sees the error table, fixes it,
imports, and finds the teams; a township official of a different township sees none of them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from cadres.idnumbers import check_digit
from cadres.models import Cadre, Team
from tests.browser.helpers import login, logout
from zhucun.testing.roster import roster_bytes, roster_row
from zhucun.testing.world import World

# serialized_rollback: the live server needs committed data, and the flush after each test would
# otherwise also remove the province region that the migrations created for the tests after these.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NEW_VILLAGE = "新建村"
NEW_VILLAGE_CODE = "130102002009"  # in 甲二镇 (130102002) of 甲县, not yet in the world


def id_number(birth: str, sequence: int) -> str:
    first17 = f"130102{birth}{sequence:03d}"
    return first17 + check_digit(first17)


def with_wrong_check_digit(value: str) -> str:
    wrong = "0" if value[17] != "0" else "1"
    return value[:17] + wrong


def new_village_row(**overrides: object) -> list[object]:
    values: dict[str, object] = {
        "乡镇": "甲二镇",
        "村": NEW_VILLAGE,
        "村代码": NEW_VILLAGE_CODE,
        "派出单位": "甲县农业农村局",
        "派出单位层级": "县",
        "经度": "114.520000",
        "纬度": "38.010000",
    }
    values.update(overrides)
    return roster_row(**values)


def upload_roster(page: Page, base_url: str, path: Path) -> None:
    page.goto(f"{base_url}/roster/import/")
    page.set_input_files("input#id_file", str(path))
    with page.expect_navigation():  # the form posts and the page comes back with the result
        page.click("[data-testid=import-submit]")


def test_county_imports_roster_after_fixing_bad_row_and_other_township_sees_nothing(
    page: Page, live_server: object, world: World, tmp_path: Path
) -> None:
    base_url = live_server.url  # type: ignore[attr-defined]
    leader_id = id_number("19850612", 123)
    member_id = id_number("19900307", 456)
    rows = [
        # 甲村 (130102001001) already has a team in the world: one more 队员 for it.
        roster_row(姓名="甲村新队员", 身份证号=id_number("19880101", 11), 手机号="13700000001"),
        # 新建村 is a new village and team in 甲二镇: its leader and one member.
        new_village_row(姓名="王新书记", 性别="男", 身份证号=leader_id, 手机号="13700000002", 职务="第一书记兼队长"),
        new_village_row(姓名="李新队员", 性别="女", 身份证号=member_id, 手机号="13700000003", 职务="队员"),
    ]
    # The same file with one typo: the last member's ID number has a wrong check digit.
    bad_rows = [
        *rows[:2],
        new_village_row(
            姓名="李新队员", 性别="女", 身份证号=with_wrong_check_digit(member_id), 手机号="13700000003", 职务="队员"
        ),
    ]
    bad_file = tmp_path / "花名册-有错.xlsx"
    bad_file.write_bytes(roster_bytes(bad_rows))
    good_file = tmp_path / "花名册.xlsx"
    good_file.write_bytes(roster_bytes(rows))

    # The county official uploads the file with one bad row: an error table, nothing imported.
    login(page, base_url, "p_county")
    upload_roster(page, base_url, bad_file)
    errors = page.locator("[data-testid=import-errors]")
    expect(errors).to_be_visible()
    expect(errors).to_contain_text("1 处错误")
    expect(errors).to_contain_text("未导入任何数据")
    error_rows = errors.locator("tbody tr")
    expect(error_rows).to_have_count(1)
    expect(error_rows.first).to_contain_text("第 4 行")  # row 1 is the header
    expect(error_rows.first).to_contain_text("身份证号")
    expect(error_rows.first).to_contain_text("校验位")
    expect(page.locator("[data-testid=import-result]")).to_have_count(0)
    assert not Team.objects.filter(village_id=NEW_VILLAGE_CODE).exists()
    assert not Cadre.objects.filter(name__in=["甲村新队员", "王新书记", "李新队员"]).exists()

    # Fixed, the file imports.
    upload_roster(page, base_url, good_file)
    result = page.locator("[data-testid=import-result]")
    expect(result).to_be_visible()
    expect(result).to_contain_text("导入完成")
    expect(page.locator("[data-testid=import-errors]")).to_have_count(0)
    team = Team.objects.get(village_id=NEW_VILLAGE_CODE)
    assert set(team.cadres.values_list("name", flat=True)) == {"王新书记", "李新队员"}
    assert Cadre.objects.filter(name="甲村新队员", team__village_id="130102001001").exists()

    # ... and the county official finds the new team by searching the team list.
    page.goto(f"{base_url}/teams/")
    page.fill("#id_search", NEW_VILLAGE)
    page.press("#id_search", "Enter")
    page.wait_for_url(re.compile(r"search="))
    table = page.locator("[data-testid=team-table]")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text(NEW_VILLAGE)
    expect(table).to_contain_text("甲二镇")
    expect(table).to_contain_text("2 人")
    link = table.get_by_role("link", name=NEW_VILLAGE)
    assert link.get_attribute("href") == f"/teams/{team.pk}/"
    link.click()
    expect(page.locator("[data-testid=member-table]")).to_contain_text("王新书记")
    expect(page.locator("[data-testid=member-table]")).to_contain_text("李新队员")
    # The existing team in 甲村 got its new member too.
    page.goto(f"{base_url}/cadres/?search=甲村新队员")
    expect(page.locator("[data-testid=cadre-table]")).to_contain_text("甲村新队员")
    logout(page, base_url)

    # A township official of 甲一镇 (not 甲二镇) sees none of the new team: empty search, 404 on the page.
    login(page, base_url, world.personas["township"].username)
    page.goto(f"{base_url}/teams/?search={NEW_VILLAGE}")
    expect(page.locator("[data-testid=empty]")).to_be_visible()
    expect(page.locator("[data-testid=team-table]")).to_have_count(0)
    response = page.goto(f"{base_url}/teams/{team.pk}/")
    assert response is not None and response.status == 404
    expect(page.locator("body")).not_to_contain_text("王新书记")
    logout(page, base_url)

    # The township official of 甲二镇 does see it (the empty list above is scope, not a broken search).
    login(page, base_url, world.township_accounts["B"].username)
    page.goto(f"{base_url}/teams/?search={NEW_VILLAGE}")
    expect(page.locator("[data-testid=team-table] tbody tr")).to_have_count(1)
    response = page.goto(f"{base_url}/teams/{team.pk}/")
    assert response is not None and response.status == 200


def test_cadre_list_fits_a_phone_screen(page: Page, live_server: object, world: World) -> None:
    base_url = live_server.url  # type: ignore[attr-defined]
    page.set_viewport_size({"width": 360, "height": 740})
    login(page, base_url, "p_county")
    page.goto(f"{base_url}/cadres/")
    table = page.locator("[data-testid=cadre-table]")
    # 甲县 holds the teams of 甲村 (甲一镇) and 乙村 (甲二镇), each with a leader and a member.
    for name in ("甲村书记", "甲村队员", "乙村书记", "乙村队员"):
        expect(table.get_by_role("link", name=name)).to_be_visible()
    expect(page.locator("[data-testid=total-count]")).to_have_text("4")
    overflow = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth,"
        " body: document.body.scrollWidth})"
    )
    assert overflow["scroll"] <= overflow["inner"] + 1, overflow
    assert overflow["body"] <= overflow["inner"] + 1, overflow
