"""三员分立 (issue 10 item 12, decision 0048): a system, a security and an audit administrator, each
bound to a region, each seeing only its own pages and none of the cadres' data; appointed by the
operator, never by another role; every action audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import RegionGrant, User
from cadres.models import Cadre, Team
from tests.conftest import api_as
from zhucun import scoping
from zhucun.models import AuditEvent
from zhucun.testing.world import PASSWORD, World, add_administrators


@pytest.fixture
def admins(world: World) -> dict[str, User]:
    return add_administrators(world)


def _browser(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _menu(user: User) -> list[str]:
    response = _browser(user).get(reverse("notifications"))
    return [item["label"] for item in response.context["nav_items"]]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["system_admin", "security_admin", "audit_admin"])
def test_the_operator_appoints_each_administrator_for_the_province(role: str) -> None:
    call_command("create_account", f"{role.replace('_', '')}", role=role, scope="13", password=PASSWORD)
    user = User.objects.get(username=role.replace("_", ""))
    assert (user.role, user.region_id, user.is_superuser, user.is_staff) == (role, "13", False, False)


@pytest.mark.django_db
def test_an_administrator_is_bound_to_a_province_city_or_county_only(world: World) -> None:
    with pytest.raises(CommandError, match="省、市或县级"):
        call_command("create_account", "xiangzhen", role="security_admin", scope="130102001", password=PASSWORD)


@pytest.mark.django_db
def test_the_database_refuses_an_administrator_without_a_region() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="loose", role="audit_admin")


@pytest.mark.parametrize("actor", ["province", "security_admin"])
@pytest.mark.parametrize("role", ["system_admin", "security_admin", "audit_admin"])
def test_no_role_in_the_application_may_create_an_administrator(
    world: World, admins: dict[str, User], actor: str, role: str
) -> None:
    response = api_as(world.personas[actor]).post(
        reverse("api:account-list"),
        {"username": "newadmin", "password": PASSWORD, "role": role, "scope": "130102"},
        format="json",
    )
    assert response.status_code == 400
    assert "create_account" in response.json()["role"][0]
    assert not User.objects.filter(username="newadmin").exists()


def test_the_security_administrator_manages_the_accounts_of_its_county(world: World, admins: dict[str, User]) -> None:
    security = admins["security_admin"]
    client = _browser(security)
    listing = client.get(reverse("account-list") + "?role=township").content.decode()
    assert ">t_a<" in listing and ">t_b<" in listing and ">t_c<" not in listing
    created = api_as(security).post(
        reverse("api:account-list"),
        {"username": "zhen_new", "password": PASSWORD, "role": "township", "scope": "130102002"},
        format="json",
    )
    assert created.status_code == 201, created.content
    cadre = world.personas["cadre"]
    assert (
        client.post(reverse("account-reset-password", args=[cadre.pk]), {"password": "Reset-pass-2027"}).status_code
        == 302
    )
    assert client.post(reverse("account-set-active", args=[cadre.pk]), {"active": "0"}).status_code == 302
    assert client.post(reverse("account-revoke-tokens", args=[cadre.pk])).status_code == 302
    actions = set(AuditEvent.objects.filter(actor=security).values_list("action", flat=True))
    assert {"account.create", "account.reset_password", "account.deactivate", "account.revoke_tokens"} <= actions
    other_county = User.objects.get(username="t_c")
    assert client.get(reverse("account-detail", args=[other_county.pk])).status_code == 404


def test_the_security_administrator_unlocks_a_locked_account(world: World, admins: dict[str, User]) -> None:
    from rest_framework.test import APIClient

    for _ in range(10):
        APIClient().post(reverse("api:auth-token"), {"username": "p_cadre", "password": "x"}, format="json")
    client = _browser(admins["security_admin"])
    assert client.post(reverse("account-unlock", args=[world.personas["cadre"].pk])).status_code == 302
    ok = APIClient().post(reverse("api:auth-token"), {"username": "p_cadre", "password": PASSWORD}, format="json")
    assert ok.status_code == 200
    assert AuditEvent.objects.get(action="account.unlock").actor == admins["security_admin"]


def test_administrator_accounts_are_not_reset_or_switched_off_in_the_application(
    world: World, admins: dict[str, User]
) -> None:
    """Otherwise the security administrator could take the audit administrator's password, or an
    organization department switch the auditors off."""
    from accounts.services import account_create

    # An audit administrator of 甲县: within the county security administrator's and the city's scope.
    audit = account_create(actor=None, username="xian_audit", password=PASSWORD, role="audit_admin", scope="130102")
    security = _browser(admins["security_admin"])
    county = _browser(world.personas["city"])
    for client in (security, county):
        assert (
            client.post(reverse("account-reset-password", args=[audit.pk]), {"password": "Take-over-2027"}).status_code
            == 403
        )
        assert client.post(reverse("account-set-active", args=[audit.pk]), {"active": "0"}).status_code == 403
    audit.refresh_from_db()
    assert audit.check_password(PASSWORD) and audit.is_active
    assert county.post(reverse("account-unlock", args=[audit.pk])).status_code == 403


def test_the_administrators_see_none_of_the_cadres_data(world: World, admins: dict[str, User]) -> None:
    for admin in admins.values():
        assert not scoping.restrict(Cadre.objects.all(), admin).exists()
        assert not scoping.restrict(Team.objects.all(), admin).exists()
        client = _browser(admin)
        assert client.get(reverse("cadre-detail", args=[world.leaders["A"].pk])).status_code == 404
        assert world.leaders["A"].name not in client.get(reverse("cadre-list")).content.decode()
        assert client.get(reverse("attendance-dashboard")).status_code in (403, 404)


def test_only_the_audit_administrator_of_the_three_reads_the_audit_trail(world: World, admins: dict[str, User]) -> None:
    assert scoping.can(admins["audit_admin"], "audit.view")
    assert not scoping.can(admins["security_admin"], "audit.view")
    assert not scoping.can(admins["system_admin"], "audit.view")
    AuditEvent.objects.create(action="test.a", object_type="x", object_id="1", region_code="130102001001")
    AuditEvent.objects.create(action="test.d", object_type="x", object_id="2", region_code="130202001001")
    seen = set(scoping.restrict(AuditEvent.objects.all(), admins["audit_admin"]).values_list("action", flat=True))
    assert "test.a" in seen and "test.d" not in seen  # its city only
    assert not scoping.restrict(User.objects.all(), admins["audit_admin"]).exists()
    assert _browser(admins["audit_admin"]).get(reverse("account-list")).status_code == 403


def test_the_system_administrator_sees_how_the_system_runs_and_no_accounts(
    world: World, admins: dict[str, User]
) -> None:
    client = _browser(admins["system_admin"])
    page = client.get(reverse("system-overview"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "min_days_in_village_per_month" in body and "attendance.absence_findings" in body
    assert client.get(reverse("account-list")).status_code == 403
    assert client.get(reverse("grant-list")).status_code == 403
    assert not scoping.restrict(AuditEvent.objects.all(), admins["system_admin"]).exists()
    assert _browser(world.personas["province"]).get(reverse("system-overview")).status_code == 403


def test_each_administrator_sees_only_its_own_pages_in_the_menu(world: World, admins: dict[str, User]) -> None:
    assert _menu(admins["security_admin"]) == ["首页", "账号管理", "交叉检查授权"]
    assert _menu(admins["system_admin"]) == ["首页", "节假日与调休", "系统运行", "消息推送状态"]
    assert _menu(admins["audit_admin"]) == ["首页", "操作记录"]
    home = _browser(admins["security_admin"]).get(reverse("home"))
    assert 'data-testid="administrator-home"' in home.content.decode()


def test_the_security_administrator_lends_a_township_for_an_inspection_and_takes_it_back(
    world: World, admins: dict[str, User]
) -> None:
    inspector = world.township_accounts["A"]  # 甲一镇
    team_b = world.teams["B"]  # in 甲二镇
    assert not scoping.restrict(Team.objects.filter(pk=team_b.pk), inspector).exists()
    client = _browser(admins["security_admin"])
    until = timezone.localdate() + dt.timedelta(days=30)
    response = client.post(
        reverse("grant-list"),
        {"username": "T_A", "region": "130102002", "valid_until": until.isoformat(), "reason": "冀组通〔2026〕12号"},
    )
    assert response.status_code == 302, response.content.decode()
    grant = RegionGrant.objects.get(user=inspector)
    assert grant.valid_until == until
    inspector = User.objects.get(pk=inspector.pk)  # a fresh request computes a fresh scope
    assert scoping.restrict(Team.objects.filter(pk=team_b.pk), inspector).exists()
    listing = client.get(reverse("grant-list")).content.decode()
    assert "甲二镇" in listing and "冀组通〔2026〕12号" in listing
    assert client.post(reverse("grant-revoke", args=[grant.pk])).status_code == 302
    inspector = User.objects.get(pk=inspector.pk)
    assert not scoping.restrict(Team.objects.filter(pk=team_b.pk), inspector).exists()
    events = list(AuditEvent.objects.filter(action__in=["grant.create", "grant.revoke"]).order_by("id"))
    assert [e.action for e in events] == ["grant.create", "grant.revoke"]
    created, revoked = events[0].after, events[1].before
    assert created is not None and revoked is not None
    assert created["region"] == "130102002" and revoked["valid_until"] == until.isoformat()
    assert all(e.actor == admins["security_admin"] for e in events)


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"region": "130104001"}, "region", "不在您的管辖范围内"),  # another county
        ({"region": "130102001"}, "region", "已在该账号的管辖范围内"),
        ({"valid_until": "2020-01-01"}, "valid_until", "不能早于今天"),
        ({"valid_until": ""}, "valid_until", "请填写有效期至"),
        ({"reason": ""}, "reason", ""),
        ({"username": "p_cadre"}, "username", "只能授予"),
        ({"username": "t_c"}, "username", "不在您的管辖范围内"),
    ],
)
def test_a_grant_is_refused_with_a_chinese_message_and_nothing_written(
    world: World, admins: dict[str, User], form: dict[str, str], field: str, message: str
) -> None:
    until = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    data = {"username": "t_a", "region": "130102002", "valid_until": until, "reason": "检查", **form}
    response = _browser(admins["security_admin"]).post(reverse("grant-list"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field]), errors
    assert not RegionGrant.objects.exists()
    assert not AuditEvent.objects.filter(action="grant.create").exists()


def test_organization_departments_do_not_manage_grants(world: World, admins: dict[str, User]) -> None:
    for persona in ("province", "county"):
        assert _browser(world.personas[persona]).get(reverse("grant-list")).status_code == 403
