"""第十五条2 建立统一规范管理档案: the file of a cadre and of a team (decision 0132) — every capability's
record in one page, printed on A4 with the province's header, downloaded as a Word document that is
audited; a reader sees only what their scope holds; the cost does not grow with the months."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document

from accounts.models import User
from archive import selectors
from assessment.models import (
    AssessmentResult,
    AssessmentRound,
    CountyEvaluationOpinion,
    RecallCase,
    Sanction,
)
from attendance.models import AbsenceFinding, SignIn, WorkLog
from cadres.models import Cadre, Handover, TermAdjustment
from funding.models import FundAccount
from households.models import Household, Visit
from leave.models import LeaveRequest
from supervision.models import AnnualTask
from training.models import TrainingAttendance, TrainingEvent
from zhucun.models import AuditEvent
from zhucun.testing.world import World

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)  # the office_hours fixture's day


def _signins(cadre: Cadre, month: dt.date, days: int) -> None:
    SignIn.objects.bulk_create(
        [
            SignIn(cadre=cadre, village_code=cadre.team.village_id, date=month.replace(day=d), client_id=uuid.uuid4(),
                   status="ok", inside_geofence=True, distance_m=10)
            for d in range(1, days + 1)
        ]
    )  # fmt: skip


def _month_of_records(cadre: Cadre, month: dt.date) -> None:
    """A month of the cadre's life: sign-ins, a work log with a visit, a confirmed finding."""
    _signins(cadre, month, 3)
    log = WorkLog.objects.create(
        team=cadre.team, village_code=cadre.team.village_id, author=cadre, date=month, content="走访"
    )
    household, _ = Household.objects.get_or_create(
        village_code=cadre.team.village_id, head_name="张三", defaults={"kind": "poor"}
    )
    Visit.objects.create(
        household=household, village_code=household.village_code, cadre=cadre, work_log=log, date=month,
        household_kind="poor",
    )  # fmt: skip
    AbsenceFinding.objects.create(
        cadre=cadre, village_code=cadre.team.village_id, date=month.replace(day=20), source="missing_signin",
        status="confirmed",
    )  # fmt: skip


def _round(world: World, year: int, status: str) -> AssessmentRound:
    return AssessmentRound.objects.create(year=year, level="county", region_code="130102", status=status)


def _file_of_leader_a(world: World) -> Cadre:
    """Leader A with a record in every section."""
    cadre = world.leaders["A"]
    _signins(cadre, dt.date(2026, 9, 1), 25)
    _month_of_records(cadre, dt.date(2026, 10, 1))
    LeaveRequest.objects.create(
        cadre=cadre, village_code=cadre.team.village_id, unit=cadre.unit, kind="personal", start=dt.date(2026, 10, 8),
        end=dt.date(2026, 10, 9), days=Decimal("2.0"), reason="家中有事", status="reported_back",
    )  # fmt: skip
    TermAdjustment.objects.create(
        cadre=cadre, unit=cadre.unit, village_code=cadre.team.village_id, reason="工作需要调整",
        decided_by_level="county", decided_by_region="130102", filed_with="石家庄市委组织部",
    )  # fmt: skip
    Handover.objects.create(
        cadre=cadre, village_code=cadre.team.village_id, done={"work_log": {"by_name": "甲一镇", "at": "2026-11-20"}}
    )
    AssessmentResult.objects.create(
        round=_round(world, 2025, "finalized"), subject_type="cadre", cadre=cadre, unit=cadre.unit,
        village_code=cadre.team.village_id, region_code="130102", grade="excellent",
    )  # fmt: skip
    AssessmentResult.objects.create(
        round=_round(world, 2026, "open"), subject_type="cadre", cadre=cadre, unit=cadre.unit,
        village_code=cadre.team.village_id, region_code="130102", grade="incompetent",
    )  # fmt: skip
    CountyEvaluationOpinion.objects.create(
        year=2025, subject_type="cadre", cadre=cadre, unit=cadre.unit, county_code="130102",
        opinion="工作扎实，群众认可",
    )  # fmt: skip
    case = RecallCase.objects.create(
        cadre=cadre, unit=cadre.unit, village_code=cadre.team.village_id, trigger="other", status="recalled"
    )
    Sanction.objects.create(
        cadre=cadre, case=case, village_code=cadre.team.village_id, kind="no_awards", starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31),
    )  # fmt: skip
    event = TrainingEvent.objects.create(
        title="全县驻村干部轮训班", kind="rotation", organizer_level="county", region_code="130102",
        organizer_name="甲县委组织部", start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 4), place="县委党校",
    )  # fmt: skip
    TrainingAttendance.objects.create(event=event, cadre=cadre, village_code=cadre.team.village_id)
    return cadre


def _text(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


def test_the_cadre_file_holds_every_capability_第十五条2(office_hours: dt.datetime, world: World) -> None:
    cadre = _file_of_leader_a(world)
    client = Client()
    client.force_login(world.personas["township"])  # the township keeps the file (第十五条2) …
    assert "河北省驻村干部管理档案" in _text(client.get(reverse("archive-cadre", args=[cadre.pk])))
    client.force_login(world.personas["county"])  # … the county's evaluation opinions are in its own scope
    body = _text(client.get(reverse("archive-cadre", args=[cadre.pk])))
    markers = ("一、基本情况", cadre.masked_id_number, "工作需要调整", "《工作日志》和《扶贫工作手册》移交乡镇党委",
               "2026-09", "家中有事", "未签到", "工作扎实，群众认可", "全县驻村干部轮训班",
               "不得参加评先评优")  # fmt: skip
    for marker in markers:
        assert marker in body, marker
    assert cadre.id_number not in body  # 身份证号 masked (decision 0062)
    assert "不称职" not in body  # an open round's grade is not a result yet (第二十二条)
    assert "优秀" in body


def test_the_months_are_judged_against_第五条_with_the_days_in_post(office_hours: dt.datetime, world: World) -> None:
    cadre = _file_of_leader_a(world)
    archive = selectors.cadre_archive(user=world.personas["county"], cadre=cadre, today=TODAY)
    months = {row[0]: row for row in next(s for s in archive.sections if s.key == "attendance").tables[0].rows}
    assert len(months) == 21 + 1  # March 2025 to November 2026, and the totals
    assert months["2026-09"][1:6] == ["25", "25", "0", "25", "达到"]
    assert months["2026-10"][1:10] == ["25", "3", "0", "3", "未达到", "2", "1", "1", "1"]
    assert months["2026-11"][5] == "本月进行中"
    assert months["合计"][2] == "28"


def test_the_team_file_holds_members_funds_and_the_task_list(office_hours: dt.datetime, world: World) -> None:
    cadre = _file_of_leader_a(world)
    team = cadre.team
    FundAccount.objects.create(team=team, year=2026, village_code=team.village_id, allocated=Decimal(80000),
                               responsible_name="王会计")  # fmt: skip
    AnnualTask.objects.create(
        team=team, village_code=team.village_id, year=2026, kind="required", origin="county", title="硬化村内道路",
        target="完成2公里", deadline=dt.date(2026, 12, 31),
    )  # fmt: skip
    client = Client()
    client.force_login(world.personas["unit"])  # the dispatching unit (第九条1 资金支持)
    body = _text(client.get(reverse("archive-team", args=[team.pk])))
    for marker in ("驻村工作队管理档案", world.members["A"].name, "王会计", "80,000.00", "硬化村内道路", "工作扎实",
                   "全县驻村干部轮训班"):  # fmt: skip
        assert marker in body, marker


def test_the_download_is_an_a4_word_document_with_the_header_and_is_audited(
    office_hours: dt.datetime, world: World
) -> None:
    cadre = _file_of_leader_a(world)
    county = world.personas["county"]
    client = Client()
    client.force_login(county)
    response = client.get(reverse("archive-cadre-download", args=[cadre.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    document = Document(io.BytesIO(response.content))
    section = document.sections[0]
    assert section.page_width is not None and section.page_height is not None
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # A4 (in twips)
    assert section.header.paragraphs[0].text == "河北省驻村干部管理档案"
    text = "\n".join(p.text for p in document.paragraphs)
    assert "三、考勤（按月）" in text and cadre.name in text
    event = AuditEvent.objects.get(action="export.docx")
    assert (event.actor_id, event.object_type, event.object_id) == (county.pk, "cadres.cadre", str(cadre.pk))


def test_a_reader_sees_only_what_their_scope_holds(office_hours: dt.datetime, world: World) -> None:
    """A unit reads the file of a mixed team it serves in, but not the leave of another unit's cadre."""
    team = world.teams["B"]
    other = world.leaders["B"]
    LeaveRequest.objects.create(
        cadre=other, village_code=team.village_id, unit=other.unit, kind="sick", start=dt.date(2026, 10, 8),
        end=dt.date(2026, 10, 8), days=Decimal("1.0"), reason="乙村书记看病", status="approved",
    )  # fmt: skip
    mixed = Cadre.objects.create(
        name="混编队员", gender="male", id_number="130102199001011234", phone="13900009999", unit=world.units["A"],
        team=team, role="member", term_start=dt.date(2025, 3, 1), term_end=dt.date(2028, 2, 29),
    )  # fmt: skip
    unit = world.personas["unit"]
    archive = selectors.team_archive(user=unit, team=team, today=TODAY)
    members = next(s for s in archive.sections if s.key == "basic").tables[0].rows
    assert [row[0] for row in members] == [mixed.name]  # the unit's own cadre only
    client = Client()
    client.force_login(unit)
    assert client.get(reverse("archive-cadre", args=[other.pk])).status_code == 404
    client.force_login(User.objects.get(username="p_cadre"))
    assert client.get(reverse("archive-cadre", args=[world.leaders["A"].pk])).status_code == 403


def _queries(client: Client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_cost_of_a_file_does_not_grow_with_its_months(office_hours: dt.datetime, world: World) -> None:
    cadre = _file_of_leader_a(world)
    client = Client()
    client.force_login(world.personas["county"])
    cadre_url, team_url = reverse("archive-cadre", args=[cadre.pk]), reverse("archive-team", args=[cadre.team_id])
    before = (_queries(client, cadre_url), _queries(client, team_url))
    month = dt.date(2025, 3, 1)
    while month < dt.date(2026, 9, 1):
        for someone in (cadre, world.members["A"]):
            _month_of_records(someone, month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    assert (_queries(client, cadre_url), _queries(client, team_url)) == before


def test_text_word_cannot_hold_does_not_break_the_download(office_hours: dt.datetime, world: World) -> None:
    cadre = world.leaders["A"]
    LeaveRequest.objects.create(
        cadre=cadre, village_code=cadre.team.village_id, unit=cadre.unit, kind="personal", start=dt.date(2026, 10, 8),
        end=dt.date(2026, 10, 8), days=Decimal("1.0"), reason="从Word粘贴\x0b的事由", status="approved",
    )  # fmt: skip
    client = Client()
    client.force_login(world.personas["county"])
    response = client.get(reverse("archive-cadre-download", args=[cadre.pk]))
    assert response.status_code == 200
    cells = [cell.text for table in Document(io.BytesIO(response.content)).tables for cell in table._cells]
    assert "从Word粘贴 的事由" in cells
