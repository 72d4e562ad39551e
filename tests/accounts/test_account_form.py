"""The new-account page (issue 15 item 7): the role list offers only the roles below the creator's,
the service refuses a peer or a superior in Chinese, and a cadre is picked by searching names (with
the village path and unit to tell namesakes apart) within the creator's scope, not by an id."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.services import account_create
from tests.conftest import api_as
from zhucun.testing.world import PASSWORD, World


def _page_as(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.personas[persona])
    return client


def _offered_roles(html: str) -> list[str]:
    select = html[html.index('name="role"') : html.index("</select>", html.index('name="role"'))]
    return re.findall(r'<option value="([a-z_]+)"', select)


@pytest.mark.parametrize(
    ("persona", "offered"),
    [
        ("province", ["city_org", "county_org", "township", "unit", "cadre"]),
        ("city", ["county_org", "township", "unit", "cadre"]),
        ("county", ["township", "unit", "cadre"]),
    ],
)
def test_the_role_list_offers_only_the_roles_below_the_creator(world: World, persona: str, offered: list[str]) -> None:
    html = _page_as(world, persona).get(reverse("account-create")).content.decode()
    assert _offered_roles(html) == offered


@pytest.mark.parametrize("role", ["county_org", "city_org", "province_org"])
def test_a_county_cannot_create_a_peer_or_a_superior_through_the_page_the_api_or_the_service(
    world: World, role: str
) -> None:
    scope = {"county_org": "130102", "city_org": "1301", "province_org": "13"}[role]
    page = _page_as(world, "county").post(
        reverse("account-create"), {"username": "peer", "password": PASSWORD, "role": role, "scope": scope}
    )
    assert page.status_code == 200
    assert "只能创建下级账号" in page.content.decode()
    api = api_as(world.personas["county"]).post(
        reverse("api:account-list"), {"username": "peer", "password": PASSWORD, "role": role, "scope": scope}
    )
    assert api.status_code == 400
    assert "只能创建下级账号（乡镇党委、派出单位、驻村干部）" in api.json()["role"][0]
    assert not User.objects.filter(username="peer").exists()


def test_the_command_line_may_still_create_any_role(world: World) -> None:
    account_create(actor=None, username="sheng2", password=PASSWORD, role="province_org", scope="13")


def test_the_cadre_search_shows_name_village_path_and_unit_within_scope_only(world: World) -> None:
    client = _page_as(world, "county")
    found = client.get(reverse("account-scope-search"), {"role": "cadre", "q": "队员"}).content.decode()
    # 甲村 and 乙村 are the county's; 丙村 is another county's. The leader of 甲村 has an account (p_cadre).
    assert "甲县 / 甲一镇 / 甲村 · 甲县卫生健康局" in found
    assert "甲县 / 甲二镇 / 乙村 · 甲县农业农村局" in found
    assert "丙村" not in found
    assert f'data-zc-scope-pick="{world.members["A"].pk}"' in found
    leaders = client.get(reverse("account-scope-search"), {"role": "cadre", "q": "书记"}).content.decode()
    assert f'data-zc-scope-pick="{world.leaders["A"].pk}"' not in leaders  # already has an account
    assert f'data-zc-scope-pick="{world.leaders["B"].pk}"' in leaders
    nothing = client.get(reverse("account-scope-search"), {"role": "cadre", "q": "丙村"}).content.decode()
    assert "没有找到「丙村」" in nothing


def test_the_search_offers_units_and_townships_of_the_creators_scope_and_nothing_for_a_role_above(
    world: World,
) -> None:
    client = _page_as(world, "county")
    units = client.get(reverse("account-scope-search"), {"role": "unit", "q": "卫生"}).content.decode()
    assert f'data-zc-scope-pick="{world.units["A"].pk}"' in units
    assert f'data-zc-scope-pick="{world.units["C"].pk}"' not in units
    townships = client.get(reverse("account-scope-search"), {"role": "township", "q": "镇"}).content.decode()
    assert 'data-zc-scope-pick="130102001"' in townships
    assert 'data-zc-scope-pick="130104001"' not in townships
    above = client.get(reverse("account-scope-search"), {"role": "county_org", "q": "甲"}).content.decode()
    assert "data-zc-scope-pick" not in above


def test_a_cadre_account_is_created_from_the_picked_search_result(world: World) -> None:
    client = _page_as(world, "county")
    member = world.members["B"]
    refused = client.post(reverse("account-create"), {"username": "yicun", "password": PASSWORD, "role": "cadre"})
    assert "请搜索并选择账号所属的区划、派出单位或驻村干部" in refused.content.decode()
    weak = client.post(
        reverse("account-create"),
        {"username": "yicun", "password": "123", "role": "cadre", "scope": str(member.pk)},
    )
    assert ">乙村队员（甲县 / 甲二镇 / 乙村 · 甲县农业农村局 · 队员）<" in weak.content.decode()  # kept after an error
    created = client.post(
        reverse("account-create"),
        {"username": "yicun", "password": PASSWORD, "role": "cadre", "scope": str(member.pk)},
    )
    assert created.status_code == 302
    assert User.objects.get(username="yicun").cadre == member
