"""Account writes. ``account_create`` is the one way to make an account (API, command, demo data)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from cadres.models import Cadre, Region, Unit
from zhucun import scoping
from zhucun.audit import audit_record, snapshot
from zhucun.inputs import parse_id

from .models import REGION_LEVEL_OF_ROLE, Role, User


def _resolve_scope(*, actor: Any | None, role: str, scope: str) -> dict[str, Any]:
    """The region/unit/cadre the new account is bound to. With an ``actor``, the target must lie
    within the actor's own scope; outside it, it is reported as not found (never leaked)."""
    scope = (scope or "").strip()
    if role in REGION_LEVEL_OF_ROLE:
        expected = REGION_LEVEL_OF_ROLE[Role(role)]
        regions = Region.objects.all() if actor is None else scoping.restrict(Region.objects.all(), actor)
        region = regions.filter(code=scope).first()
        if region is None or (actor is not None and not scoping.region_in_scope(actor, region.code)):
            raise ValidationError({"scope": [f"区划代码 {scope} 不存在或不在您的管辖范围内"]})
        if region.level != expected:
            label = Region.Level(expected).label
            raise ValidationError(
                {"scope": [f"角色「{Role(role).label}」应绑定{label}级区划，{region.name}不是{label}"]}
            )
        return {"region": region}
    if role == Role.UNIT:
        units = Unit.objects.all() if actor is None else scoping.units_managed_by(actor)
        unit_id = parse_id(scope)
        unit = units.filter(pk=unit_id).first() if unit_id else None
        if unit is None:
            raise ValidationError({"scope": [f"派出单位 {scope} 不存在或不在您的管辖范围内"]})
        return {"unit": unit}
    if role == Role.CADRE:
        cadres = Cadre.objects.all() if actor is None else scoping.restrict(Cadre.objects.all(), actor)
        cadre_id = parse_id(scope)
        cadre = cadres.filter(pk=cadre_id).first() if cadre_id else None
        if cadre is None:
            raise ValidationError({"scope": [f"驻村干部 {scope} 不存在或不在您的管辖范围内"]})
        if User.objects.filter(cadre=cadre).exists():
            raise ValidationError({"scope": [f"驻村干部「{cadre.name}」已有账号"]})
        return {"cadre": cadre}
    raise ValidationError({"role": [f"角色应为 {'、'.join(Role.values)} 之一"]})


@transaction.atomic
def account_create(*, actor: Any | None, username: str, password: str, role: str, scope: str) -> User:
    """Create an account bound to ``role`` and ``scope`` (API.md "Accounts"). ``actor`` None is the
    command line (``manage.py create_account``), which may create the first provincial account."""
    if actor is not None:
        scoping.require(actor, "account.create")
    username = (username or "").strip()
    if not username:
        raise ValidationError({"username": ["用户名不能为空"]})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": [f"用户名「{username}」已被使用，请换一个"]})
    if role not in Role.values:
        raise ValidationError({"role": [f"角色应为 {'、'.join(Role.values)} 之一"]})
    bound = _resolve_scope(actor=actor, role=role, scope=scope)
    user = User(username=username, role=role, **bound)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.save()
    region_code = user.region_id or (user.cadre.team.village_id if user.cadre else "") or ""
    after = snapshot(user, fields=["username", "role", "region", "unit", "cadre"])
    audit_record(actor=actor, action="account.create", obj=user, after=after, region_code=region_code)
    return user
