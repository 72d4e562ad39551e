"""第三条: 确需调整的，派出单位须写出书面申请，由同级党委组织部门审核批准，报上级组织部门备案
(API.md "Term adjustment"), and the replacement's dispatch."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from cadres import services
from cadres.models import Cadre, TermAdjustment
from tests.conftest import api_as
from zhucun.api.errors import Conflict
from zhucun.models import AuditEvent, Notification
from zhucun.testing.world import World, make_id_number

REASON = "因工作需要，该同志调任单位重要岗位，申请调整。"


def _apply(world: World) -> dict[str, Any]:
    response = api_as(world.personas["unit"]).post(
        reverse("api:term-adjustment-list"), {"cadre": world.members["A"].pk, "reason": REASON}, format="json"
    )
    assert response.status_code == 201, response.content
    return dict(response.json())


def test_the_dispatching_unit_applies_in_writing_and_the_county_department_is_told_第三条(world: World) -> None:
    body = _apply(world)
    assert body["status"] == "pending"
    assert Notification.objects.filter(recipient=world.personas["county"], url__contains=str(body["id"])).exists()
    assert AuditEvent.objects.filter(action="cadre.term_adjustment_request").exists()


@pytest.mark.parametrize("persona", ["province", "city", "county", "township", "cadre"])
def test_other_roles_may_not_apply_and_nothing_is_written(world: World, persona: str) -> None:
    response = api_as(world.personas[persona]).post(
        reverse("api:term-adjustment-list"), {"cadre": world.members["A"].pk, "reason": REASON}, format="json"
    )
    assert response.status_code == 403
    assert not TermAdjustment.objects.exists()


def test_a_unit_may_not_apply_for_another_units_cadre(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.term_adjustment_request(actor=world.personas["unit"], cadre=world.members["B"], reason=REASON)


def test_a_reason_is_required_and_one_application_is_open_at_a_time(world: World) -> None:
    with pytest.raises(ValidationError) as short:
        services.term_adjustment_request(actor=world.personas["unit"], cadre=world.members["A"], reason="调走")
    assert "书面申请" in short.value.message_dict["reason"][0]
    _apply(world)
    with pytest.raises(ValidationError):
        services.term_adjustment_request(actor=world.personas["unit"], cadre=world.members["A"], reason=REASON)


def test_the_same_level_department_approves_the_cadre_is_adjusted_and_the_level_above_sees_it_第三条(
    world: World,
) -> None:
    body = _apply(world)
    # a county unit's cadre: the county department decides; the city and the province do not
    for persona in ("city", "province"):
        refused = api_as(world.personas[persona]).post(
            reverse("api:term-adjustment-approve", args=[body["id"]]), {}, format="json"
        )
        assert refused.status_code == 403
    response = api_as(world.personas["county"]).post(
        reverse("api:term-adjustment-approve", args=[body["id"]]), {"comment": "同意"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "approved"
    assert response.json()["filed_with"] == "石家庄市委组织部"
    assert Cadre.objects.get(pk=world.members["A"].pk).status == Cadre.Status.ADJUSTED
    filed = api_as(world.personas["city"]).get(reverse("api:term-adjustment-list")).json()
    assert [row["id"] for row in filed["results"]] == [body["id"]]
    again = api_as(world.personas["county"]).post(reverse("api:term-adjustment-reject", args=[body["id"]]),
                                                  {"comment": "x"}, format="json")  # fmt: skip
    assert again.status_code == 409


def test_a_rejection_needs_a_reason_and_leaves_the_cadre_in_post(world: World) -> None:
    body = _apply(world)
    with pytest.raises(ValidationError):
        services.term_adjustment_decide(actor=world.personas["county"], adjustment_id=int(body["id"]), approve=False)
    services.term_adjustment_decide(
        actor=world.personas["county"], adjustment_id=int(body["id"]), approve=False, comment="理由不充分"
    )
    assert Cadre.objects.get(pk=world.members["A"].pk).status == Cadre.Status.ACTIVE
    with pytest.raises(Conflict):
        services.term_adjustment_decide(actor=world.personas["county"], adjustment_id=int(body["id"]), approve=True)


def test_a_replacement_joins_the_team_with_a_new_term_第三条(world: World) -> None:
    body = _apply(world)
    services.term_adjustment_decide(actor=world.personas["county"], adjustment_id=int(body["id"]), approve=True)
    client = Client()
    client.force_login(world.personas["county"])
    response = client.post(
        reverse("team-dispatch", args=[world.teams["A"].pk]),
        {"name": "赵接替", "gender": "female", "id_number": make_id_number(500), "phone": "13812345678",
         "role": "member", "term_start": "2026-12-01"},
    )  # fmt: skip
    assert response.status_code == 302
    replacement = Cadre.objects.get(name="赵接替")
    assert replacement.team == world.teams["A"] and replacement.unit == world.units["A"]
    assert replacement.term_end.isoformat() == "2029-11-30"
    assert AuditEvent.objects.filter(action="cadre.dispatch", object_id=str(replacement.pk)).exists()


def test_a_second_leader_cannot_be_dispatched_while_one_is_in_post(world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        services.cadre_dispatch(
            actor=world.personas["county"], team=world.teams["A"], name="钱队长", gender="male",
            id_number=make_id_number(501), phone="13812345679", role="first_secretary_leader", term_start="2026-12-01",
        )  # fmt: skip
    assert "队长" in refused.value.message_dict["role"][0]
    assert not Cadre.objects.filter(name="钱队长").exists()


def test_the_unit_applies_from_the_cadre_page(world: World) -> None:
    client = Client()
    client.force_login(world.personas["unit"])
    page = client.get(reverse("cadre-detail", args=[world.members["A"].pk])).content.decode()
    assert reverse("term-adjustment-new", args=[world.members["A"].pk]) in page
    response = client.post(reverse("term-adjustment-new", args=[world.members["A"].pk]), {"reason": REASON})
    assert response.status_code == 302
    assert TermAdjustment.objects.get().requested_by == world.personas["unit"]
