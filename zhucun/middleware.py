"""Request guards that run before any view (issue 10 item 8, docs/decisions/0060-bad-input.md)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, QueryDict

from zhucun.inputs import InvalidInput, has_control_characters

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
