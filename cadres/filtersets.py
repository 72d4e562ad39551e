"""Filters shared by the API and the list pages, so both filter the same way (and the export of a
page exports exactly what its filters show)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from zhucun import scoping
from zhucun.filters import ScopedObjectFilter

from .models import Cadre, Region, Team, Unit


class _RegionAndSearchMixin(django_filters.FilterSet):
    region_path = "village__code"
    search_fields: tuple[str, ...] = ()

    region = django_filters.CharFilter(method="filter_region", label="区划代码")
    search = django_filters.CharFilter(method="filter_search", label="搜索")

    def filter_region(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(**{f"{self.region_path}__startswith": value.strip()}) if value.strip() else queryset

    def filter_search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = value.strip()
        if not value:
            return queryset
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)


def _units_in_scope(request: Any) -> QuerySet[Unit]:
    """The unit choices a caller may filter by: the units they can see (zhucun.scoping)."""
    units = Unit.objects.order_by("level", "name")
    user = getattr(request, "user", None)
    return scoping.restrict(units, user) if user is not None else units.none()


class TeamFilterSet(_RegionAndSearchMixin):
    region_path = "village__code"
    search_fields = ("village__name", "unit__name", "village__code")
    unit = ScopedObjectFilter(field_name="unit", queryset=_units_in_scope, widget=forms.Select, label="派出单位")
    unit_level = django_filters.ChoiceFilter(field_name="unit__level", choices=Unit.Level.choices, label="派出层级")

    class Meta:
        model = Team
        fields = ["region", "unit", "unit_level", "search"]


class CadreFilterSet(_RegionAndSearchMixin):
    region_path = "team__village__code"
    search_fields = ("name", "phone", "team__village__name", "unit__name")
    unit = ScopedObjectFilter(field_name="unit", queryset=_units_in_scope, widget=forms.Select, label="派出单位")
    team = ScopedObjectFilter(field_name="team", model=Team, label="工作队")
    status = django_filters.ChoiceFilter(choices=Cadre.Status.choices, label="状态")
    role = django_filters.ChoiceFilter(choices=Cadre.Role.choices, label="职务")

    class Meta:
        model = Cadre
        fields = ["region", "unit", "team", "status", "role", "search"]


class RegionFilterSet(django_filters.FilterSet):
    parent = django_filters.CharFilter(field_name="parent_id", label="上级区划代码")
    level = django_filters.ChoiceFilter(choices=Region.Level.choices, label="层级")

    class Meta:
        model = Region
        fields = ["parent", "level"]
