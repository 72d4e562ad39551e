"""The county office reveals one cadre's 身份证号 in a real browser (issue 10 item 11): the page shows
the number masked, the button swaps in the full number in place (htmx), and the look is audited."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from cadres.idnumbers import mask_id_number
from tests.browser.helpers import login
from zhucun.models import AuditEvent
from zhucun.testing.world import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_county_office_reveals_a_number_in_place_and_the_look_is_audited(
    page: Page, live_server: object, world: World
) -> None:
    base = str(live_server)
    cadre = world.leaders["A"]
    login(page, base, "p_county")

    page.goto(f"{base}/cadres/{cadre.pk}/")
    number = page.locator("[data-testid=id-number]")
    expect(number).to_contain_text(mask_id_number(cadre.id_number))
    expect(number).not_to_contain_text(cadre.id_number)

    page.get_by_role("button", name="查看完整号码").click()

    expect(number).to_contain_text(cadre.id_number)
    expect(number).to_contain_text("已记入审计日志")
    assert page.url == f"{base}/cadres/{cadre.pk}/"  # swapped in place, no navigation
    event = AuditEvent.objects.get(action="cadre.reveal_id_number")
    assert (event.actor_id, event.object_id) == (world.personas["county"].pk, str(cadre.pk))
