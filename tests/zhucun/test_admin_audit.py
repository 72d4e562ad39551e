"""Issue 10 item 7: the operators' admin cannot forge or alter the trail, policy versions are added
only (not backdated, audited), and every add, change and delete made in the admin — in any app's
ModelAdmin — records an AuditEvent with the fields before and after (zhucun/admin_site.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from cadres.models import Team, Unit
from zhucun.admin_site import AuditedModelAdmin
from zhucun.models import AuditEvent, PolicyProfileVersion
from zhucun.testing.world import World


@pytest.fixture
def operator(db: None) -> User:
    return User.objects.create_superuser(username="root", password="Root-pass-2026")


@pytest.fixture
def client_as_operator(operator: User) -> Client:
    client = Client()
    client.force_login(operator)
    return client


def _admin(name: str, *args: object) -> str:
    return reverse(f"admin:{name}", args=args)


def test_every_registered_admin_records_audit_events() -> None:
    """The site wraps every ModelAdmin (ours, django.contrib.auth's, DRF's, later libraries')."""
    assert admin.site._registry
    unaudited = [model._meta.label for model, model_admin in admin.site._registry.items()
                 if not isinstance(model_admin, AuditedModelAdmin)]  # fmt: skip
    assert unaudited == []


def test_a_superuser_cannot_add_change_or_delete_an_audit_event(client_as_operator: Client, world: World) -> None:
    event = AuditEvent.objects.filter(action="account.create").first()
    assert event is not None
    count = AuditEvent.objects.count()
    assert client_as_operator.get(_admin("zhucun_auditevent_add")).status_code == 403
    forged = {"action": "account.create", "object_type": "accounts.user", "object_id": "1", "object_repr": "伪造"}
    assert client_as_operator.post(_admin("zhucun_auditevent_add"), forged).status_code == 403
    client_as_operator.post(_admin("zhucun_auditevent_change", event.pk), {**forged, "object_repr": "改写"})
    assert client_as_operator.post(_admin("zhucun_auditevent_delete", event.pk), {"post": "yes"}).status_code == 403
    client_as_operator.post(
        _admin("zhucun_auditevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert AuditEvent.objects.count() == count
    assert AuditEvent.objects.get(pk=event.pk).object_repr == event.object_repr
    # the operators can still read it
    assert client_as_operator.get(_admin("zhucun_auditevent_change", event.pk)).status_code == 200


def _version() -> PolicyProfileVersion:
    return PolicyProfileVersion.objects.create(
        name="2021年全国模板", effective_from=dt.date(2021, 7, 1), overrides={"term_years": 2}
    )


def test_a_policy_version_cannot_be_edited_or_deleted_in_the_admin(client_as_operator: Client) -> None:
    version = _version()
    client_as_operator.post(
        _admin("zhucun_policyprofileversion_change", version.pk),
        {"name": "改写", "effective_from": "2019-01-01", "overrides": '{"term_years": 5}', "basis": ""},
    )
    deleted = client_as_operator.post(_admin("zhucun_policyprofileversion_delete", version.pk), {"post": "yes"})
    assert deleted.status_code == 403
    version.refresh_from_db()
    assert (version.name, version.effective_from, version.overrides) == (
        "2021年全国模板",
        dt.date(2021, 7, 1),
        {"term_years": 2},
    )


def test_a_policy_version_added_in_the_admin_is_audited(client_as_operator: Client, operator: User) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client_as_operator.post(
        _admin("zhucun_policyprofileversion_add"),
        {
            "name": "试点：五年任期",
            "effective_from": f"{tomorrow}",
            "overrides": '{"term_years": 5}',
            "basis": "省委文件",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    version = PolicyProfileVersion.objects.get(name="试点：五年任期")
    assert version.created_by == operator
    event = AuditEvent.objects.get(action="policy.version_add", object_id=str(version.pk))
    assert event.actor == operator
    assert event.after is not None and event.after["overrides"] == {"term_years": 5}
    assert event.after["effective_from"] == f"{tomorrow}"


@pytest.mark.parametrize(
    ("effective_from", "overrides", "refusal"),
    [
        ("2020-01-01", '{"term_years": 5}', "生效日期不能早于今天"),
        ("tomorrow", '{"term_yaers": 5}', "参数无法识别"),
        ("tomorrow", '{"term_years": "五"}', "参数无法识别"),
    ],
)
def test_a_backdated_or_unknown_policy_version_is_refused_in_the_admin(
    client_as_operator: Client, effective_from: str, overrides: str, refusal: str
) -> None:
    if effective_from == "tomorrow":
        effective_from = f"{timezone.localdate() + dt.timedelta(days=1)}"
    response = client_as_operator.post(
        _admin("zhucun_policyprofileversion_add"),
        {"name": "更正", "effective_from": effective_from, "overrides": overrides, "basis": ""},
    )
    assert response.status_code == 200
    assert refusal in response.content.decode()
    assert not PolicyProfileVersion.objects.exists()
    assert not AuditEvent.objects.filter(action="policy.version_add").exists()


def test_a_change_in_the_admin_records_the_fields_before_and_after(
    client_as_operator: Client, operator: User, world: World
) -> None:
    team = world.teams["A"]
    other_unit = world.units["B"]
    response = client_as_operator.post(
        _admin("cadres_team_change", team.pk), {"village": team.village_id, "unit": other_unit.pk}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="admin.change", object_type="cadres.team", object_id=str(team.pk))
    assert event.actor == operator
    assert event.region_code == team.village_id  # the departments of the village see it
    assert event.before == {"unit_id": world.units["A"].pk}
    assert event.after is not None and event.after["unit_id"] == other_unit.pk


def test_an_addition_and_a_deletion_in_the_admin_are_audited(client_as_operator: Client, operator: User) -> None:
    response = client_as_operator.post(
        _admin("cadres_unit_add"), {"name": "省审计厅", "level": "province", "region": "13"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    unit = Unit.objects.get(name="省审计厅")
    added = AuditEvent.objects.get(action="admin.add", object_type="cadres.unit", object_id=str(unit.pk))
    assert added.actor == operator and added.after is not None and added.after["name"] == "省审计厅"

    assert client_as_operator.post(_admin("cadres_unit_delete", unit.pk), {"post": "yes"}).status_code == 302
    assert not Unit.objects.filter(pk=unit.pk).exists()
    deleted = AuditEvent.objects.get(action="admin.delete", object_type="cadres.unit", object_id=str(unit.pk))
    assert deleted.before is not None and deleted.before["name"] == "省审计厅" and deleted.after is None


def test_a_bulk_deletion_in_the_admin_records_every_object(client_as_operator: Client, world: World) -> None:
    teams = list(Team.objects.filter(pk__in=[world.teams["C"].pk, world.teams["D"].pk]))
    for team in teams:
        team.cadres.all().delete()
    response = client_as_operator.post(
        _admin("cadres_team_changelist"),
        {"action": "delete_selected", "_selected_action": [t.pk for t in teams], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Team.objects.filter(pk__in=[t.pk for t in teams]).exists()
    recorded = set(AuditEvent.objects.filter(action="admin.delete", object_type="cadres.team").values_list(
        "object_id", flat=True
    ))  # fmt: skip
    assert recorded == {str(t.pk) for t in teams}


def test_a_password_set_in_the_admin_is_audited_without_the_hash(
    client_as_operator: Client, operator: User, world: World
) -> None:
    user = world.township_accounts["A"]
    response = client_as_operator.post(
        _admin("auth_user_password_change", user.pk),
        {"password1": "New-pass-2026x", "password2": "New-pass-2026x", "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="admin.change", object_type="accounts.user", object_id=str(user.pk))
    assert event.actor == operator
    assert event.before == {"password": "******"} and event.after is not None
    assert event.after["password"] == "******"
    user.refresh_from_db()
    assert user.password not in str(event.before) + str(event.after)


def test_the_admin_is_mounted_at_the_configured_path() -> None:
    assert _admin("index") == "/" + settings.ADMIN_URL
