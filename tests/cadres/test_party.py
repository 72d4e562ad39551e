"""第十八条: 驻村党员干部的党组织关系转接到驻在村党组织；乡镇党委征得第一书记和派出单位党组（党委）同意后，
可通过直接任命的方式，安排第一书记兼任村党组织书记."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cadres.models import PartySecretaryAppointment, PartyTransfer
from tests.conftest import api_as
from zhucun.models import AuditEvent, Notification
from zhucun.testing.world import World
from zhucun.testing.xlsx import table_rows

TRANSFERS = reverse("api:party-transfer-list")
PENDING = reverse("api:party-transfer-pending")
APPOINTMENTS = reverse("api:party-secretary-list")
REASON = "村“两委”换届中，本村党组织书记没有合适人选。"


def _letter(world: World, **extra: Any) -> dict[str, Any]:
    sent = timezone.localdate() - dt.timedelta(days=5)
    return {
        "cadre": world.members["A"].pk,
        "from_organization": "甲县卫生健康局机关党委",
        "sent_on": f"{sent}",
        **extra,
    }


def _pending_ids(world: World) -> set[int]:
    response = api_as(world.personas["township"]).get(PENDING)
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_the_unit_records_the_transfer_and_the_villages_township_confirms_it_第十八条(world: World) -> None:
    member = world.members["A"]
    assert member.pk in _pending_ids(world)  # nothing recorded yet: pending
    created = api_as(world.personas["unit"]).post(TRANSFERS, _letter(world), format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["to_organization"]) == ("pending", "甲村党组织")
    assert Notification.objects.filter(recipient=world.personas["township"], title__contains=member.name).exists()
    assert member.pk in _pending_ids(world)  # recorded, not yet received

    today = timezone.localdate()
    confirmed = api_as(world.personas["township"]).post(
        reverse("api:party-transfer-confirm", args=[body["id"]]), {"received_on": f"{today}"}, format="json"
    )
    assert confirmed.status_code == 200, confirmed.content
    assert (confirmed.json()["status"], confirmed.json()["received_on"]) == ("confirmed", f"{today}")
    assert member.pk not in _pending_ids(world)
    assert world.leaders["A"].pk in _pending_ids(world)  # the first secretary's is still to come
    event = AuditEvent.objects.get(action="party.transfer_confirm")
    assert (event.actor_id, event.region_code) == (world.personas["township"].pk, "130102001001")


def test_recording_again_corrects_a_pending_transfer_and_a_confirmed_one_is_final_第十八条(world: World) -> None:
    unit = api_as(world.personas["unit"])
    first = unit.post(TRANSFERS, _letter(world), format="json").json()
    again = unit.post(TRANSFERS, _letter(world), format="json")
    assert again.status_code == 200 and again.json()["id"] == first["id"]
    assert AuditEvent.objects.filter(action="party.transfer_record").count() == 1  # the same values: nothing
    corrected = unit.post(TRANSFERS, _letter(world, from_organization="甲县卫生健康局党组"), format="json")
    assert (corrected.status_code, corrected.json()["from_organization"]) == (200, "甲县卫生健康局党组")
    assert AuditEvent.objects.filter(action="party.transfer_record").count() == 2

    transfer = PartyTransfer.objects.get()
    url = reverse("api:party-transfer-confirm", args=[transfer.pk])
    township = api_as(world.personas["township"])
    assert township.post(url, {"received_on": f"{timezone.localdate()}"}, format="json").status_code == 200
    refused = unit.post(TRANSFERS, _letter(world, from_organization="别的党组织"), format="json")
    assert refused.status_code == 409 and "不能再修改" in refused.json()["detail"]
    assert township.post(url, {"received_on": f"{timezone.localdate()}"}, format="json").status_code == 409
    assert PartyTransfer.objects.get().from_organization == "甲县卫生健康局党组"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"from_organization": ""}, "from_organization"),
        ({"sent_on": f"{dt.date.today() + dt.timedelta(days=30)}"}, "sent_on"),
        ({"sent_on": "2026-13-01"}, "sent_on"),
        ({"sent_on": None}, "sent_on"),
    ],
)
def test_a_transfer_without_its_facts_is_a_chinese_400_writing_nothing_第十八条(
    world: World, change: dict[str, Any], field: str
) -> None:
    response = api_as(world.personas["unit"]).post(TRANSFERS, _letter(world, **change), format="json")
    assert response.status_code == 400, response.content
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()[field][0])
    assert not PartyTransfer.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="party.").exists()


def test_a_received_day_before_the_letter_is_refused_第十八条(world: World) -> None:
    transfer = api_as(world.personas["unit"]).post(TRANSFERS, _letter(world), format="json").json()
    early = timezone.localdate() - dt.timedelta(days=30)
    response = api_as(world.personas["township"]).post(
        reverse("api:party-transfer-confirm", args=[transfer["id"]]), {"received_on": f"{early}"}, format="json"
    )
    assert response.status_code == 400 and "不能早于转出日期" in response.json()["received_on"][0]
    assert PartyTransfer.objects.get().status == "pending"


def test_only_the_villages_own_township_confirms_and_only_the_unit_or_township_records_第十八条(
    world: World,
) -> None:
    transfer = api_as(world.personas["unit"]).post(TRANSFERS, _letter(world), format="json").json()
    url = reverse("api:party-transfer-confirm", args=[transfer["id"]])
    body = {"received_on": f"{timezone.localdate()}"}
    for persona in ("county", "city", "unit"):
        assert api_as(world.personas[persona]).post(url, body, format="json").status_code == 403, persona
    # a cadre sees only their own transfer, another township not this village's
    for user in (world.personas["cadre"], world.township_accounts["B"]):
        assert api_as(user).post(url, body, format="json").status_code == 404
    for persona in ("county", "cadre"):
        refused = api_as(world.personas[persona]).post(TRANSFERS, _letter(world), format="json")
        assert refused.status_code == 403, persona
    # the unit of another team does not see this cadre
    other = api_as(world.personas["unit"]).post(TRANSFERS, {**_letter(world), "cadre": world.members["B"].pk})
    assert other.status_code == 404
    assert PartyTransfer.objects.get().status == "pending"


def test_a_cadre_who_is_not_a_party_member_is_not_pending_第十八条(world: World) -> None:
    body = {"cadre": world.members["A"].pk, "not_member": True}
    recorded = api_as(world.personas["township"]).post(TRANSFERS, body, format="json")
    assert (recorded.status_code, recorded.json()["status"]) == (201, "not_member")
    assert world.members["A"].pk not in _pending_ids(world)
    confirm = api_as(world.personas["township"]).post(
        reverse("api:party-transfer-confirm", args=[recorded.json()["id"]]),
        {"received_on": f"{timezone.localdate()}"},
        format="json",
    )
    assert confirm.status_code == 409


def test_the_township_page_lists_pending_transfers_and_confirms_in_place_第十八条(world: World) -> None:
    api_as(world.personas["unit"]).post(TRANSFERS, _letter(world), format="json")
    client = Client()
    client.force_login(world.personas["township"])
    page = client.get(reverse("party-transfer-list"))
    body = page.content.decode()
    assert page.status_code == 200
    assert world.members["A"].name in body and world.leaders["A"].name in body and "确认转入" in body
    assert world.members["B"].name not in body  # another township's cadre
    marker = f'data-testid="confirm-{world.members["A"].pk}"'
    assert marker in body
    done = client.post(
        reverse("cadre-party-transfer", args=[world.members["A"].pk]),
        {"action": "confirm", "received_on": f"{timezone.localdate()}", "next": reverse("party-transfer-list")},
    )
    assert (done.status_code, done["Location"]) == (302, reverse("party-transfer-list"))
    assert PartyTransfer.objects.get().status == "confirmed"
    assert f'href="/cadres/{world.members["A"].pk}/"' not in client.get(done["Location"]).content.decode()
    cadre_page = client.get(reverse("cadre-detail", args=[world.members["A"].pk])).content.decode()
    assert "已转入" in cadre_page and "甲村党组织" in cadre_page


def test_the_transfer_list_exports_what_its_filter_shows_and_the_export_is_audited_第十八条(world: World) -> None:
    api_as(world.personas["unit"]).post(TRANSFERS, _letter(world), format="json")
    client = Client()
    client.force_login(world.personas["township"])
    page = client.get(reverse("party-transfer-list") + "?status=recorded")
    assert 'href="?status=recorded&amp;export=xlsx"' in page.content.decode()
    response = client.get(reverse("party-transfer-list") + "?status=recorded&export=xlsx")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = table_rows(sheet)
    sent = f"{timezone.localdate() - dt.timedelta(days=5)}"
    assert [(row[0], row[4], row[6], row[7], f"{row[8]:%Y-%m-%d}", row[9]) for row in rows] == [
        (world.members["A"].name, "130102001001", "甲县卫生健康局机关党委", "甲村党组织", sent, "待乡镇确认")
    ]  # the recorded one only: the leader's (unrecorded) is filtered out as on the page
    default = load_workbook(io.BytesIO(client.get(reverse("party-transfer-list") + "?export=xlsx").content)).active
    assert default is not None
    everyone = table_rows(default)  # the default filter: pending, recorded or not
    assert {row[0]: row[9] for row in everyone} == {
        world.members["A"].name: "待乡镇确认",
        world.leaders["A"].name: "未登记",
    }
    events = list(AuditEvent.objects.filter(action="export.xlsx").order_by("pk"))
    assert [(e.object_type, e.actor_id, e.after["filters"], e.after["rows"]) for e in events if e.after] == [
        ("cadres.partytransfer", world.personas["township"].pk, {"status": "recorded"}, 1),
        ("cadres.partytransfer", world.personas["township"].pk, {"status": "pending"}, 2),
    ]


# --- 第一书记兼任村党组织书记 -----------------------------------------------------------------------


def _propose(world: World) -> dict[str, Any]:
    response = api_as(world.personas["township"]).post(
        APPOINTMENTS, {"cadre": world.leaders["A"].pk, "reason": REASON}, format="json"
    )
    assert response.status_code == 201, response.content
    return dict(response.json())


def _consent(user: Any, pk: int, party: str, **extra: Any) -> Any:
    return api_as(user).post(reverse("api:party-secretary-consent", args=[pk]), {"party": party, **extra})


@pytest.mark.usefixtures("office_hours")
def test_the_township_appoints_the_first_secretary_after_both_consents_第十八条(world: World) -> None:
    proposal = _propose(world)
    assert proposal["status"] == "proposed"
    assert Notification.objects.filter(recipient=world.personas["cadre"]).exists()
    appoint_url = reverse("api:party-secretary-appoint", args=[proposal["id"]])
    today = f"{timezone.localdate()}"
    township = api_as(world.personas["township"])
    early = township.post(appoint_url, {"decided_on": today}, format="json")
    assert early.status_code == 400 and "第一书记本人和派出单位党组（党委）" in early.json()["detail"][0]

    assert _consent(world.personas["cadre"], proposal["id"], "first_secretary").status_code == 200
    still = township.post(appoint_url, {"decided_on": today}, format="json")
    assert still.status_code == 400 and "派出单位党组" in still.json()["detail"][0]
    given = _consent(world.personas["unit"], proposal["id"], "unit", note="2026年第3次党组会议研究同意")
    assert given.status_code == 200
    assert (given.json()["cadre_consent_by_name"], given.json()["unit_consent_by_name"]) == ("p_cadre", "p_unit")

    appointed = township.post(appoint_url, {"decided_on": today, "decision_no": "甲一镇党委〔2026〕5号"}, format="json")
    assert appointed.status_code == 200, appointed.content
    assert appointed.json()["status"] == "appointed"
    actions = list(
        AuditEvent.objects.filter(action__startswith="party.secretary").order_by("pk").values_list("action", "actor_id")
    )
    assert actions == [
        ("party.secretary_propose", world.personas["township"].pk),
        ("party.secretary_consent", world.personas["cadre"].pk),
        ("party.secretary_consent", world.personas["unit"].pk),
        ("party.secretary_appoint", world.personas["township"].pk),
    ]
    client = Client()
    client.force_login(world.personas["county"])
    cadre_page = client.get(reverse("cadre-detail", args=[world.leaders["A"].pk])).content.decode()
    assert "兼任甲村党组织书记" in cadre_page
    team_page = client.get(reverse("team-detail", args=[world.teams["A"].pk])).content.decode()
    assert 'data-testid="village-party-secretary"' in team_page and world.leaders["A"].name in team_page


def test_consents_are_the_first_secretarys_own_and_the_units_第十八条(world: World) -> None:
    proposal = _propose(world)
    assert _consent(world.personas["township"], proposal["id"], "first_secretary").status_code == 403
    assert _consent(world.personas["unit"], proposal["id"], "first_secretary").status_code == 403
    assert _consent(world.personas["cadre"], proposal["id"], "unit").status_code == 403
    assert _consent(world.personas["cadre"], proposal["id"], "nobody").status_code == 400
    twice = [_consent(world.personas["cadre"], proposal["id"], "first_secretary") for _ in range(2)]
    assert [r.status_code for r in twice] == [200, 200]
    assert AuditEvent.objects.filter(action="party.secretary_consent").count() == 1  # consenting twice: once


def test_only_a_first_secretary_in_post_and_one_per_village_第十八条(world: World) -> None:
    township = api_as(world.personas["township"])
    member = township.post(APPOINTMENTS, {"cadre": world.members["A"].pk, "reason": REASON}, format="json")
    assert member.status_code == 400 and "只有第一书记" in member.json()["cadre"][0]
    short = township.post(APPOINTMENTS, {"cadre": world.leaders["A"].pk, "reason": "没人"}, format="json")
    assert short.status_code == 400 and "reason" in short.json()
    assert not PartySecretaryAppointment.objects.exists()
    _propose(world)
    again = township.post(APPOINTMENTS, {"cadre": world.leaders["A"].pk, "reason": REASON}, format="json")
    assert again.status_code == 409
    for persona in ("county", "unit", "cadre"):
        refused = api_as(world.personas[persona]).post(
            APPOINTMENTS, {"cadre": world.leaders["A"].pk, "reason": REASON}, format="json"
        )
        assert refused.status_code == 403, persona
    assert PartySecretaryAppointment.objects.count() == 1


@pytest.mark.usefixtures("office_hours")
def test_the_township_ends_an_appointment_and_the_village_may_have_another_第十八条(world: World) -> None:
    proposal = _propose(world)
    url = reverse("api:party-secretary-end", args=[proposal["id"]])
    township = api_as(world.personas["township"])
    no_reason = township.post(url, {"ended_on": f"{timezone.localdate()}", "reason": ""}, format="json")
    assert no_reason.status_code == 400
    ended = township.post(url, {"ended_on": f"{timezone.localdate()}", "reason": "已选出村党组织书记"}, format="json")
    assert (ended.status_code, ended.json()["status"]) == (200, "ended")
    assert (
        township.post(url, {"ended_on": f"{timezone.localdate()}", "reason": "再次"}, format="json").status_code == 409
    )
    _propose(world)  # the village's party organization may be led by its first secretary again


def test_the_page_shows_each_form_only_to_whoever_may_act_第十八条(world: World) -> None:
    url = reverse("cadre-party-secretary", args=[world.leaders["A"].pk])
    pages: dict[str, str] = {}
    for persona in ("township", "county"):
        client = Client()
        client.force_login(world.personas[persona])
        pages[persona] = client.get(url).content.decode()
    assert 'data-testid="propose-form"' in pages["township"]
    assert 'data-testid="propose-form"' not in pages["county"]
    client = Client()
    client.force_login(world.personas["township"])
    bad = client.post(url, {"action": "propose", "reason": "短"})
    assert bad.status_code == 400 and "至少 10 个字" in bad.content.decode()
    assert client.post(url, {"action": "propose", "reason": REASON}).status_code == 302
    cadre = Client()
    cadre.force_login(world.personas["cadre"])
    assert 'data-testid="consent-form"' in cadre.get(url).content.decode()
    assert cadre.post(url, {"action": "consent"}).status_code == 302
    assert PartySecretaryAppointment.objects.get().cadre_consent_by == world.personas["cadre"]
