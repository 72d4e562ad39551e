"""Roster import (API.md "Roster import"): the xlsx template, the upload through the API and the browser
page, its checks (every bad row listed, all-or-nothing), scoping and the audit trail."""

from __future__ import annotations

import datetime as dt
import io
import random
import zipfile
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from cadres.models import Cadre, Region, Team, Unit
from cadres.roster import COLUMNS, RosterError, roster_read, roster_template
from cadres.services import roster_import
from tests.conftest import api_as
from zhucun.models import AuditEvent, PolicyProfileVersion
from zhucun.testing.roster import roster_bytes, roster_row
from zhucun.testing.world import World, make_id_number

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: a village of the world's home township that does not exist yet
NEW_VILLAGE: dict[str, object] = {
    "市": "石家庄市",
    "县": "甲县",
    "乡镇": "甲一镇",
    "村": "新村",
    "村代码": "130102001002",
    "经度": "114.600000",
    "纬度": "38.100000",
}
#: the village of target C, in the sibling county 丙县 (130104)
VILLAGE_C: dict[str, object] = {
    "县": "丙县",
    "乡镇": "丙一镇",
    "村": "丙村",
    "村代码": "130104001001",
    "派出单位": "丙县卫生健康局",
}


def new_id(serial: int) -> str:
    """A valid ID number not used by the world (which uses serials 1–8)."""
    return make_id_number(1000 + serial)


def upload(data: bytes, name: str = "花名册.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=XLSX)


def post_roster(client: APIClient, data: bytes, name: str = "花名册.xlsx") -> Any:
    return client.post(reverse("api:roster-import"), {"file": upload(data, name)}, format="multipart")


def table_counts() -> dict[str, int]:
    return {
        "regions": Region.objects.count(),
        "units": Unit.objects.count(),
        "teams": Team.objects.count(),
        "cadres": Cadre.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def errors_of(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == {"errors"}
    return body["errors"]


def new_village_rows() -> list[list[object]]:
    """A new village with a leader from a new provincial unit and a member from the world's unit A."""
    return [
        roster_row(
            **NEW_VILLAGE,
            派出单位="河北省卫生健康委员会",
            派出单位层级="省",
            姓名="王书记",
            性别="男",
            身份证号=new_id(1),
            手机号="13700000011",
            职务="第一书记兼队长",
            驻村开始日期="2018-07-01",
        ),
        roster_row(**NEW_VILLAGE, 姓名="李队员", 身份证号=new_id(2), 手机号="13700000012"),
    ]


@pytest.fixture
def province(world: World) -> APIClient:
    return api_as(world.personas["province"])


# --- a valid file -------------------------------------------------------------------------------


def test_valid_file_imports_village_unit_team_and_cadres_with_counts(world: World, province: APIClient) -> None:
    response = post_roster(province, roster_bytes(new_village_rows()))

    assert response.status_code == 201, response.content
    assert response.json() == {"teams": 1, "cadres": 2, "villages": 1, "units": 1}
    village = Region.objects.get(code="130102001002")
    assert (village.name, village.parent_id, village.level) == ("新村", "130102001", Region.Level.VILLAGE)
    assert village.is_poor_village
    assert (village.longitude, village.latitude) == (Decimal("114.600000"), Decimal("38.100000"))
    assert village.geofence_radius_m
    unit = Unit.objects.get(name="河北省卫生健康委员会")
    assert (unit.level, unit.region_id) == (Unit.Level.PROVINCE, "13")
    team = Team.objects.get(village_id="130102001002")
    assert team.unit == unit
    leader = Cadre.objects.get(id_number=new_id(1))
    assert (leader.name, leader.gender, leader.phone) == ("王书记", Cadre.Gender.MALE, "13700000011")
    assert (leader.role, leader.unit, leader.team, leader.status) == (
        Cadre.Role.FIRST_SECRETARY_LEADER,
        unit,
        team,
        Cadre.Status.ACTIVE,
    )
    member = Cadre.objects.get(id_number=new_id(2))
    assert (member.name, member.role, member.unit, member.team) == ("李队员", Cadre.Role.MEMBER, world.units["A"], team)
    assert member.term_start == dt.date(2025, 3, 1)


def test_valid_import_records_one_audit_event_per_created_object_with_the_actor(
    world: World, province: APIClient
) -> None:
    actor = world.personas["province"]
    before = AuditEvent.objects.count()

    response = post_roster(province, roster_bytes(new_village_rows()))

    assert response.status_code == 201, response.content
    village = Region.objects.get(code="130102001002")
    unit = Unit.objects.get(name="河北省卫生健康委员会")
    team = Team.objects.get(village_id="130102001002")
    created = [
        ("region.create", village),
        ("unit.create", unit),
        ("team.create", team),
        ("cadre.create", Cadre.objects.get(id_number=new_id(1))),
        ("cadre.create", Cadre.objects.get(id_number=new_id(2))),
    ]
    for action, obj in created:
        event = AuditEvent.objects.get(action=action, object_type=obj._meta.label_lower, object_id=str(obj.pk))
        assert event.actor == actor
        assert event.before is None
        assert event.after
    assert AuditEvent.objects.count() - before == len(created)
    assert AuditEvent.objects.get(action="team.create").region_code == "130102001002"
    assert set(AuditEvent.objects.filter(action="cadre.create").values_list("region_code", flat=True)) == {
        "130102001002"
    }


def test_reimporting_the_same_file_changes_nothing(world: World, province: APIClient) -> None:
    data = roster_bytes(new_village_rows())
    assert post_roster(province, data).status_code == 201
    cadres = list(Cadre.objects.order_by("pk").values())
    teams = list(Team.objects.order_by("pk").values())
    regions = list(Region.objects.order_by("code").values())
    units = list(Unit.objects.order_by("pk").values())
    events = AuditEvent.objects.count()

    response = post_roster(province, data)

    assert response.status_code == 201, response.content
    assert response.json() == {"teams": 0, "cadres": 0, "villages": 0, "units": 0}
    assert AuditEvent.objects.count() == events
    assert list(Cadre.objects.order_by("pk").values()) == cadres
    assert list(Team.objects.order_by("pk").values()) == teams
    assert list(Region.objects.order_by("code").values()) == regions
    assert list(Unit.objects.order_by("pk").values()) == units


def test_importing_a_row_identical_to_the_database_changes_nothing(world: World, province: APIClient) -> None:
    leader = world.leaders["A"]
    row = roster_row(
        姓名=leader.name,
        性别="男",
        身份证号=leader.id_number,
        手机号=leader.phone,
        职务="第一书记兼队长",
        驻村开始日期=leader.term_start.isoformat(),
    )
    before = table_counts()

    response = post_roster(province, roster_bytes([row]))

    assert response.status_code == 201, response.content
    assert response.json() == {"teams": 0, "cadres": 0, "villages": 0, "units": 0}
    assert table_counts() == before


def test_reimport_with_a_changed_phone_updates_the_cadre_and_audits_the_change(
    world: World, province: APIClient
) -> None:
    assert post_roster(province, roster_bytes([roster_row(身份证号=new_id(1))])).status_code == 201
    cadre = Cadre.objects.get(id_number=new_id(1))

    response = post_roster(province, roster_bytes([roster_row(身份证号=new_id(1), 手机号="13899990000")]))

    assert response.status_code == 201, response.content
    assert response.json() == {"teams": 0, "cadres": 1, "villages": 0, "units": 0}
    cadre.refresh_from_db()
    assert cadre.phone == "13899990000"
    event = AuditEvent.objects.get(action="cadre.update", object_id=str(cadre.pk))
    assert event.actor == world.personas["province"]
    assert event.before == {"phone": "13700000001"}
    assert event.after == {"phone": "13899990000"}


def test_new_coordinates_of_an_existing_village_update_it_and_count_as_a_village(
    world: World, province: APIClient
) -> None:
    response = post_roster(province, roster_bytes([roster_row(经度="114.510000", 纬度="38.020000")]))

    assert response.status_code == 201, response.content
    assert response.json() == {"teams": 0, "cadres": 1, "villages": 1, "units": 0}
    village = Region.objects.get(code="130102001001")
    assert (village.longitude, village.latitude) == (Decimal("114.510000"), Decimal("38.020000"))
    event = AuditEvent.objects.get(action="region.update", object_id="130102001001")
    assert event.after == {"latitude": "38.020000", "longitude": "114.510000"}


# --- header -------------------------------------------------------------------------------------


def _swapped(first: str, second: str) -> list[str]:
    header = list(COLUMNS)
    i, j = header.index(first), header.index(second)
    header[i], header[j] = header[j], header[i]
    return header


@pytest.mark.parametrize(
    ("header", "expected_column", "found"),
    [
        (_swapped("姓名", "性别"), "姓名", "性别"),
        ([("身份证号码" if c == "身份证号" else c) for c in COLUMNS], "身份证号", "身份证号码"),
        (list(COLUMNS[:-1]), "驻村开始日期", "空"),
        (["姓名", "身份证号"], "市", "姓名"),
    ],
    ids=["swapped", "renamed", "missing-last", "foreign-layout"],
)
def test_wrong_header_is_one_error_on_row_1_naming_the_expected_column_and_writes_nothing(
    world: World, province: APIClient, header: list[str], expected_column: str, found: str
) -> None:
    before = table_counts()

    response = post_roster(province, roster_bytes(new_village_rows(), header=header))

    errors = errors_of(response)
    assert len(errors) == 1
    assert errors[0]["row"] == 1
    assert errors[0]["column"] == expected_column
    assert f"「{expected_column}」" in errors[0]["message"]
    assert f"「{found}」" in errors[0]["message"]
    assert table_counts() == before


# --- per-cell checks ----------------------------------------------------------------------------


def test_bad_id_check_digit_is_an_error_on_that_row_naming_the_expected_digit(
    world: World, province: APIClient
) -> None:
    good = new_id(1)
    wrong_digit = "0" if good[17] != "0" else "1"
    rows = [roster_row(身份证号=new_id(2)), roster_row(姓名="错号", 身份证号=good[:17] + wrong_digit)]
    before = table_counts()

    errors = errors_of(post_roster(province, roster_bytes(rows)))

    assert [(e["row"], e["column"]) for e in errors] == [(3, "身份证号")]
    assert f"应为 {good[17]}" in errors[0]["message"]
    assert table_counts() == before


def test_lower_case_x_in_the_id_number_is_accepted_and_stored_upper_case(world: World, province: APIClient) -> None:
    response = post_roster(province, roster_bytes([roster_row(身份证号="11010119900307803x")]))

    assert response.status_code == 201, response.content
    assert Cadre.objects.filter(id_number="11010119900307803X", name="新队员").exists()


def test_unknown_role_is_an_error_naming_the_value(world: World, province: APIClient) -> None:
    errors = errors_of(post_roster(province, roster_bytes([roster_row(职务="组长")])))

    assert [(e["row"], e["column"]) for e in errors] == [(2, "职务")]
    assert "组长" in errors[0]["message"]
    assert not Cadre.objects.filter(id_number=roster_row()[COLUMNS.index("身份证号")]).exists()


@pytest.mark.parametrize(
    ("column", "value", "fragment"),
    [
        ("派出单位层级", "乡", "派出单位层级"),
        ("性别", "M", "性别"),
        ("手机号", "2380013800", "手机号"),
        ("村代码", "13010200100", "12 位"),
        ("村代码", "110102001001", "本省"),
        ("经度", "200", "经度"),
        ("纬度", "abc", "纬度"),
        ("驻村开始日期", "2018-13-01", "驻村开始日期"),
        ("姓名", "", "不能为空"),
    ],
)
def test_invalid_cell_is_an_error_on_its_row_and_column(
    world: World, province: APIClient, column: str, value: str, fragment: str
) -> None:
    errors = errors_of(post_roster(province, roster_bytes([roster_row(**{column: value})])))

    assert [(e["row"], e["column"]) for e in errors] == [(2, column)]
    assert fragment in errors[0]["message"]


# --- consistency with the region tree -----------------------------------------------------------


def test_county_name_differing_from_the_existing_county_of_the_code_is_an_error(
    world: World, province: APIClient
) -> None:
    before = table_counts()

    errors = errors_of(post_roster(province, roster_bytes([roster_row(县="乙县")])))

    assert [(e["row"], e["column"]) for e in errors] == [(2, "县")]
    assert "130102" in errors[0]["message"]
    assert "甲县" in errors[0]["message"]
    assert "乙县" in errors[0]["message"]
    assert table_counts() == before


def test_two_rows_with_the_same_new_county_code_but_different_county_names_are_an_error(
    world: World, province: APIClient
) -> None:
    rows = [
        roster_row(
            县="戊县", 乡镇="戊一镇", 村="戊村", 村代码="130105001001", 身份证号=new_id(1), 职务="第一书记兼队长"
        ),
        roster_row(
            县="己县", 乡镇="己一镇", 村="己村", 村代码="130105002001", 身份证号=new_id(2), 职务="第一书记兼队长"
        ),
    ]
    before = table_counts()

    errors = errors_of(post_roster(province, roster_bytes(rows)))

    assert [(e["row"], e["column"]) for e in errors] == [(3, "县")]
    message = errors[0]["message"]
    assert "130105" in message
    assert "第 2 行" in message
    assert "戊县" in message and "己县" in message
    assert table_counts() == before
    assert not Region.objects.filter(code="130105").exists()


def test_village_name_differing_from_the_existing_village_of_the_code_is_an_error(
    world: World, province: APIClient
) -> None:
    errors = errors_of(post_roster(province, roster_bytes([roster_row(村="东庄村")])))

    assert [(e["row"], e["column"]) for e in errors] == [(2, "村")]
    assert "甲村" in errors[0]["message"]


# --- team rules ---------------------------------------------------------------------------------


def test_two_leaders_in_one_new_village_is_an_error_on_the_second_row(world: World, province: APIClient) -> None:
    rows = [
        roster_row(**NEW_VILLAGE, 姓名="队长甲", 身份证号=new_id(1), 职务="队长"),
        roster_row(**NEW_VILLAGE, 姓名="书记乙", 身份证号=new_id(2), 职务="第一书记兼队长"),
    ]
    before = table_counts()

    errors = errors_of(post_roster(province, roster_bytes(rows)))

    assert [(e["row"], e["column"]) for e in errors] == [(3, "职务")]
    assert "队长" in errors[0]["message"]
    assert "第 2 行" in errors[0]["message"]
    assert table_counts() == before


def test_new_leader_for_a_team_that_already_has_an_active_leader_is_an_error(world: World, province: APIClient) -> None:
    before = table_counts()

    errors = errors_of(post_roster(province, roster_bytes([roster_row(姓名="新队长", 职务="队长")])))

    assert [(e["row"], e["column"]) for e in errors] == [(2, "职务")]
    assert world.leaders["A"].name in errors[0]["message"]
    assert table_counts() == before


def test_two_first_secretaries_in_one_village_is_an_error(world: World, province: APIClient) -> None:
    rows = [
        roster_row(**NEW_VILLAGE, 姓名="队长甲", 身份证号=new_id(1), 职务="第一书记兼队长"),
        roster_row(**NEW_VILLAGE, 姓名="书记乙", 身份证号=new_id(2), 职务="第一书记"),
    ]

    errors = errors_of(post_roster(province, roster_bytes(rows)))

    assert [(e["row"], e["column"]) for e in errors] == [(3, "职务")]
    assert "第一书记" in errors[0]["message"]


def test_replacing_a_teams_leader_in_the_same_file_is_accepted(world: World, province: APIClient) -> None:
    old = world.leaders["A"]
    rows = [
        roster_row(
            姓名=old.name,
            性别="男",
            身份证号=old.id_number,
            手机号=old.phone,
            职务="队员",
            驻村开始日期=old.term_start.isoformat(),
        ),
        roster_row(姓名="新队长", 身份证号=new_id(1), 派出单位="甲县农业农村局", 职务="第一书记兼队长"),
    ]

    response = post_roster(province, roster_bytes(rows))

    assert response.status_code == 201, response.content
    assert response.json() == {"teams": 1, "cadres": 2, "villages": 0, "units": 0}
    old.refresh_from_db()
    assert old.role == Cadre.Role.MEMBER
    team = Team.objects.get(village_id="130102001001")
    assert team.unit == world.units["B"]  # the new leader's unit
    assert AuditEvent.objects.filter(action="team.update", object_id=str(team.pk)).exists()


def test_new_village_without_a_leader_is_an_error(world: World, province: APIClient) -> None:
    errors = errors_of(post_roster(province, roster_bytes([roster_row(**NEW_VILLAGE, 身份证号=new_id(1))])))

    assert [(e["row"], e["column"]) for e in errors] == [(2, "职务")]
    assert "新村" in errors[0]["message"]
    assert "队长" in errors[0]["message"]


def test_same_id_number_twice_in_one_file_is_an_error_on_the_second_row(world: World, province: APIClient) -> None:
    rows = [roster_row(姓名="甲"), roster_row(姓名="乙", 手机号="13700000002")]

    errors = errors_of(post_roster(province, roster_bytes(rows)))

    assert [(e["row"], e["column"]) for e in errors] == [(3, "身份证号")]
    assert "第 2 行" in errors[0]["message"]


def test_team_unit_is_the_unit_of_its_leader_in_a_mixed_team(world: World, province: APIClient) -> None:
    rows = [  # members before and after the leader: the team's unit must come from the leader's row
        roster_row(**NEW_VILLAGE, 派出单位="甲县农业农村局", 姓名="混编队员", 身份证号=new_id(1), 职务="队员"),
        roster_row(
            **NEW_VILLAGE,
            派出单位="石家庄市财政局",
            派出单位层级="市",
            姓名="混编书记",
            身份证号=new_id(2),
            手机号="13700000002",
            职务="第一书记兼队长",
        ),
        roster_row(**NEW_VILLAGE, 姓名="另一队员", 身份证号=new_id(3), 手机号="13700000003", 职务="队员"),
    ]

    response = post_roster(province, roster_bytes(rows))

    assert response.status_code == 201, response.content
    assert response.json() == {"teams": 1, "cadres": 3, "villages": 1, "units": 1}
    leader_unit = Unit.objects.get(name="石家庄市财政局")
    assert (leader_unit.level, leader_unit.region_id) == (Unit.Level.CITY, "1301")
    team = Team.objects.get(village_id="130102001002")
    assert team.unit == leader_unit
    units = {c.name: (c.team, c.unit) for c in Cadre.objects.filter(team=team)}
    assert units == {
        "混编队员": (team, world.units["B"]),
        "混编书记": (team, leader_unit),
        "另一队员": (team, world.units["A"]),
    }


# --- terms and dates ----------------------------------------------------------------------------


def test_cadre_term_end_is_three_years_after_the_start_date(world: World, province: APIClient) -> None:
    response = post_roster(province, roster_bytes([roster_row(驻村开始日期="2018-07-01")]))

    assert response.status_code == 201, response.content
    cadre = Cadre.objects.get(name="新队员")
    assert cadre.term_start == dt.date(2018, 7, 1)
    assert cadre.term_end == dt.date(2021, 6, 30)


def test_cadre_term_end_follows_the_policy_profile_in_force_on_the_start_date(
    world: World, province: APIClient
) -> None:
    PolicyProfileVersion.objects.create(
        name="两年任期", effective_from=dt.date(2024, 1, 1), overrides={"term_years": 2}
    )
    rows = [
        roster_row(姓名="老规定", 身份证号=new_id(1), 驻村开始日期="2023-12-31"),
        roster_row(姓名="新规定", 身份证号=new_id(2), 手机号="13700000002", 驻村开始日期="2024-01-01"),
    ]

    assert post_roster(province, roster_bytes(rows)).status_code == 201

    assert Cadre.objects.get(name="老规定").term_end == dt.date(2026, 12, 30)
    assert Cadre.objects.get(name="新规定").term_end == dt.date(2025, 12, 31)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (dt.datetime(2018, 7, 1), dt.date(2018, 7, 1)),
        (dt.date(2019, 3, 1), dt.date(2019, 3, 1)),
        ("2020/2/29", dt.date(2020, 2, 29)),
        ("2020.03.01", dt.date(2020, 3, 1)),
    ],
    ids=["excel-datetime", "excel-date", "slashes", "dots"],
)
def test_start_date_given_as_an_excel_date_cell_or_text_is_accepted(
    world: World, province: APIClient, cell: object, expected: dt.date
) -> None:
    response = post_roster(province, roster_bytes([roster_row(驻村开始日期=cell)]))

    assert response.status_code == 201, response.content
    cadre = Cadre.objects.get(name="新队员")
    assert cadre.term_start == expected


def test_numeric_cells_for_code_coordinates_and_phone_are_accepted(world: World, province: APIClient) -> None:
    row = roster_row(村代码=130102001001, 经度=114.5, 纬度=38, 手机号=13700000009)

    response = post_roster(province, roster_bytes([row]))

    assert response.status_code == 201, response.content
    assert response.json()["villages"] == 0  # 114.5 / 38 are the village's stored coordinates
    assert Cadre.objects.get(name="新队员").phone == "13700000009"


# --- empty rows ---------------------------------------------------------------------------------


def test_empty_rows_in_the_middle_are_skipped(world: World, province: APIClient) -> None:
    rows: list[list[object]] = [
        roster_row(姓名="第一人", 身份证号=new_id(1)),
        [None] * len(COLUMNS),
        ["", "  ", None, "\t"],
        [],
        roster_row(姓名="第二人", 身份证号=new_id(2), 手机号="13700000002"),
    ]

    response = post_roster(province, roster_bytes(rows))

    assert response.status_code == 201, response.content
    assert response.json()["cadres"] == 2
    assert set(Cadre.objects.filter(id_number__in=[new_id(1), new_id(2)]).values_list("name", flat=True)) == {
        "第一人",
        "第二人",
    }


def test_rows_after_empty_rows_keep_their_spreadsheet_row_numbers(world: World, province: APIClient) -> None:
    rows: list[list[object]] = [
        roster_row(身份证号=new_id(1)),
        [None] * len(COLUMNS),
        [],
        roster_row(身份证号=new_id(2), 手机号="123"),
    ]

    errors = errors_of(post_roster(province, roster_bytes(rows)))

    assert [(e["row"], e["column"]) for e in errors] == [(5, "手机号")]


def test_file_with_a_header_and_no_rows_is_an_error(world: World, province: APIClient) -> None:
    errors = errors_of(post_roster(province, roster_bytes([])))

    assert len(errors) == 1
    assert "没有干部数据" in errors[0]["message"]


# --- not a roster -------------------------------------------------------------------------------


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_five_megabytes_of_junk_is_refused_with_one_clear_message_and_writes_nothing(
    world: World, province: APIClient
) -> None:
    junk = random.Random(20180701).randbytes(5 * 1024 * 1024)
    before = table_counts()

    errors = errors_of(post_roster(province, junk))

    assert len(errors) == 1
    assert errors[0]["row"] == 0
    assert _has_chinese(errors[0]["message"])
    assert "xlsx" in errors[0]["message"]
    assert table_counts() == before


def test_csv_text_named_xlsx_is_refused(world: World, province: APIClient) -> None:
    csv = ("\n".join([",".join(COLUMNS), ",".join(str(v) for v in roster_row())]) + "\n").encode("utf-8")
    before = table_counts()

    errors = errors_of(post_roster(province, csv, name="花名册.xlsx"))

    assert len(errors) == 1
    assert "xlsx" in errors[0]["message"]
    assert table_counts() == before


def test_docx_like_zip_without_a_workbook_is_refused(world: World, province: APIClient) -> None:
    docx = _zip(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
            "_rels/.rels": b'<?xml version="1.0"?><Relationships/>',
            "word/document.xml": b'<?xml version="1.0"?><document>\xe8\x8a\xb1\xe5\x90\x8d\xe5\x86\x8c</document>',
        }
    )
    before = table_counts()

    errors = errors_of(post_roster(province, docx, name="花名册.xlsx"))

    assert len(errors) == 1
    assert "xlsx" in errors[0]["message"]
    assert table_counts() == before


def test_zip_with_a_workbook_entry_that_is_not_a_workbook_is_refused(world: World, province: APIClient) -> None:
    fake = _zip({"xl/workbook.xml": b"not xml at all", "[Content_Types].xml": b"<Types/>"})

    errors = errors_of(post_roster(province, fake))

    assert len(errors) == 1
    assert "Excel" in errors[0]["message"]


def _padded(data: bytes, padding_bytes: int) -> bytes:
    """The xlsx ``data`` plus a highly compressible member: small on the wire, large once unpacked."""
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * padding_bytes)
    return buffer.getvalue()


def test_xlsx_declaring_more_uncompressed_bytes_than_allowed_is_refused(
    world: World, province: APIClient, settings: Any
) -> None:
    settings.ROSTER_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    bomb = _padded(roster_bytes([roster_row()]), 8 * 1024 * 1024)
    assert len(bomb) < 100 * 1024  # tiny upload, 8 MB once unpacked
    before = table_counts()

    errors = errors_of(post_roster(province, bomb))

    assert len(errors) == 1
    assert "解压后过大" in errors[0]["message"]
    assert table_counts() == before


def test_normal_xlsx_under_the_uncompressed_limit_is_accepted(world: World, province: APIClient, settings: Any) -> None:
    settings.ROSTER_MAX_UNCOMPRESSED_BYTES = 1024 * 1024

    response = post_roster(province, roster_bytes([roster_row()]))

    assert response.status_code == 201, response.content


def test_upload_larger_than_the_limit_is_refused_with_the_limit_in_megabytes(
    world: World, province: APIClient, settings: Any
) -> None:
    settings.ROSTER_MAX_UPLOAD_BYTES = 1024 * 1024
    data = _padded(roster_bytes([roster_row()]), 0)
    data += b"\0" * (2 * 1024 * 1024)

    errors = errors_of(post_roster(province, data))

    assert len(errors) == 1
    assert "1 MB" in errors[0]["message"]


def test_post_without_a_file_is_an_error(world: World, province: APIClient) -> None:
    response = province.post(reverse("api:roster-import"), {}, format="multipart")

    errors = errors_of(response)
    assert len(errors) == 1
    assert "file" in errors[0]["message"]


# --- every bad row, all or nothing --------------------------------------------------------------


def test_file_with_several_bad_rows_lists_every_bad_row(world: World, province: APIClient) -> None:
    bad_id = new_id(3)[:17] + ("0" if new_id(3)[17] != "0" else "1")
    rows = [
        roster_row(姓名="好一", 身份证号=new_id(1)),
        roster_row(姓名="坏号", 身份证号=bad_id),
        roster_row(姓名="好二", 身份证号=new_id(2), 手机号="13700000002"),
        roster_row(姓名="坏职", 身份证号=new_id(4), 职务="组长"),
        roster_row(姓名="坏手机", 身份证号=new_id(5), 手机号="1380013800"),
        roster_row(姓名="坏日期", 身份证号=new_id(6), 驻村开始日期="2018-02-30"),
    ]

    errors = errors_of(post_roster(province, roster_bytes(rows)))

    located = {(e["row"], e["column"]) for e in errors}
    assert located == {(3, "身份证号"), (5, "职务"), (6, "手机号"), (7, "驻村开始日期")}
    assert [e["row"] for e in errors] == sorted(e["row"] for e in errors)


def test_one_row_with_several_problems_lists_each_problem(world: World, province: APIClient) -> None:
    errors = errors_of(post_roster(province, roster_bytes([roster_row(性别="未知", 职务="组长", 手机号="")])))

    assert {(e["row"], e["column"]) for e in errors} == {(2, "性别"), (2, "职务"), (2, "手机号")}


def test_bad_cells_and_bad_cross_row_consistency_are_listed_together(world: World) -> None:
    client = api_as(world.personas["county"])
    rows = [
        roster_row(身份证号="110101199003074478"),  # cell: wrong check digit
        roster_row(县="乙县", 身份证号=new_id(1)),  # database: 130102 is 甲县
        roster_row(姓名="重号", 身份证号=new_id(1), 手机号="13700000002"),  # same ID as the row above
        roster_row(**VILLAGE_C, 身份证号=new_id(2)),  # outside the county official's scope
    ]
    before = table_counts()

    errors = errors_of(post_roster(client, roster_bytes(rows)))

    assert [(e["row"], e["column"]) for e in errors] == [(2, "身份证号"), (3, "县"), (4, "身份证号"), (5, "村代码")]
    assert "应为" in errors[0]["message"]
    assert "第 3 行" in errors[2]["message"]
    assert "管辖范围" in errors[3]["message"]
    assert table_counts() == before


def test_a_row_failing_its_cell_checks_causes_no_spurious_team_errors(world: World, province: APIClient) -> None:
    old = world.leaders["A"]
    rows = [  # the old leader steps down (but the row has a bad phone); a new leader takes over
        roster_row(姓名=old.name, 性别="男", 身份证号=old.id_number, 手机号="123", 职务="队员"),
        roster_row(姓名="新队长", 身份证号=new_id(1), 职务="第一书记兼队长"),
        roster_row(**NEW_VILLAGE, 姓名="新村书记", 身份证号=new_id(2), 职务="第一书记兼队长", 性别="?"),
        roster_row(**NEW_VILLAGE, 姓名="新村队员", 身份证号=new_id(3), 手机号="13700000003"),
    ]

    errors = errors_of(post_roster(province, roster_bytes(rows)))

    assert [(e["row"], e["column"]) for e in errors] == [(2, "手机号"), (4, "性别")]


def test_a_file_whose_every_row_is_bad_lists_only_the_row_errors(world: World, province: APIClient) -> None:
    rows = [roster_row(村代码="abc"), roster_row(职务="组长", 身份证号=new_id(1))]

    errors = errors_of(post_roster(province, roster_bytes(rows)))

    assert [(e["row"], e["column"]) for e in errors] == [(2, "村代码"), (3, "职务")]


def test_one_bad_row_among_good_ones_writes_nothing_at_all(world: World, province: APIClient) -> None:
    rows = [*new_village_rows(), roster_row(姓名="坏手机", 身份证号=new_id(3), 手机号="12")]
    before = table_counts()

    errors = errors_of(post_roster(province, roster_bytes(rows)))

    assert [(e["row"], e["column"]) for e in errors] == [(4, "手机号")]
    assert table_counts() == before
    assert not Region.objects.filter(code="130102001002").exists()
    assert not Unit.objects.filter(name="河北省卫生健康委员会").exists()
    assert not Cadre.objects.filter(id_number__in=[new_id(1), new_id(2), new_id(3)]).exists()


def test_a_failure_while_writing_rolls_back_everything(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(events: object) -> None:
        raise RuntimeError("audit store down")

    monkeypatch.setattr("cadres.services.audit_record_many", fail)
    before = table_counts()

    with pytest.raises(RuntimeError):
        roster_import(actor=world.personas["province"], upload=io.BytesIO(roster_bytes(new_village_rows())))

    assert table_counts() == before


def test_service_raises_roster_error_with_row_errors(world: World) -> None:
    with pytest.raises(RosterError) as caught:
        roster_import(actor=world.personas["province"], upload=io.BytesIO(roster_bytes([roster_row(职务="组长")])))

    assert [(e.row, e.column) for e in caught.value.errors] == [(2, "职务")]


# --- scope and roles ----------------------------------------------------------------------------


def _out_of_county_row() -> list[object]:
    return roster_row(**VILLAGE_C, 姓名="越界队员", 身份证号=new_id(2), 手机号="13700000002")


def test_county_official_importing_a_village_outside_their_county_gets_a_scope_error_and_nothing_is_written(
    world: World,
) -> None:
    client = api_as(world.personas["county"])
    rows = [roster_row(身份证号=new_id(1)), _out_of_county_row()]
    before = table_counts()

    errors = errors_of(post_roster(client, roster_bytes(rows)))

    assert [(e["row"], e["column"]) for e in errors] == [(3, "村代码")]
    assert "管辖范围" in errors[0]["message"]
    assert "130104001001" in errors[0]["message"]
    assert table_counts() == before


def test_county_official_can_import_villages_of_their_own_county(world: World) -> None:
    client = api_as(world.personas["county"])

    response = post_roster(client, roster_bytes([roster_row(**NEW_VILLAGE, 职务="第一书记兼队长")]))

    assert response.status_code == 201, response.content
    assert AuditEvent.objects.get(action="team.create").actor == world.personas["county"]


def test_province_official_may_import_the_same_out_of_county_row(world: World, province: APIClient) -> None:
    response = post_roster(province, roster_bytes([_out_of_county_row()]))

    assert response.status_code == 201, response.content
    assert Cadre.objects.get(name="越界队员").team == world.teams["C"]


@pytest.mark.parametrize("persona", ["township", "unit", "cadre"])
def test_roles_without_roster_import_get_403_from_the_api_and_nothing_is_written(world: World, persona: str) -> None:
    client = api_as(world.personas[persona])
    before = table_counts()

    response = post_roster(client, roster_bytes([roster_row()]))

    assert response.status_code == 403
    assert table_counts() == before
    assert client.get(reverse("api:roster-import-template")).status_code == 403


def test_anonymous_caller_cannot_import(world: World) -> None:
    before = table_counts()

    response = post_roster(APIClient(), roster_bytes([roster_row()]))

    assert response.status_code in (401, 403)
    assert table_counts() == before


# --- template -----------------------------------------------------------------------------------


def test_template_is_an_xlsx_whose_first_row_is_the_roster_columns(world: World, province: APIClient) -> None:
    response = province.get(reverse("api:roster-import-template"))

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    first_row = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True))
    assert tuple(first_row) == COLUMNS


def test_template_example_row_passes_the_cell_checks() -> None:
    rows = roster_read(io.BytesIO(roster_template()))

    assert len(rows) == 1
    assert rows[0].role == Cadre.Role.FIRST_SECRETARY_LEADER
    assert rows[0].term_start == dt.date(2018, 7, 1)


# --- browser page -------------------------------------------------------------------------------


def _page_client(world: World, persona: str = "province") -> Client:
    client = Client()
    client.force_login(world.personas[persona])
    return client


def test_browser_page_lists_the_bad_rows_in_an_error_table_and_writes_nothing(world: World) -> None:
    client = _page_client(world)
    rows = [roster_row(身份证号=new_id(1)), roster_row(身份证号="110101199003074478", 手机号="13700000002")]
    before = table_counts()

    response = client.post(reverse("roster-import-page"), {"file": upload(roster_bytes(rows))})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="import-errors"' in html
    assert 'data-testid="import-result"' not in html
    assert "第 3 行" in html
    assert "第 2 行" not in html
    assert "身份证号" in html and "应为 7" in html
    assert "花名册.xlsx" in html
    assert table_counts() == before


def test_browser_page_with_a_good_file_shows_the_result(world: World) -> None:
    client = _page_client(world)

    response = client.post(reverse("roster-import-page"), {"file": upload(roster_bytes(new_village_rows()))})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="import-result"' in html
    assert 'data-testid="import-errors"' not in html
    assert "干部 <strong>2</strong> 人" in html
    assert Cadre.objects.filter(id_number__in=[new_id(1), new_id(2)]).count() == 2


def test_browser_page_with_junk_shows_one_file_error(world: World) -> None:
    client = _page_client(world)

    response = client.post(reverse("roster-import-page"), {"file": upload(b"not a spreadsheet")})

    html = response.content.decode()
    assert 'data-testid="import-errors"' in html
    assert "有 1 处错误" in html


def test_browser_page_is_forbidden_to_a_township_official(world: World) -> None:
    client = _page_client(world, "township")
    before = table_counts()

    response = client.post(reverse("roster-import-page"), {"file": upload(roster_bytes([roster_row()]))})

    assert response.status_code == 403
    assert table_counts() == before
