"""The OpenAPI schema's error answers, in one place (issue 10 item 15, decision 0065).

Every operation documents the errors the API really gives, with the body ``zhucun.api.errors`` renders:

* 400 ``ValidationError`` — ``{"detail": "…"}`` or one entry per field ``{"field": ["…"]}``: an
  operation that takes a request body or a parameter (a control character in a path or a query string
  is refused before any view runs);
* 401 and 403 ``Error`` — every operation that needs a signed-in caller: no or an expired token, and a
  role that may not do this (after the object was found in the caller's scope);
* 404 ``Error`` — an operation with a path parameter (the object does not exist or lies outside the
  caller's scope, answered alike), and a paginated list (a page past the end);
* 409 ``Error`` — a decision a racing second caller loses (``DECISION_ACTIONS``: the services raise
  ``zhucun.api.errors.Conflict``).

A view documents any other error (a 404 for an object named in the body, a 429) with
``extend_schema(responses={404: NOT_FOUND})``; a code it lists without a body gets the shared one.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.fields import Field

from zhucun.api.fields import PlausibleDateField, PlausibleDateTimeField
from zhucun.inputs import EARLIEST_DATE, LATEST_DATE

#: Custom actions that decide something once: the second of two racing callers gets a 409.
DECISION_ACTIONS = frozenset(
    {
        "approve",
        "reject",
        "withdraw",
        "cancel",
        "report_back",
        "confirm",
        "dismiss",
        "consult",
        "decide",
        "reverse",
        "void",
    }
)

#: A local time of day as DRF reads and writes it: ``10:30``, ``10:30:00``, ``10:30:00.250000``.
TIME_OF_DAY_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$"

_STRINGS = {"type": "array", "items": {"type": "string"}}

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "错误说明（中文，说明如何处理）。",
    "properties": {"detail": {"type": "string", "description": "错误说明"}},
    "required": ["detail"],
}

VALIDATION_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": (
        '请求有误，未写入任何数据：{"detail": "…"}，或按字段列出 {"字段名": ["…"]}'
        "（嵌套字段和列表元素的错误按其结构给出）。"
    ),
    "properties": {
        "detail": {"oneOf": [{"type": "string"}, _STRINGS], "description": "与具体字段无关的错误"},
        "non_field_errors": _STRINGS,
    },
    "additionalProperties": {"oneOf": [{"type": "array", "items": {}}, {"type": "object"}]},
    "minProperties": 1,
}

DESCRIPTIONS = {
    "400": "请求有误（格式、取值范围或业务规则），未写入任何数据。",
    "401": "未登录，或令牌无效、已过期（请求头 Authorization: Token <令牌>）。",
    "403": "已登录，但您的角色无权对该对象进行此操作。",
    "404": "对象不存在，或不在您的管辖范围内（两者答复相同）。",
    "409": "该事项已被处理（例如另一位审批人刚刚作出了决定），请刷新后查看最新状态。",
}

#: For views to list an error the defaults do not cover; the body is filled in here.
NOT_FOUND = OpenApiResponse(description=DESCRIPTIONS["404"])
CONFLICT = OpenApiResponse(description=DESCRIPTIONS["409"])


class ZhucunAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema plus the error answers (module docstring)."""

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)  # type: ignore[arg-type]
        for code in self.error_codes():
            responses.setdefault(code, {"description": DESCRIPTIONS[code]})
        for code, response in responses.items():
            if code.startswith(("4", "5")) and not response.get("content"):
                response["content"] = self._error_content(code)
        return dict(sorted(responses.items()))

    def _get_response_for_code(
        self, serializer: Any, status_code: str, media_types: Any = None, direction: str = "response"
    ) -> Any:
        """A download declared by its media type alone (``{(200, XLSX): OpenApiResponse(...)}``) is a
        binary body of that type, so the schema says what the response's Content-Type will be."""
        if isinstance(serializer, OpenApiResponse) and serializer.response is None and media_types:
            serializer = OpenApiResponse(response=OpenApiTypes.BINARY, description=serializer.description)
        return super()._get_response_for_code(serializer, status_code, media_types, direction)  # type: ignore[no-untyped-call]

    def error_codes(self) -> list[str]:
        codes = []
        takes_input = bool(self._get_parameters()) or (
            self.method in ("POST", "PUT", "PATCH") and self.get_request_serializer() is not None
        )
        if takes_input:
            codes.append("400")
        auth = self.get_auth()
        if auth and {} not in auth:
            codes += ["401", "403"]
        if self._has_path_parameters() or (self._is_list_view() and self._get_paginator() is not None):  # type: ignore[no-untyped-call]
            codes.append("404")
        if getattr(self.view, "action", None) in DECISION_ACTIONS:
            codes.append("409")
        return codes

    def _map_serializer_field(
        self, field: Field[Any, Any, Any, Any], direction: str, bypass_extensions: bool = False
    ) -> Any:
        """Dates carry their plausible range (zhucun.inputs): in words, and as a pattern on the year.
        Times of day are local (Asia/Shanghai) ``HH:MM[:SS]`` without an offset, which the ``time``
        format (RFC 3339 ``full-time``) would require: they are documented by a pattern instead."""
        schema = super()._map_serializer_field(field, direction, bypass_extensions)  # type: ignore[no-untyped-call]
        if isinstance(field, serializers.TimeField) and schema.get("format") == "time":
            del schema["format"]
            schema["pattern"] = TIME_OF_DAY_PATTERN
        if isinstance(field, PlausibleDateField | PlausibleDateTimeField) and schema.get("type") == "string":
            earliest, latest = (
                (field.earliest, field.latest)
                if isinstance(field, PlausibleDateField)
                else (EARLIEST_DATE, LATEST_DATE)
            )
            schema["pattern"] = f"^({year_pattern(earliest.year, latest.year)})-"
            note = f"{earliest:%Y-%m-%d} 至 {latest:%Y-%m-%d}"
            schema["description"] = f"{schema['description']}（{note}）" if schema.get("description") else note
        return schema

    def _has_path_parameters(self) -> bool:
        return any(parameter.get("in") == "path" for parameter in self._get_parameters())

    def _error_content(self, code: str) -> dict[str, Any]:
        name, schema = ("ValidationError", VALIDATION_ERROR_SCHEMA) if code == "400" else ("Error", ERROR_SCHEMA)
        component = ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema)  # type: ignore[no-untyped-call]
        self.registry.register_on_missing(component)
        return {media_type: {"schema": component.ref} for media_type in self.map_renderers("media_type")}


def year_pattern(first: int, last: int) -> str:
    """A regular expression matching the four-digit years ``first`` to ``last``: 2015, 2100 →
    ``201[5-9]|20[2-9]\\d|2100``."""
    parts: list[str] = []
    full: list[int] = []  # consecutive whole decades of one century, merged into one part

    def flush() -> None:
        if full:
            lo, hi = full[0] // 10 % 10, full[-1] // 10 % 10
            parts.append(f"{full[0] // 100}{lo}\\d" if lo == hi else f"{full[0] // 100}[{lo}-{hi}]\\d")
            full.clear()

    for decade in range(first - first % 10, last + 1, 10):
        lo, hi = max(first, decade), min(last, decade + 9)
        if (lo, hi) == (decade, decade + 9):
            if full and full[-1] // 100 != decade // 100:
                flush()
            full.append(decade)
            continue
        flush()
        parts.append(str(lo) if lo == hi else f"{decade // 10}[{lo % 10}-{hi % 10}]")
    flush()
    return "|".join(parts)
