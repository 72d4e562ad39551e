"""The whereabouts board (去向公示牌, 第十九条3) follows approved leave by the half day (第十九条2), and
销假 returns the cadre to 在村."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.test import Client
from django.urls import reverse

from attendance.models import SignIn
from cadres.models import Cadre
from leave import services as leave_services
from tests.attendance.conftest import approved_leave, at
from tests.leave.factories import cadre_account
from zhucun.testing.world import World

TODAY = dt.date(2026, 11, 26)


def _label(world: World, cadre: Cadre) -> str:
    page = Client().get(reverse("public-village", args=[world.village("A")]))
    board = {c.name: label for c, label in page.context["board"]}
    return board[cadre.name]


def _signed_in(cadre: Cadre) -> None:
    SignIn.objects.create(
        cadre=cadre, village_code=cadre.team.village_id, date=TODAY, client_id=uuid.uuid4(), status="ok",
        inside_geofence=True, distance_m=20,
    )  # fmt: skip


def test_an_afternoon_leave_shows_on_the_board_only_in_the_afternoon_第十九条(world: World, clock: Any) -> None:
    member = world.members["A"]
    leave = approved_leave(member, TODAY, TODAY)
    leave.start_half = "pm"
    leave.save()
    _signed_in(member)
    clock.set(at(9, 0, TODAY))
    assert _label(world, member) == "在村"
    clock.set(at(14, 0, TODAY))
    assert _label(world, member) == "请假"


def test_report_back_returns_the_board_to_in_village_第十九条(world: World, clock: Any) -> None:
    """第十九条2 请假期满后，应及时销假: after 销假 the board says 在村 again, the same day."""
    member = world.members["A"]
    leave = approved_leave(member, TODAY, TODAY + dt.timedelta(days=2))
    clock.set(at(10, 0, TODAY))
    assert _label(world, member) == "请假"
    clock.set(at(15, 0, TODAY))
    leave_services.leave_request_report_back(actor=cadre_account(member), request_id=leave.pk)
    assert _label(world, member) == "在村"
