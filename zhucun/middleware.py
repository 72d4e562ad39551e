"""Request and response policies that hold for every route.

* bad input (issue 10 item 8, decision 0060): a control character in a path, a query string or a page
  form is a 400 before any view runs;
* nothing a signed-in person sees is kept by a browser or a proxy cache (``Cache-Control: no-store``,
  issue 10 item 10, decision 0042);
* staff sessions end after ``ZHUCUN_SESSION_IDLE_MINUTES`` without a request, beside the absolute
  ``SESSION_COOKIE_AGE`` counted from the login. Cadres are not affected: their phones stay signed in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from accounts.roles import Role
from zhucun.inputs import InvalidInput, has_control_characters

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

#: session key: when the staff member last made a request (a POSIX timestamp)
LAST_SEEN = "zhucun.last_seen"
#: the last-seen time is written at most this often, so a session is not saved on every request
TOUCH_EVERY_SECONDS = 60


def _is_staff(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated) and getattr(user, "role", "") != Role.CADRE


def _idle_limit_seconds() -> int:
    return int(settings.ZHUCUN_SESSION_IDLE_MINUTES) * 60


def start_staff_session(request: HttpRequest, user: User | AnonymousUser) -> None:
    """At login (``user_logged_in``): the idle clock starts, and the session's end is fixed at login
    time plus SESSION_COOKIE_AGE — saving the session later (each touch of the idle clock) must not
    push the absolute end further."""
    if not _is_staff(user) or not _idle_limit_seconds():
        return
    now = timezone.now()
    request.session[LAST_SEEN] = now.timestamp()
    request.session.set_expiry(now + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE))


class NoStoreForSignedInMiddleware:
    """``Cache-Control: no-store, private`` (and ``Pragma: no-cache`` for HTTP/1.0 proxies) on every
    response to a signed-in request — pages, htmx fragments, API answers and downloads. Static files
    never reach this middleware (WhiteNoise answers them earlier), and public pages stay cacheable."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        # After the view: DRF has put a token-authenticated user on the request by then.
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or "HTTP_AUTHORIZATION" in request.META:
            add_never_cache_headers(response)
            response.headers["Pragma"] = "no-cache"
        return response


class StaffIdleTimeoutMiddleware:
    """Ends a staff session idle for longer than ``ZHUCUN_SESSION_IDLE_MINUTES`` (0 turns it off): the
    request goes on as anonymous (pages redirect to the login page, which says why; the API answers
    401/403), an htmx request is sent to the login page as a whole."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        limit = _idle_limit_seconds()
        user = getattr(request, "user", None)
        if limit and user is not None and _is_staff(user):
            now = timezone.now()
            last_seen = request.session.get(LAST_SEEN)
            if last_seen is not None and now.timestamp() - float(last_seen) > limit:
                logout(request)
                minutes = settings.ZHUCUN_SESSION_IDLE_MINUTES
                messages.warning(request, f"您已超过 {minutes} 分钟未操作，为保护数据已自动退出，请重新登录。")
                if request.headers.get("HX-Request"):
                    login = redirect_to_login(request.get_full_path())
                    return HttpResponse(status=204, headers={"HX-Redirect": login["Location"]})
            elif last_seen is None or now.timestamp() - float(last_seen) >= TOUCH_EVERY_SECONDS:
                if last_seen is None and request.session.get("_session_expiry") is None:
                    # a session from before this policy: its absolute end counts from now
                    request.session.set_expiry(now + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE))
                request.session[LAST_SEEN] = now.timestamp()
        return self.get_response(request)


CONTROL_CHARACTER_MESSAGE = "请求地址或查询参数中含有不允许的控制字符（如 NUL），请检查链接后重试。"


class RejectControlCharactersMiddleware:
    """A path, query string or page form with a control character (NUL, ESC, …) is a 400 before any
    view runs.

    PostgreSQL cannot store or compare a NUL in text (psycopg raises, which was a 500 on 27 routes), and
    no code, name or search term of this system contains a control character, so refusing them here
    covers every route and every parameter at once, including the ones added later. Checked on the
    decoded path, on every decoded key and value of the query string, and on the fields of a page's
    form (tab and line breaks allowed there: a textarea sends them)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        message = self._problem(request)
        if message:
            from zhucun.views import bad_request

            return bad_request(request, InvalidInput({"detail": [message]}))
        return self.get_response(request)

    @staticmethod
    def _problem(request: HttpRequest) -> str:
        if has_control_characters(request.path_info) or _any_control(request.GET):
            return CONTROL_CHARACTER_MESSAGE
        # A page's form (the API's JSON goes through serializer fields, which refuse NUL themselves).
        # Tabs and line breaks are what a textarea sends; anything else is not text a person typed.
        if (
            request.method == "POST"
            and not request.path_info.startswith("/api/")
            and request.content_type in _FORM_TYPES
            and _any_control(request.POST, allowed=_TEXTAREA)
        ):
            return FORM_CONTROL_CHARACTER_MESSAGE
        return ""


FORM_CONTROL_CHARACTER_MESSAGE = "提交的内容中含有不允许的控制字符（如 NUL），请删除这些字符后重新提交。"
_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
_TEXTAREA = frozenset("\t\n\r")


def _any_control(data: QueryDict, allowed: frozenset[str] = frozenset()) -> bool:
    return any(
        has_control_characters(key) or any(has_control_characters(value, allowed=allowed) for value in values)
        for key, values in data.lists()
    )
