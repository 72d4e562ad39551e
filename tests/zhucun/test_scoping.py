"""zhucun/scoping.py: the org-tree rule, the unit axis (mixed teams, 第十六条), the cadre's own reach,
django-guardian grants for 交叉检查 (第十三条2), and the refusal of unregistered models."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from accounts.models import RegionGrant
from cadres.models import Cadre, Region, Team
from zhucun import scoping
from zhucun.models import PolicyProfileVersion
from zhucun.testing.world import World


def _villages(user: object) -> set[str]:
    return {team.village_id for team in scoping.restrict(Team.objects.all(), user)}  # type: ignore[arg-type]


def test_each_level_sees_only_its_own_subtree(world: World) -> None:
    a, b, c, d = (world.village(t) for t in "ABCD")
    assert _villages(world.personas["province"]) == {a, b, c, d}
    assert _villages(world.personas["city"]) == {a, b, c}
    assert _villages(world.personas["county"]) == {a, b}
    assert _villages(world.personas["township"]) == {a}


def test_a_unit_sees_the_mixed_team_where_its_cadre_serves_but_not_the_teams_other_cadres(world: World) -> None:
    """第十六条: a unit whose cadre serves in another unit's team sees that team, and only its own cadre."""
    lent = world.members["B"]
    Cadre.objects.filter(pk=lent.pk).update(unit=world.units["A"])
    unit_user = world.personas["unit"]
    assert _villages(unit_user) == {world.village("A"), world.village("B")}
    visible_cadres = set(scoping.restrict(Cadre.objects.all(), unit_user).values_list("pk", flat=True))
    assert lent.pk in visible_cadres
    assert world.leaders["B"].pk not in visible_cadres


def test_a_cadre_sees_their_own_team_and_teammates_only(world: World) -> None:
    user = world.personas["cadre"]
    assert _villages(user) == {world.village("A")}
    assert set(scoping.restrict(Cadre.objects.all(), user)) == {world.leaders["A"], world.members["A"]}


def test_regions_visible_to_a_township_are_its_subtree_and_ancestors_never_siblings(world: World) -> None:
    codes = set(scoping.restrict(Region.objects.all(), world.personas["township"]).values_list("code", flat=True))
    assert {"13", "1301", "130102", "130102001", world.village("A")} <= codes
    assert "130102002" not in codes
    assert world.village("B") not in codes


def test_a_cross_check_grant_lends_another_countys_teams_until_it_expires(world: World) -> None:
    """第十三条2 交叉检查: a guardian grant on county 130104 lets 甲县's inspector see 丙县's team."""
    inspector = world.personas["county"]
    permission = Permission.objects.get(codename="inspect_region")
    grant = RegionGrant.objects.create(
        user=inspector, permission=permission, content_object_id="130104", valid_until=timezone.localdate()
    )
    inspector = type(inspector).objects.get(pk=inspector.pk)  # a fresh request: the scope is recomputed
    assert world.village("C") in _villages(inspector)
    assert world.village("D") not in _villages(inspector)
    # Lending is for inspection only: it does not make the inspector manage 丙县's units.
    assert not scoping.units_managed_by(inspector).filter(region_id="130104").exists()

    RegionGrant.objects.filter(pk=grant.pk).update(valid_until=timezone.localdate() - dt.timedelta(days=1))
    inspector = type(inspector).objects.get(pk=inspector.pk)
    assert world.village("C") not in _villages(inspector)


def test_an_inactive_or_anonymous_user_sees_nothing(world: World) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert not scoping.restrict(Team.objects.all(), AnonymousUser()).exists()
    user = world.personas["province"]
    user.is_active = False
    user.save()
    user = type(user).objects.get(pk=user.pk)
    assert not scoping.restrict(Team.objects.all(), user).exists()


def test_restricting_a_model_without_scope_keys_is_refused(world: World) -> None:
    with pytest.raises(ImproperlyConfigured):
        scoping.restrict(PolicyProfileVersion.objects.all(), world.personas["county"])


def test_role_actions_decide_403_for_in_scope_objects(world: World) -> None:
    assert scoping.can(world.personas["county"], "roster.import")
    assert not scoping.can(world.personas["township"], "roster.import")
    assert scoping.can(world.personas["county"], "cadre.view_id_number")
    assert not scoping.can(world.personas["province"], "cadre.view_id_number")
    with pytest.raises(ImproperlyConfigured):
        scoping.can(world.personas["county"], "no.such.action")
