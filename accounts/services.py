"""Account writes. ``account_create`` is the one way to make an account (API, command, demo data)."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from cadres.models import Cadre, Region, Unit
from zhucun import channels, scoping
from zhucun.audit import audit_record, snapshot, update_audited
from zhucun.channels import DeliveryError, TransientDeliveryError
from zhucun.channels.sms import is_mobile
from zhucun.inputs import parse_id
from zhucun.outbox import enqueue

from .lockout import locked_until, reset_failures
from .models import (
    ADMIN_REGION_LEVELS,
    ADMIN_ROLES,
    REGION_LEVEL_OF_ROLE,
    ApiToken,
    PasswordResetRequest,
    RegionGrant,
    Role,
    User,
)
from .receivers import home_region_code
from .selectors import creatable_roles
from .tokens import digest_of, new_key
from .usernames import normalize_username, validate_username

logger = logging.getLogger(__name__)

INSPECT_REGION = "inspect_region"  # the permission scoping reads grants of (cadres.Region Meta)


def _resolve_scope(*, actor: User | None, role: str, scope: str) -> dict[str, Any]:
    """The region/unit/cadre the new account is bound to. With an ``actor``, the target must lie
    within the actor's own scope; outside it, it is reported as not found (never leaked)."""
    scope = (scope or "").strip()
    if role in ADMIN_ROLES:
        region = Region.objects.filter(code=scope).first()
        if region is None or (actor is not None and not scoping.region_in_scope(actor, region.code)):
            raise ValidationError({"scope": [f"区划代码 {scope} 不存在或不在您的管辖范围内"]})
        if region.level not in ADMIN_REGION_LEVELS:
            raise ValidationError({"scope": [f"管理员应绑定省、市或县级区划，{region.name}不是"]})
        return {"region": region}
    if role in REGION_LEVEL_OF_ROLE:
        expected = REGION_LEVEL_OF_ROLE[Role(role)]
        # region_in_scope, not restrict(Region): the security administrator's scope covers accounts,
        # not the org tree's pages, and binds accounts all the same.
        region = Region.objects.filter(code=scope).first()
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
def account_create(*, actor: User | None, username: str, password: str, role: str, scope: str) -> User:
    """Create an account bound to ``role`` and ``scope`` (API.md "Accounts"). ``actor`` None is the
    command line (``manage.py create_account``), which may create the first provincial account."""
    if actor is not None:
        scoping.require(actor, "account.create")
    try:
        username = validate_username(username)
    except ValidationError as exc:
        raise ValidationError({"username": exc.messages}) from None
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": [f"用户名「{username}」已被使用，请换一个"]})
    if role not in Role.values:
        raise ValidationError({"role": [f"角色应为 {'、'.join(Role.values)} 之一"]})
    if role in ADMIN_ROLES and actor is not None:
        # Otherwise the security administrator could make himself an audit administrator (decision 0048).
        raise ValidationError(
            {"role": ["管理员账号（系统、安全、审计管理员）只能由运维人员通过 create_account 命令创建。"]}
        )
    if actor is not None and role not in ADMIN_ROLES:
        allowed = creatable_roles(actor)
        if role not in allowed:
            # Nobody creates a peer or a superior (issue 15 item 7, decision 0174).
            offered = "、".join(choice.label for choice in allowed) or "无"
            raise ValidationError(
                {
                    "role": [
                        f"您只能创建下级账号（{offered}），不能创建「{Role(role).label}」账号；请由上级组织部门创建。"
                    ]
                }
            )
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


# --- Device tokens (issue 10 item 3, decision 0046) ------------------------------------------------


@transaction.atomic
def token_issue(*, user: User, device: str = "", ip: str | None = None) -> str:
    """A new device token for ``user`` (after a successful login); the key, shown once. Beyond
    ``ZHUCUN_TOKENS_PER_ACCOUNT`` devices the least recently used are signed out."""
    key, now = new_key(), timezone.now()
    ApiToken.objects.create(
        user=user, digest=digest_of(key), device=device[:120], created_ip=ip, created_at=now, last_used=now
    )
    _trim_devices(user)
    return key


def _trim_devices(user: User) -> None:
    """Beyond ``ZHUCUN_TOKENS_PER_ACCOUNT`` devices the least recently used are signed out."""
    keep = settings.ZHUCUN_TOKENS_PER_ACCOUNT
    stale = list(ApiToken.objects.filter(user=user).order_by("-last_used", "-id").values_list("pk", flat=True)[keep:])
    if stale:
        ApiToken.objects.filter(pk__in=stale).delete()


@transaction.atomic
def device_remember(*, user: User, session_key: str, device: str = "", ip: str | None = None) -> ApiToken | None:
    """记住本机 (issue 15 item 7, decision 0172): the browser session ``session_key`` of a cadre becomes
    a device of the account, valid ``ZHUCUN_REMEMBER_DEVICE_DAYS`` from now; deleting the row ends
    the session. None for staff accounts: they keep the short session (decision 0042)."""
    if user.role != Role.CADRE or not session_key:
        return None
    now = timezone.now()
    ApiToken.objects.filter(user=user, kind=ApiToken.Kind.BROWSER, expires_at__lt=now).delete()
    token = ApiToken.objects.create(
        user=user,
        kind=ApiToken.Kind.BROWSER,
        digest=digest_of(new_key()),  # never handed out: a browser device cannot be used as an API token
        session_key=session_key,
        device=device[:120],
        created_ip=ip,
        created_at=now,
        last_used=now,
        expires_at=now + dt.timedelta(days=settings.ZHUCUN_REMEMBER_DEVICE_DAYS),
    )
    _trim_devices(user)
    audit_record(
        actor=user,
        action="auth.device_remember",
        obj=user,
        after=_token_facts(token),
        region_code=home_region_code(user),
    )
    return token


@transaction.atomic
def device_revoke_own(*, user: User, token_id: int) -> ApiToken:
    """The user signs one of their own devices out (the 登录设备 page): a phone's token or a
    remembered browser, this one included. Audited with the device revoked."""
    token = ApiToken.objects.filter(user=user, pk=token_id).first()
    if token is None:
        raise ValidationError({"token": ["该设备已注销或不存在，请刷新页面。"]})
    audit_record(
        actor=user,
        action="auth.device_revoke",
        obj=user,
        before={"tokens": [_token_facts(token)]},
        after={"tokens": []},
        region_code=home_region_code(user),
    )
    token.delete()
    return token


def _token_facts(token: ApiToken) -> dict[str, Any]:
    return {
        "token": token.pk,
        "kind": token.kind,
        "device": token.device,
        "created_at": token.created_at.isoformat(),
        "last_used": token.last_used.isoformat(),
    }


@transaction.atomic
def token_logout(*, token: ApiToken) -> None:
    """The caller's own token ends (POST /api/v1/auth/logout/)."""
    user = token.user
    audit_record(
        actor=user, action="auth.token_logout", obj=user, before=_token_facts(token), region_code=home_region_code(user)
    )
    token.delete()


@transaction.atomic
def token_revoke(*, actor: User, account: User, token_id: int | None) -> int:
    """Sign one device (``token_id``) or all devices (None) of ``account`` out: an organization
    department or the security administrator, for an account in scope. The number revoked."""
    _require_manageable(actor, account, "account.revoke_tokens")
    tokens = ApiToken.objects.filter(user=account)
    if token_id is not None:
        tokens = tokens.filter(pk=token_id)
    revoked = [_token_facts(token) for token in tokens]
    if token_id is not None and not revoked:
        raise ValidationError({"token": ["该设备已注销或不存在，请刷新页面。"]})
    tokens.delete()
    audit_record(
        actor=actor,
        action="account.revoke_tokens",
        obj=account,
        before={"tokens": revoked},
        after={"tokens": []},
        region_code=home_region_code(account),
    )
    return len(revoked)


# --- Account administration: lockouts, passwords, deactivation (issue 10 items 2, 3, 12) ----------


def _require_manageable(actor: User, account: User, action: str, *, admins_too: bool = True) -> None:
    """The role may ``action``; and administrator accounts (三员), appointed by the operator, are
    unlocked and signed out only by the security administrator and never reset or switched off in the
    application, or one administrator could take over another's duties (decision 0048)."""
    scoping.require(actor, action)
    if account.pk == getattr(actor, "pk", None) and action != "account.revoke_tokens":
        raise PermissionDenied("不能对自己的账号执行此操作，请由同级的其他管理人员办理。")
    if account.role in ADMIN_ROLES and not (admins_too and getattr(actor, "role", "") == Role.SECURITY_ADMIN):
        raise PermissionDenied("管理员账号（系统、安全、审计管理员）只能由运维人员通过 create_account 命令管理。")


@transaction.atomic
def account_unlock(*, actor: User, account: User) -> None:
    """End a lockout before its cool-off period (an organization department, the security administrator)."""
    _require_manageable(actor, account, "account.unlock")
    until = locked_until([account.username]).get(account.username)
    if until is None:
        raise ValidationError({"account": [f"账号「{account.username}」当前未被锁定，无需解锁。"]})
    reset_failures(account.username)
    audit_record(
        actor=actor,
        action="account.unlock",
        obj=account,
        before={"locked_until": until.isoformat()},
        after={"locked_until": None},
        region_code=home_region_code(account),
    )


@transaction.atomic
def account_reset_password(*, actor: User, account: User, password: str) -> None:
    """Set a temporary password for someone else's account (an organization department or the
    security administrator, in scope): every device and session of it ends (User.save revokes the
    tokens; sessions carry the old password's hash), and it must be changed at the next sign-in."""
    _require_manageable(actor, account, "account.reset_password", admins_too=False)
    try:
        validate_password(password, account)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    tokens = ApiToken.objects.filter(user=account).count()
    account.set_password(password)
    # A temporary password: the person chooses their own at the next sign-in (decision 0173).
    account.must_change_password = True
    account.save(update_fields=["password", "must_change_password"])
    audit_record(
        actor=actor,
        action="account.reset_password",
        obj=account,
        after={"tokens_revoked": tokens, "sessions_ended": True, "must_change_password": True},
        region_code=home_region_code(account),
    )


@transaction.atomic
def password_change(*, user: User, old_password: str, new_password: str) -> None:
    """The user's own new password: their other devices and sessions end (the caller keeps its session
    with ``update_session_auth_hash``)."""
    if not user.check_password(old_password):
        raise ValidationError({"old_password": ["原密码不正确，请重新输入。"]})
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password": exc.messages}) from None
    tokens = ApiToken.objects.filter(user=user).count()
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit_record(
        actor=user,
        action="auth.password_change",
        obj=user,
        after={"tokens_revoked": tokens},
        region_code=home_region_code(user),
    )


@transaction.atomic
def account_set_active(*, actor: User, account: User, active: bool) -> None:
    """Switch an account off (its devices and sessions end at once) or on again."""
    _require_manageable(actor, account, "account.deactivate", admins_too=False)
    if account.is_active == active:
        state = "启用" if active else "停用"
        raise ValidationError({"account": [f"账号「{account.username}」已是{state}状态。"]})
    update_audited(
        actor=actor,
        action="account.activate" if active else "account.deactivate",
        obj=account,
        changes={"is_active": active},
        region_code=home_region_code(account),
    )


# --- Region grants: 交叉检查 (第十三条2; issue 10 item 12) -------------------------------------------

#: The roles whose scope reads region grants (zhucun/scoping.py).
GRANTEE_ROLES = frozenset({Role.CITY_ORG, Role.COUNTY_ORG, Role.TOWNSHIP})
#: The longest a grant may run: an inspection is a campaign, not a transfer.
GRANT_MAX_DAYS = 366


def _grant_facts(grant: RegionGrant) -> dict[str, Any]:
    return {
        "user": grant.user_id,
        "username": grant.user.username,
        "region": grant.content_object_id,
        "valid_until": grant.valid_until.isoformat() if grant.valid_until else None,
        "reason": grant.reason,
    }


@transaction.atomic
def grant_create(
    *, actor: User, username: str, region_code: str, valid_until: dt.date | None, reason: str
) -> RegionGrant:
    """Lend ``region_code`` to an account of the actor's region until ``valid_until`` (security
    administrator only): the account then sees that region's teams and cadres (a 交叉检查)."""
    scoping.require(actor, "grant.manage")
    errors: dict[str, list[str]] = {}
    account = scoping.restrict(User.objects.all(), actor).filter(username=normalize_username(username)).first()
    if account is None:
        errors["username"] = [f"账号「{username}」不存在或不在您的管辖范围内。"]
    elif account.role not in GRANTEE_ROLES:
        errors["username"] = ["交叉检查授权只能授予市委组织部、县委组织部或乡镇党委的账号。"]
    region = Region.objects.filter(code=(region_code or "").strip()).first()
    if region is None or not scoping.region_in_scope(actor, region.code):
        errors["region"] = [f"区划代码 {region_code} 不存在或不在您的管辖范围内。"]
    elif region.level == Region.Level.PROVINCE:
        errors["region"] = ["不能授权整个省，请选择市、县或乡镇。"]
    elif account is not None and account.region_id and region.code.startswith(str(account.region_id)):
        errors["region"] = [f"{region.name}已在该账号的管辖范围内，无需授权。"]
    today = timezone.localdate()
    if valid_until is None:
        errors["valid_until"] = ["请填写有效期至（交叉检查结束的日期）。"]
    elif valid_until < today:
        errors["valid_until"] = ["有效期至不能早于今天。"]
    elif valid_until > today + dt.timedelta(days=GRANT_MAX_DAYS):
        errors["valid_until"] = [
            f"有效期最长一年，请填写 {today + dt.timedelta(days=GRANT_MAX_DAYS):%Y-%m-%d} 之前的日期。"
        ]
    if not (reason or "").strip():
        errors["reason"] = ["请填写事由（如交叉检查的通知文号）。"]
    if not errors and RegionGrant.objects.filter(user=account, content_object=region).exists():
        errors["region"] = ["该账号已有这个区划的授权；如需改期，请先撤销再授权。"]
    if errors:
        raise ValidationError(errors)
    assert account is not None and region is not None
    grant = RegionGrant.objects.create(
        user=account,
        permission=Permission.objects.get(codename=INSPECT_REGION, content_type__app_label="cadres"),
        content_object=region,
        valid_until=valid_until,
        reason=reason.strip()[:200],
    )
    audit_record(actor=actor, action="grant.create", obj=grant, after=_grant_facts(grant), region_code=region.code)
    return grant


@transaction.atomic
def grant_revoke(*, actor: User, grant: RegionGrant) -> None:
    """End a grant now (security administrator only)."""
    scoping.require(actor, "grant.manage")
    audit_record(
        actor=actor, action="grant.revoke", obj=grant, before=_grant_facts(grant), region_code=grant.content_object_id
    )
    grant.delete()


# --- 找回密码 by SMS code (issue 15 item 7, decision 0173) ------------------------------------------

#: How long a code is valid after it was sent, and how many wrong entries it allows.
RESET_CODE_MINUTES = 10
RESET_CODE_ATTEMPTS = 5
#: Codes sent to one account per hour (more requests are answered alike and send nothing), and
#: requests from one address per hour (more are refused with 429: a script, not a person).
RESET_CODES_PER_ACCOUNT_HOUR = 3
RESET_REQUESTS_PER_ADDRESS_HOUR = 10
#: The one answer to every request, whether or not the account exists (no enumeration).
RESET_REQUESTED = (
    f"如果该账号存在并登记了手机号，验证码已通过短信发送，{RESET_CODE_MINUTES} 分钟内有效。"
    "没有收到？请确认用户名或手机号，或联系本级组织部门重置密码。"
)
RESET_CODE_WRONG = "验证码不正确或已过期，请核对短信，或重新获取验证码。"


class ResetThrottled(Exception):
    """Too many requests from one address: the page answers 429 with this message."""


def password_reset_by_sms_available() -> bool:
    """Whether this deployment sends SMS (``ZHUCUN_CHANNELS`` names ``sms``)."""
    return channels.sms_adapter() is not None


def _code_digest(request_id: int, code: str) -> str:
    """HMAC-SHA256 of the code keyed with SECRET_KEY and bound to its request: the table alone cannot
    be searched for the million codes."""
    return salted_hmac("accounts.password_reset", f"{request_id}:{code}", algorithm="sha256").hexdigest()


def _reset_account(identifier: str) -> User | None:
    """The active account a username or a phone number names, if exactly one; administrators (三员)
    never reset their passwords in the application (decision 0048)."""
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    accounts = User.objects.filter(is_active=True).exclude(role__in=ADMIN_ROLES).select_related("cadre__team")
    if is_mobile(identifier):
        found = list(accounts.filter(Q(mobile=identifier) | Q(mobile="", cadre__phone=identifier))[:2])
        return found[0] if len(found) == 1 else None
    try:
        username = normalize_username(identifier)
    except ValidationError:
        return None
    return accounts.filter(username=username).first()


@transaction.atomic
def password_reset_request(*, identifier: str, ip: str | None) -> None:
    """Ask for a code by username or phone. Answered alike whether or not an account matched: the
    row is written either way, and the code is made and sent by a task (``accounts.send_reset_code``),
    so neither the answer nor its timing tells accounts apart. Raises ResetThrottled beyond
    RESET_REQUESTS_PER_ADDRESS_HOUR requests from ``ip``."""
    now = timezone.now()
    hour_ago = now - dt.timedelta(hours=1)
    if ip and (
        PasswordResetRequest.objects.filter(requested_ip=ip, requested_at__gte=hour_ago).count()
        >= RESET_REQUESTS_PER_ADDRESS_HOUR
    ):
        raise ResetThrottled("获取验证码的次数太多，请一小时后再试，或联系本级组织部门重置密码。")
    user = _reset_account(identifier)
    row = PasswordResetRequest.objects.create(user=user, requested_ip=ip, requested_at=now)
    if user is None:
        return
    recent = PasswordResetRequest.objects.filter(user=user, requested_at__gte=hour_ago).exclude(pk=row.pk).count()
    if recent >= RESET_CODES_PER_ACCOUNT_HOUR:
        return
    enqueue("accounts.send_reset_code", row.pk, key=f"accounts.passwordresetrequest:{row.pk}")


@transaction.atomic
def reset_code_send(*, request_id: int) -> bool:
    """Make the request's code, keep its digest and send it by SMS (the task; idempotent: a request
    whose code was sent, used or is too old to matter is left alone). Whether a code was sent."""
    row = PasswordResetRequest.objects.select_for_update().filter(pk=request_id).first()
    now = timezone.now()
    if row is None or row.user_id is None or row.sent_at or row.used_at:
        return False
    if row.requested_at < now - dt.timedelta(minutes=RESET_CODE_MINUTES):
        return False  # a retry after the code would have expired anyway
    adapter = channels.sms_adapter()
    user = User.objects.select_related("cadre__team").get(pk=row.user_id)
    address = adapter.address(user) if adapter is not None else ""
    if adapter is None or not address:
        return False
    code = f"{secrets.randbelow(10**6):06d}"
    try:
        adapter.send_code(address, code, key=f"reset:{row.pk}", minutes=RESET_CODE_MINUTES)
    except TransientDeliveryError:
        raise  # the task tries again a few times
    except DeliveryError as exc:  # a wrong number or template: trying again would not help
        logger.warning("找回密码验证码未能发送（申请 %s）：%s", row.pk, exc)
        return False
    row.code_digest = _code_digest(row.pk, code)
    row.sent_at = now
    row.expires_at = now + dt.timedelta(minutes=RESET_CODE_MINUTES)
    row.save(update_fields=["code_digest", "sent_at", "expires_at"])
    audit_record(
        actor=None,
        action="auth.password_reset_code",
        obj=user,
        after={"request": row.pk, "mobile": f"{address[:3]}****{address[-4:]}", "ip": row.requested_ip},
        region_code=home_region_code(user),
    )
    return True


def password_reset_confirm(*, identifier: str, code: str, new_password: str) -> User:
    """Set a new password with a code sent by SMS. A wrong code counts against its
    RESET_CODE_ATTEMPTS (kept even though the call fails); any failure says the same thing
    (RESET_CODE_WRONG) whether the account, the code or its time was wrong. The password must pass
    Django's validators (Chinese messages, decision 0047); a refused password does not use the code."""
    now = timezone.now()
    code = (code or "").strip()
    user = _reset_account(identifier)
    with transaction.atomic():
        row = (
            PasswordResetRequest.objects.select_for_update()
            .filter(user=user, sent_at__isnull=False, used_at__isnull=True, expires_at__gt=now)
            .order_by("-sent_at", "-id")
            .first()
            if user is not None
            else None
        )
        matches = (
            row is not None
            and row.attempts < RESET_CODE_ATTEMPTS
            and constant_time_compare(row.code_digest, _code_digest(row.pk, code))
        )
        if row is not None and not matches and row.attempts < RESET_CODE_ATTEMPTS:
            row.attempts += 1
            row.save(update_fields=["attempts"])
    if not matches or user is None or row is None:
        raise ValidationError({"code": [RESET_CODE_WRONG]})
    return _password_reset_with_code(user=user, row_id=row.pk, new_password=new_password)


@transaction.atomic
def _password_reset_with_code(*, user: User, row_id: int, new_password: str) -> User:
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password": exc.messages}) from None
    now = timezone.now()
    # The code is used once; every other code of the account ends with it.
    used = PasswordResetRequest.objects.filter(pk=row_id, used_at__isnull=True).update(used_at=now)
    if not used:
        raise ValidationError({"code": [RESET_CODE_WRONG]})
    PasswordResetRequest.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
    tokens = ApiToken.objects.filter(user=user).count()
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])  # every device and session ends
    reset_failures(user.username)  # the phone proved who this is: a lockout ends too
    audit_record(
        actor=user,
        action="auth.password_reset_sms",
        obj=user,
        after={"request": row_id, "tokens_revoked": tokens, "sessions_ended": True},
        region_code=home_region_code(user),
    )
    return user


def password_reset_requests_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the 找回密码 requests that are finished and older than the audit trail's retention
    (``ZHUCUN_AUDIT_RETENTION_DAYS``, default 365, never below 180 days — 网络安全法第二十一条: network
    logs at least six months). A row is the only trace of a request that named no account (no audit
    event is written for those), so it is kept as long as the trail of the codes sent and the resets
    done; then who asked, from where, is gone with it. The job ``accounts.purge_password_resets``.

    One DELETE by ``requested_at`` (indexed); a code still usable is never deleted, whatever its age
    (a row that old cannot hold one: a code is sent within RESET_CODE_MINUTES of the request and lives
    RESET_CODE_MINUTES). Idempotent: a second run finds nothing. Returns how many were deleted."""
    from zhucun.audit_archive import retention_days

    now = now or timezone.now()
    old = PasswordResetRequest.objects.filter(requested_at__lt=now - dt.timedelta(days=retention_days()))
    deleted, _ = old.exclude(used_at__isnull=True, expires_at__gt=now).delete()
    return deleted
