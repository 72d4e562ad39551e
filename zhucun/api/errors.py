"""API errors: ``{"detail": "..."}`` or ``{"field": ["..."]}`` with a Chinese message (API.md)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from zhucun.inputs import InvalidInput

#: The answer to an object that does not exist or lies outside the caller's scope (the same for both).
NOT_FOUND_DETAIL = "未找到该对象，或它不在您的管辖范围内。"


class Conflict(exceptions.APIException):
    """409: the object changed under the caller (a racing second approver)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "该事项已被处理，请刷新后查看最新状态。"
    default_code = "conflict"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, InvalidInput):
        only_detail = list(exc.errors) == ["detail"]
        exc = exceptions.ValidationError({"detail": str(exc)} if only_detail else exc.errors)
    elif isinstance(exc, DjangoValidationError):
        if hasattr(exc, "message_dict"):
            exc = exceptions.ValidationError(exc.message_dict)
        else:
            exc = exceptions.ValidationError({"detail": exc.messages})
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(NOT_FOUND_DETAIL)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or "您的角色无权进行此操作。")
    return drf_exception_handler(exc, context)
