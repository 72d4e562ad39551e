"""Every login, failed login and logout — login form, admin and token API — is an audit event with
the client's address in ``after`` (issue 10 item 2, decision 0045). Never the password: Django hands
the failure signal credentials with the password already masked, and only the username is kept."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.http import HttpRequest

from zhucun.audit import audit_record
from zhucun.models import AuditEvent

from .lockout import client_ip, lockout_username
from .models import ApiToken, User

#: session key: the id of the remembered device (ApiToken, kind browser) this session belongs to
REMEMBERED_DEVICE = "accounts.remembered_device"
#: session key: when the remembered device was last checked (a POSIX timestamp; accounts/middleware.py)
DEVICE_SEEN = "accounts.device_seen"

if TYPE_CHECKING:
    pass


def channel_of(request: HttpRequest | None) -> str:
    """Which door: ``api`` (token), ``admin`` (the operators' admin) or ``form`` (/accounts/login/)."""
    from django.conf import settings

    path = getattr(request, "path", "") or ""
    if path.startswith("/api/"):
        return "api"
    if path.startswith("/" + settings.ADMIN_URL):
        return "admin"
    return "form"


def request_facts(request: HttpRequest | None) -> dict[str, Any]:
    if request is None:
        return {"ip": None, "channel": "unknown"}
    return {
        "ip": getattr(request, "axes_ip_address", None) or client_ip(request),
        "channel": channel_of(request),
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:200],
    }


def home_region_code(user: User) -> str:
    """The org-tree key of an account, so that scoped audit readers see its events."""
    if getattr(user, "region_id", None):
        return str(user.region_id)
    if getattr(user, "cadre_id", None) and user.cadre is not None and user.cadre.team_id:
        return str(user.cadre.team.village_id)
    if getattr(user, "unit_id", None) and user.unit is not None:
        return str(user.unit.region_id or "")
    return ""


@receiver(user_logged_in, dispatch_uid="accounts.audit_login")
def audit_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    with transaction.atomic():
        audit_record(
            actor=user, action="auth.login", obj=user, after=request_facts(request), region_code=home_region_code(user)
        )


@receiver(post_delete, sender=ApiToken, dispatch_uid="accounts.end_remembered_session")
def end_remembered_session(sender: Any, instance: ApiToken, **kwargs: Any) -> None:
    """A remembered browser's device is gone — revoked by the cadre or the organization department,
    a new password, a deactivation, the device limit — so its session ends at once (decision 0172).
    Every deletion path sends this signal: querysets too, since a receiver is connected."""
    if instance.session_key:
        import_module(settings.SESSION_ENGINE).SessionStore(session_key=instance.session_key).delete()


@receiver(user_logged_out, dispatch_uid="accounts.audit_logout")
def audit_logout(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is None:
        return
    session = getattr(request, "session", None)
    device = session.get(REMEMBERED_DEVICE) if session is not None else None
    if device is not None:  # signing out on a remembered phone forgets it
        ApiToken.objects.filter(pk=device, user=user, kind=ApiToken.Kind.BROWSER).delete()
    with transaction.atomic():
        audit_record(
            actor=user, action="auth.logout", obj=user, after=request_facts(request), region_code=home_region_code(user)
        )


@receiver(user_login_failed, dispatch_uid="accounts.audit_login_failed")
def audit_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = (lockout_username(request, credentials) if request is not None else credentials.get("username")) or ""
    after = {
        **request_facts(request),
        "username": username[:150],
        # axes (its receiver runs first: "axes" is installed before "accounts") flags the request.
        "locked": bool(getattr(request, "axes_locked_out", False)),
    }
    user = User.objects.select_related("cadre__team", "unit").filter(username=username).first() if username else None
    with transaction.atomic():
        if user is not None:
            audit_record(
                actor=None, action="auth.login_failed", obj=user, after=after, region_code=home_region_code(user)
            )
        else:
            # No such account: the attempt is still recorded, under the name that was tried.
            AuditEvent.objects.create(
                action="auth.login_failed",
                object_type="accounts.user",
                object_id="",
                object_repr=username[:200],
                after=after,
            )
