"""Account lockout with django-axes (issue 10 item 2, decision 0045): the hooks axes calls (the
username it counts failures by, the client's address, the answer to a locked account) and what the
account pages need (until when an account is locked; unlocking).

Failures are counted per canonical username (accounts/usernames.py), so ``LONGZHOU`` and ``longzhou``
share one counter, and never per address: the cadres of a village share one. The lock lasts
``AXES_COOLOFF_TIME`` after the last failure.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from .usernames import normalize_username

CONTACT = "请联系本级组织部门或安全管理员"


def lockout_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """AXES_USERNAME_CALLABLE: the canonical username of the attempt (form, admin or token API)."""
    raw = (credentials or {}).get("username")
    if raw is None:
        data = getattr(request, "data", None) or request.POST
        raw = data.get("username")
    return normalize_username(str(raw)) if raw is not None else None


def client_ip(request: HttpRequest) -> str | None:
    """AXES_CLIENT_IP_CALLABLE, also the address written in login audit events: REMOTE_ADDR, or behind
    ``ZHUCUN_TRUSTED_PROXIES`` proxies the X-Forwarded-For entry the outermost of them appended (entries
    further left are whatever the client sent, and are not trusted)."""
    proxies = settings.ZHUCUN_TRUSTED_PROXIES
    if proxies > 0:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def locked_until(usernames: list[str], *, now: dt.datetime | None = None) -> dict[str, dt.datetime]:
    """For each of ``usernames`` that is locked now, when the lock ends. One query."""
    now = now or timezone.now()
    cooloff: dt.timedelta = settings.AXES_COOLOFF_TIME
    rows = (
        AccessAttempt.objects.filter(username__in=usernames, attempt_time__gte=now - cooloff)
        .values("username")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    )
    return {row["username"]: row["last"] + cooloff for row in rows if row["failures"] >= settings.AXES_FAILURE_LIMIT}


def reset_failures(username: str) -> int:
    """Forget the failures of ``username`` (unlocking). The number of attempt records removed."""
    return int(AxesProxyHandler.reset_attempts(username=username))


def lockout_message(username: str, until: dt.datetime | None) -> str:
    when = f"{timezone.localtime(until):%Y-%m-%d %H:%M}" if until else "冷却期结束"
    return (
        f"账号「{username}」连续 {settings.AXES_FAILURE_LIMIT} 次密码错误，已被锁定，"
        f"{when} 后自动解锁；如需提前解锁，{CONTACT}。"
    )


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: 429 with a Chinese message saying until when and whom to ask; JSON for the
    API, the login page with the message otherwise (the admin's login included)."""
    username = lockout_username(request, credentials) or ""
    until = locked_until([username]).get(username) if username else None
    message = lockout_message(username, until)
    retry_after = max(int((until - timezone.now()).total_seconds()), 1) if until else None
    if request.path.startswith("/api/"):
        locked = timezone.localtime(until).isoformat() if until else None  # as DRF writes times: +08:00
        response: HttpResponse = JsonResponse(
            {"detail": message, "locked_until": locked}, status=429, json_dumps_params={"ensure_ascii": False}
        )
    else:
        response = render(request, "registration/login.html", {"locked_message": message}, status=429)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response
