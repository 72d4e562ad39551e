"""Filters shared by the apps' FilterSets (issue 10 item 8, docs/decisions/0060-bad-input.md).

* ``ScopedObjectFilter``: a filter naming an object by id (``?team=``, ``?unit=``, ``?cadre=``) looks it
  up in the *caller's scoped* queryset. An id outside the caller's scope and an id that does not exist
  get the same 400 with the same message, so a filter cannot be used to learn which ids exist elsewhere
  (before, ``?team=<another county's team>`` was an empty 200 while ``?team=99999`` was a 400).
* ``PlausibleDateFilter``: a date filter within zhucun.inputs' plausible range.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django_filters.fields import ModelChoiceField

from zhucun import scoping
from zhucun.inputs import NOT_FOUND_MESSAGE, PlausibleDateFormField, parse_id


class ScopedObjectField(ModelChoiceField):
    """A model choice given by id; anything that cannot name a row in the queryset is ``invalid_choice``
    (including a number too large for a database key, which SQLite would raise on)."""

    default_error_messages = {"invalid_choice": NOT_FOUND_MESSAGE}

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        if parse_id(str(value)) is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


def in_scope(model: type[Model]) -> Callable[[Any], QuerySet[Any]]:
    """The queryset callable of a ``ScopedObjectFilter``: the model's rows the requesting user sees."""

    def queryset(request: Any) -> QuerySet[Any]:
        user = getattr(request, "user", None)
        rows = model._default_manager.all()
        return scoping.restrict(rows, user) if user is not None else rows.none()

    return queryset


class ScopedObjectFilter(django_filters.ModelChoiceFilter):
    """``?<name>=<id>`` of an object in the caller's scope. The widget is a number input (the list
    toolbar keeps such ids as hidden fields) unless a ``widget`` is given (e.g. a select of units)."""

    field_class = ScopedObjectField

    def __init__(self, *args: Any, model: type[Model] | None = None, **kwargs: Any) -> None:
        if model is not None:
            kwargs.setdefault("queryset", in_scope(model))
        kwargs.setdefault("widget", forms.NumberInput)
        super().__init__(*args, **kwargs)


class PlausibleDateFilter(django_filters.DateFilter):
    field_class = PlausibleDateFormField
