"""第三条: a cadre's post changes only by a term adjustment. A roster import never moves a cadre to
another team or unit, never restarts a term, never touches a cadre outside the importer's scope and
never places again a recalled or adjusted cadre (issue 12, "The term")."""

from __future__ import annotations

from typing import Any

from cadres.models import Cadre
from tests.cadres.test_roster_import import errors_of, post_roster
from tests.conftest import api_as
from zhucun.models import AuditEvent
from zhucun.testing.roster import roster_bytes, roster_row
from zhucun.testing.world import World


def _row_of(cadre: Cadre, **overrides: object) -> list[object]:
    """The cadre's own row as the roster would carry it (in 甲村 of the world)."""
    values: dict[str, Any] = {
        "姓名": cadre.name,
        "性别": cadre.get_gender_display(),
        "身份证号": cadre.id_number,
        "手机号": cadre.phone,
        "职务": cadre.get_role_display(),
        "驻村开始日期": cadre.term_start.isoformat(),
        "派出单位": cadre.unit.name,
    }
    values.update(overrides)
    return roster_row(**values)


def _unchanged(cadre: Cadre) -> None:
    before = (cadre.team_id, cadre.unit_id, cadre.term_start, cadre.status)
    cadre.refresh_from_db()
    assert (cadre.team_id, cadre.unit_id, cadre.term_start, cadre.status) == before


def test_a_county_importing_another_countys_cadre_is_refused_and_the_cadre_stays_第三条(world: World) -> None:
    other = world.members["C"]  # 丙县's cadre; 甲县 imports a row carrying their ID number
    events = AuditEvent.objects.count()
    errors = errors_of(post_roster(api_as(world.personas["county"]), roster_bytes([_row_of(other)])))
    assert [e["column"] for e in errors] == ["身份证号"]
    assert "管辖范围以外" in errors[0]["message"] and "任期调整" in errors[0]["message"]
    _unchanged(other)
    assert AuditEvent.objects.count() == events


def test_a_row_moving_a_cadre_to_another_village_is_an_error_naming_the_term_adjustment_第三条(world: World) -> None:
    cadre = world.members["A"]
    row = _row_of(cadre, 乡镇="甲二镇", 村="乙村", 村代码=world.village("B"))
    errors = errors_of(post_roster(api_as(world.personas["province"]), roster_bytes([row])))
    assert [e["column"] for e in errors] == ["村代码"]
    assert "甲村" in errors[0]["message"] and "任期调整申请（第三条）" in errors[0]["message"]
    _unchanged(cadre)


def test_a_row_changing_a_cadres_unit_or_restarting_the_term_is_an_error_第三条(world: World) -> None:
    cadre = world.members["A"]
    row = _row_of(cadre, 派出单位="甲县农业农村局", 驻村开始日期="2026-01-01")
    errors = errors_of(post_roster(api_as(world.personas["province"]), roster_bytes([row])))
    assert sorted(e["column"] for e in errors) == ["派出单位", "驻村开始日期"]
    _unchanged(cadre)


def test_a_cadres_particulars_may_still_be_corrected_in_the_same_post(world: World) -> None:
    cadre = world.members["A"]
    response = post_roster(api_as(world.personas["county"]), roster_bytes([_row_of(cadre, 手机号="13611112222")]))
    assert response.status_code == 201, response.content
    cadre.refresh_from_db()
    assert cadre.phone == "13611112222"


def test_a_recalled_cadre_is_not_placed_again_by_reimporting_the_same_file_第三条(world: World) -> None:
    cadre = world.members["A"]
    row = _row_of(cadre)
    Cadre.objects.filter(pk=cadre.pk).update(status=Cadre.Status.RECALLED)
    response = post_roster(api_as(world.personas["county"]), roster_bytes([row]))
    assert response.status_code == 201, response.content
    assert response.json()["cadres"] == 0
    cadre.refresh_from_db()
    assert cadre.status == Cadre.Status.RECALLED


def test_a_recalled_cadres_row_with_changes_is_an_error(world: World) -> None:
    cadre = world.members["A"]
    Cadre.objects.filter(pk=cadre.pk).update(status=Cadre.Status.ADJUSTED)
    errors = errors_of(post_roster(api_as(world.personas["county"]), roster_bytes([_row_of(cadre, 职务="第一书记")])))
    assert any("已调整" in e["message"] for e in errors)
