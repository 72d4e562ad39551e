"""The grading grid (UI.md page 3): a level graded at once, refusals inline before saving, saved whole
or not at all; the overview's progress and quota; finalization."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from assessment.models import AssessmentResult, AssessmentRound, RecallCase
from cadres.models import Cadre, Region
from zhucun.models import AuditEvent
from zhucun.testing.world import World

from .helpers import YEAR, province_level


def client_for(world: World, persona: str = "province") -> Client:
    client = Client()
    client.force_login(world.personas[persona])
    return client


def test_inline_check_shows_the_over_cap_row_before_saving_第二十二条(world: World) -> None:
    teams = province_level(5)
    form = {f"grade-{t.pk}": "excellent" for t in teams[:3]}
    response = client_for(world).post(f"/assessment/{YEAR}/team/check/", form)
    body = response.content.decode()
    assert response.status_code == 200
    assert "优秀已 2 个，上限 2 个" in body
    assert f'id="feedback-{teams[2].pk}"' in body and 'hx-swap-oob="true"' in body
    # A dry run: nothing written, nothing audited.
    assert not AssessmentResult.objects.exists()
    assert not AuditEvent.objects.filter(action="assessment.grade").exists()


def test_saving_a_level_with_one_refusal_writes_nothing(world: World) -> None:
    teams = province_level(5)
    form = {f"grade-{t.pk}": "excellent" for t in teams[:3]} | {f"grade-{t.pk}": "good" for t in teams[3:]}
    response = client_for(world).post(f"/assessment/{YEAR}/team/", form)
    assert response.status_code == 400
    assert "未保存任何修改" in response.content.decode()
    assert not AssessmentResult.objects.exists()
    form[f"grade-{teams[2].pk}"] = "good"
    response = client_for(world).post(f"/assessment/{YEAR}/team/", form)
    assert response.status_code == 302
    assert AssessmentResult.objects.filter(grade="excellent").count() == 2
    assert AssessmentResult.objects.count() == 5


def test_lowering_one_and_raising_another_in_one_save_fits_the_quota_第二十二条(world: World) -> None:
    teams = province_level(5)
    client = client_for(world)
    client.post(f"/assessment/{YEAR}/team/", {f"grade-{t.pk}": "excellent" for t in teams[:2]})
    swap = {f"grade-{teams[0].pk}": "good", f"grade-{teams[2].pk}": "excellent"}
    assert client.post(f"/assessment/{YEAR}/team/", swap).status_code == 302
    assert set(AssessmentResult.objects.filter(grade="excellent").values_list("team_id", flat=True)) == {
        teams[1].pk,
        teams[2].pk,
    }


def test_overview_shows_progress_and_quota_and_finalize_locks(world: World) -> None:
    teams = province_level(5)
    client = client_for(world)
    page = client.get(f"/assessment/?year={YEAR}").content.decode()
    assert "0 / 5 个" in page and "优秀 0 个，上限 2 个" in page
    client.post(f"/assessment/{YEAR}/team/", {f"grade-{t.pk}": "good" for t in teams})
    cadres = [t.cadres.get() for t in teams]
    client.post(f"/assessment/{YEAR}/cadre/", {f"grade-{c.pk}": "competent" for c in cadres})
    response = client.post(f"/assessment/{YEAR}/finalize/", follow=True)
    assert "还有未评定的对象：派出单位 5 个" in response.content.decode()
    client.post(f"/assessment/{YEAR}/unit/", {f"grade-{t.unit_id}": "good" for t in teams})
    response = client.post(f"/assessment/{YEAR}/finalize/", follow=True)
    assert "已定档" in response.content.decode()
    assert AssessmentRound.objects.get(year=YEAR, level="province").status == "finalized"
    grid = client.get(f"/assessment/{YEAR}/team/").content.decode()
    assert "本年度考核已定档" in grid and "disabled" in grid


def _grid_queries(client: Client) -> int:
    client.get(f"/assessment/{YEAR}/cadre/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/assessment/{YEAR}/cadre/").status_code == 200
    return len(queries)


def test_grid_and_overview_query_counts_do_not_grow_with_rows(world: World) -> None:
    client = client_for(world)
    province_level(3, cadres_per_team=2)
    small = _grid_queries(client)
    with CaptureQueriesContext(connection) as overview_small:
        client.get(f"/assessment/?year={YEAR}")
    province_level(30, cadres_per_team=2)
    assert _grid_queries(client) == small
    with CaptureQueriesContext(connection) as overview_large:
        client.get(f"/assessment/?year={YEAR}")
    assert len(overview_small) == len(overview_large)


def test_recall_case_page_refuses_a_decision_before_consultation(world: World) -> None:
    from assessment.models import RecallCase

    cadre = world.members["A"]
    case = RecallCase.objects.create(cadre=cadre, unit=cadre.unit, village_code=cadre.team.village_id, trigger="other")
    client = client_for(world, "county")
    response = client.post(
        f"/assessment/recall/{case.pk}/decide/", {"decision": "recalled", "reason": "x"}, follow=True
    )
    assert "请先记录与派出单位的商议意见" in response.content.decode()
    client.post(f"/assessment/recall/{case.pk}/consult/", {"opinion": "同意"})
    response = client.post(
        f"/assessment/recall/{case.pk}/decide/", {"decision": "recalled", "reason": "x"}, follow=True
    )
    assert "已作出召回决定" in response.content.decode()
    assert RecallCase.objects.get(pk=case.pk).status == "recalled"


def test_accountability_record_against_a_unit_第十七条(world: World) -> None:
    client = client_for(world, "county")
    response = client.post(
        "/assessment/accountability/",
        {
            "measure": "reminder_talk",
            "target_type": "unit",
            "unit": world.units["A"].pk,
            "failed_duty": "每季度至少听取 1 次驻村工作队汇报（第九条）",
            "decided_on": "2026-11-01",
        },
    )
    assert response.status_code == 302
    page = client.get("/assessment/accountability/").content.decode()
    assert "提醒谈话" in page and world.units["A"].name in page
    # The city department above sees it too (the record carries 甲县 as its tree key).
    other = Client()
    other.force_login(world.personas["city"])
    assert world.units["A"].name in other.get("/assessment/accountability/").content.decode()
    refused = client.post(
        "/assessment/accountability/", {"measure": "inquiry", "target_type": "unit", "decided_on": "2026-11-01"}
    )
    assert refused.status_code == 400 and "请选择被问责的单位" in refused.content.decode()


def _namesakes() -> list[Cadre]:
    """Two province-level cadres called 张伟, each in a village called 东村 — one in 甲县 甲一镇, one in
    丁县 丁一镇 (issue 15 item 4: the demo workbook has ten such pairs)."""
    cadres = []
    for township in ("130102001", "130202001"):
        (team,) = province_level(1, township=township)
        Region.objects.filter(code=team.village_id).update(name="东村")
        cadre = team.cadres.get()
        cadre.name = "张伟"
        cadre.save(update_fields=["name"])
        cadres.append(cadre)
    return cadres


def _row_text(body: str, pk: int) -> str:
    start = body.index(f'data-testid="row-{pk}"')
    return body[start : body.index("</tr>", start)]


def test_the_grid_tells_namesakes_apart_by_their_region_path(world: World) -> None:
    first, second = _namesakes()
    body = client_for(world).get(f"/assessment/{YEAR}/cadre/").content.decode()
    assert "石家庄市 甲县 甲一镇" in _row_text(body, first.pk)
    assert "唐山市 丁县 丁一镇" in _row_text(body, second.pk)
    teams = client_for(world).get(f"/assessment/{YEAR}/team/").content.decode()
    assert "唐山市 丁县 丁一镇" in _row_text(teams, second.team_id)


def test_the_cadre_list_and_the_recall_list_show_the_region_path(world: World) -> None:
    _first, second = _namesakes()
    client = client_for(world)
    body = client.get("/cadres/?q=张伟").content.decode()
    assert "石家庄市 甲县 甲一镇" in body and "唐山市 丁县 丁一镇" in body
    RecallCase.objects.create(
        cadre=second, unit=second.unit, trigger=RecallCase.Trigger.values[0], village_code=second.team.village_id
    )
    assert "唐山市 丁县 丁一镇" in client.get("/assessment/recall/").content.decode()
    # The accountability form's unit chooser names each unit's region (two 县农业农村局 differ by county).
    assert f"{world.units['D'].name}（县·丁县）" in client.get("/assessment/accountability/").content.decode()
