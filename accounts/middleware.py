"""A remembered cadre browser (记住本机, issue 15 item 7, decision 0172).

Revocation ends the session at once without this middleware: deleting the device row deletes its
session (accounts/receivers.py). This is the second line, and what keeps the device list honest:
once an hour a remembered session refreshes its device's ``last_used`` — one UPDATE, whose row count
also says whether the device still exists (a session whose key changed, a row deleted around the
signal); gone, the session is signed out. In between a request costs no query: the device id and the
time of the last check ride in the session, which the request loads anyway.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from .models import ApiToken
from .receivers import DEVICE_SEEN, REMEMBERED_DEVICE

#: how often a remembered session checks and refreshes its device
CHECK_EVERY_SECONDS = 3600


class RememberedDeviceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        session = getattr(request, "session", None)
        device = session.get(REMEMBERED_DEVICE) if session is not None else None
        if session is not None and device is not None:
            now = timezone.now()
            if now.timestamp() - float(session.get(DEVICE_SEEN, 0)) >= CHECK_EVERY_SECONDS:
                alive = ApiToken.objects.filter(pk=device, kind=ApiToken.Kind.BROWSER).update(last_used=now)
                if alive:
                    session[DEVICE_SEEN] = now.timestamp()
                else:
                    logout(request)
                    messages.warning(request, "本机的登录已被注销，请重新登录。")
        return self.get_response(request)


MUST_CHANGE_MESSAGE = "您的密码已由组织部门重置为临时密码，请先在网页上登录并修改密码。"
#: The pages a person with a temporary password may open before choosing their own.
PASSWORD_CHANGE_EXEMPT = ("password-change", "logout", "login")


class PasswordChangeRequiredMiddleware:
    """An account whose password the organization department reset (a temporary password, decision
    0173) reaches only the password page until it chooses a new one; an htmx request is sent there as
    a whole. Reads a column of the user the request already loaded: no query. The API needs no check:
    the reset revoked every token, and the token login refuses such an account."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            target = reverse("password-change")
            if request.path not in {reverse(name) for name in PASSWORD_CHANGE_EXEMPT}:
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"detail": MUST_CHANGE_MESSAGE}, status=403, json_dumps_params={"ensure_ascii": False}
                    )
                if request.headers.get("HX-Request"):
                    return HttpResponse(status=204, headers={"HX-Redirect": target})
                return redirect(target)
        return self.get_response(request)
