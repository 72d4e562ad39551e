"""The API side of spreadsheet imports (zhucun/spreadsheets.py): a refused file is ``400 {"errors":
[{"row", "column", "message"}, …]}`` listing every problem — the roster's and the households' alike."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from zhucun.spreadsheets import SheetError

#: The schema of the 400 answer.
IMPORT_ERRORS = inline_serializer(
    "ImportErrors",
    {
        "errors": inline_serializer(
            "ImportRowError",
            {"row": serializers.IntegerField(), "column": serializers.CharField(), "message": serializers.CharField()},
            many=True,
        )
    },
)


def errors_response(exc: SheetError) -> Response:
    return Response({"errors": [error.as_dict() for error in exc.errors]}, status=status.HTTP_400_BAD_REQUEST)


def no_file_response(what: str) -> Response:
    """No ``file`` in the upload: the same shape, one file-level error."""
    body: dict[str, Any] = {"errors": [{"row": 0, "column": "", "message": f"请选择要上传的{what}文件（file）。"}]}
    return Response(body, status=status.HTTP_400_BAD_REQUEST)
