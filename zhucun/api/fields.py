"""Serializer fields shared by every app's API."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


def choice(choices: list[tuple[str, str]], **kwargs: Any) -> serializers.ChoiceField:
    """A choice field documented as a string pattern listing its values rather than as an enum
    component: drf-spectacular names enum components after the field name, so the leave app's
    ``kind``/``status`` and its two half-day fields would collide with other apps' enums (W001)."""
    values = [value for value, _ in choices]
    described = "；".join(f"{value}（{label}）" for value, label in choices)

    @extend_schema_field({"type": "string", "pattern": f"^({'|'.join(values)})$", "description": described})
    class InlineChoiceField(serializers.ChoiceField):
        pass

    return InlineChoiceField(choices=choices, **kwargs)
