"""The household list import (issue 14): per village or township, all-or-nothing, every bad row listed,
the roster import's machinery (zhucun/spreadsheets.py) — template, error table, API."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from rest_framework.test import APIClient

from households.imports import COLUMNS
from households.models import Household
from households.services import household_import
from households.testing import households_xlsx
from tests.conftest import api_as
from zhucun.models import AuditEvent
from zhucun.testing.world import World

A, A_NAME = "130102001001", "甲村"


def row(head: str = "张三", kind: str = "贫困户", resident: str = "是", **overrides: str) -> list[str]:
    values = {"村代码": A, "村": A_NAME, "户主姓名": head, "门牌号或户编号": "", "类别": kind, "是否常住": resident,
              "联系电话": "13800138000"}  # fmt: skip
    values.update(overrides)
    return [values[column] for column in COLUMNS]


def post(client: APIClient, region: str, data: bytes) -> Any:
    return client.post(
        "/api/v1/household-imports/",
        {"region": region, "file": SimpleUploadedFile("农户名单.xlsx", data)},
        format="multipart",
    )


def test_the_template_has_the_header_and_the_instructions(world: World) -> None:
    response = api_as(world.personas["township"]).get("/api/v1/household-imports/template/")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert tuple(cell.value for cell in workbook.worksheets[0][1]) == COLUMNS
    assert "身份证号" in " ".join(str(r[0].value) for r in workbook["填写说明"].iter_rows())


def test_a_township_imports_its_villages_households_and_a_second_import_changes_nothing(world: World) -> None:
    client = api_as(world.personas["township"])
    data = households_xlsx(
        [row("张三"), row("李四", "非贫困户", "否", 联系电话=""), row("张三", 门牌号或户编号="西街2号")]
    )
    response = post(client, "130102001", data)
    assert response.status_code == 201, response.content
    assert response.json() == {"created": 3, "updated": 0, "unchanged": 0}
    assert Household.objects.filter(village_code=A).count() == 3
    assert AuditEvent.objects.filter(action="household.import").count() == 3
    again = post(client, "130102001", data)
    assert again.json() == {"created": 0, "updated": 0, "unchanged": 3}
    assert Household.objects.count() == 3


def test_an_import_updates_the_kind_of_a_household_that_left_poverty(world: World) -> None:
    client = api_as(world.personas["county"])
    post(client, A, households_xlsx([row("王五")]))
    response = post(client, A, households_xlsx([row("王五", "非贫困户")]))
    assert response.json() == {"created": 0, "updated": 1, "unchanged": 0}
    assert Household.objects.get(head_name="王五").kind == "non_poor"
    event = AuditEvent.objects.filter(action="household.import").latest("id")
    assert event.before is not None and event.after is not None
    assert (event.before["kind"], event.after["kind"]) == ("poor", "non_poor")


def test_every_bad_row_is_listed_and_nothing_is_written(world: World) -> None:
    data = households_xlsx(
        [
            row("好户"),
            row("坏类别", "脱贫户"),
            row("坏常住", resident="常常"),
            row("", 联系电话="abc"),
            row("别村户", 村代码="130102002001", 村="乙村"),
            row("错名户", 村="乙村"),
            row("好户"),
            row("无此村", 村代码="130102001999"),
        ]
    )
    response = post(api_as(world.personas["township"]), "130102001", data)
    assert response.status_code == 400
    errors = [(e["row"], e["column"]) for e in response.json()["errors"]]
    assert errors == [
        (3, "类别"), (4, "是否常住"), (5, "户主姓名"), (5, "联系电话"), (6, "村代码"), (7, "村"), (8, "户主姓名"),
        (9, "村代码"),
    ]  # fmt: skip
    assert "第 2 行" in response.json()["errors"][6]["message"]
    assert not Household.objects.exists()
    assert not AuditEvent.objects.filter(action="household.import").exists()


def test_a_file_that_is_not_the_template_is_refused_as_a_whole(world: World) -> None:
    client = api_as(world.personas["township"])
    wrong = post(client, "130102001", households_xlsx([row()], header=("村代码", "村", "姓名")))
    assert wrong.status_code == 400 and "表头" in wrong.json()["errors"][0]["message"]
    junk = post(client, "130102001", b"not a spreadsheet")
    assert junk.status_code == 400 and "Excel" in junk.json()["errors"][0]["message"]
    empty = post(client, "130102001", households_xlsx([]))
    assert empty.status_code == 400 and "没有农户" in empty.json()["errors"][0]["message"]
    assert not Household.objects.exists()


def test_a_region_out_of_scope_is_404_and_a_role_that_may_not_import_is_403(world: World) -> None:
    data = households_xlsx([row()])
    assert post(api_as(world.personas["township"]), "130102002", data).status_code == 404
    assert post(api_as(world.personas["city"]), "130102001", data).status_code == 403
    assert post(api_as(world.personas["township"]), "1301", data).status_code == 400
    assert not Household.objects.exists()


def test_the_import_makes_no_query_per_row(world: World) -> None:
    actor = world.personas["township"]
    region = world.teams["A"].village

    def count(heads: range) -> int:
        data = households_xlsx([row(f"户{i}") for i in heads])
        with CaptureQueriesContext(connection) as queries:
            household_import(actor=actor, region=region, upload=io.BytesIO(data))
        return len(queries)

    small = count(range(10))
    large = count(range(1000, 1300))
    # the inserts go in batches (SQLite takes fewer rows per statement than PostgreSQL): 30 times
    # the rows, a handful more statements
    assert large - small <= 10, (small, large)


def test_the_page_shows_the_error_table_and_then_the_result(world: World) -> None:
    browser = Client()
    browser.force_login(world.personas["township"])
    page = browser.get("/households/import/")
    assert page.status_code == 200 and "甲一镇" in page.content.decode()
    bad = browser.post(
        "/households/import/",
        {"region": "130102001", "file": SimpleUploadedFile("农户.xlsx", households_xlsx([row(kind="?")]))},
    )
    assert bad.status_code == 400
    assert 'data-testid="import-errors"' in bad.content.decode() and "类别应为" in bad.content.decode()
    good = browser.post(
        "/households/import/",
        {"region": "130102001", "file": SimpleUploadedFile("农户.xlsx", households_xlsx([row()]))},
    )
    assert good.status_code == 200 and "新登记 <strong>1</strong> 户" in good.content.decode()
