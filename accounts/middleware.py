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
from django.http import HttpRequest, HttpResponseBase
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
