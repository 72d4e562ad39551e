"""Serializer fields shared by every app's API. Most refuse implausible input with a Chinese message
naming the field (issue 10 item 8, zhucun/inputs.py): DRF's own DateField accepts year 1 and 9999, and
its IntegerField numbers no database key can hold. (Its FloatField refuses NaN and Infinity itself
since DRF 3.15.) ``choice`` documents a choice field as a pattern rather than an enum component."""

from __future__ import annotations

import datetime as dt
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from zhucun.inputs import EARLIEST_DATE, LATEST_DATE, MAX_ID, NOT_FOUND_MESSAGE, date_range_message


class PlausibleDateField(serializers.DateField):
    """A ``YYYY-MM-DD`` date between ``earliest`` and ``latest`` (default 2015-01-01 to 2100-12-31)."""

    def __init__(self, *, earliest: dt.date = EARLIEST_DATE, latest: dt.date = LATEST_DATE, **kwargs: Any) -> None:
        self.earliest, self.latest = earliest, latest
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"].setdefault("invalid", f"{kwargs.get('label') or '日期'}格式应为 YYYY-MM-DD。")
        super().__init__(**kwargs)

    def to_internal_value(self, value: Any) -> dt.date:
        day = super().to_internal_value(value)
        if not self.earliest <= day <= self.latest:
            raise serializers.ValidationError(
                date_range_message(str(self.label or "日期"), self.earliest, self.latest), code="out_of_range"
            )
        return day


class PlausibleDateTimeField(serializers.DateTimeField):
    """An ISO 8601 datetime whose date lies in the plausible range."""

    def to_internal_value(self, value: Any) -> dt.datetime:
        moment = super().to_internal_value(value)
        if not EARLIEST_DATE <= moment.date() <= LATEST_DATE:
            raise serializers.ValidationError(date_range_message(str(self.label or "时间")), code="out_of_range")
        return moment


class ObjectIdField(serializers.IntegerField):
    """The id of an object in a request body: a positive 64-bit key (a larger number cannot name a row,
    and SQLite raises OverflowError on it). The view then looks it up in the caller's scope."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        messages = kwargs.setdefault("error_messages", {})
        messages.setdefault("min_value", NOT_FOUND_MESSAGE)
        messages.setdefault("max_value", NOT_FOUND_MESSAGE)
        super().__init__(**kwargs)


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
