"""Filters of the audit viewer, shared by the page, its export and the API (issue 10 item 7)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from zhucun.models import AuditEvent

_REGION = re.compile(r"^\d{2,12}$")
FIRST_YEAR, LAST_YEAR = 2015, 2100


class AuditEventFilterForm(forms.Form):
    """Refuses what cannot be a filter, naming the field, so nothing is silently widened to everything."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, label in (("start", "起始日期"), ("end", "截止日期")):
            day = data.get(name)
            if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
                self.add_error(name, f"{label}应在 {FIRST_YEAR} 年至 {LAST_YEAR} 年之间。")
        start, end = data.get("start"), data.get("end")
        if start is not None and end is not None and end < start:
            self.add_error("end", "截止日期不能早于起始日期。")
        region = (data.get("region") or "").strip()
        if region and not _REGION.match(region):
            self.add_error("region", "区划代码应为 2 至 12 位数字，例如 130102。")
        return data


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_default_timezone())


class AuditEventFilterSet(django_filters.FilterSet):
    actor = django_filters.CharFilter(method="filter_actor", label="操作人")
    action = django_filters.CharFilter(field_name="action", lookup_expr="startswith", label="操作")
    object_type = django_filters.CharFilter(field_name="object_type", label="对象类型")
    start = django_filters.DateFilter(
        method="filter_start", label="起始日期", widget=forms.DateInput(attrs={"type": "date"})
    )
    end = django_filters.DateFilter(
        method="filter_end", label="截止日期", widget=forms.DateInput(attrs={"type": "date"})
    )
    region = django_filters.CharFilter(method="filter_region", label="区划代码")
    search = django_filters.CharFilter(method="filter_search", label="搜索")

    class Meta:
        model = AuditEvent
        form = AuditEventFilterForm
        fields = ["actor", "action", "object_type", "start", "end", "region", "search"]

    def filter_actor(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        """A username (exactly, any case), or the operator named by a command line."""
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(actor__username__iexact=value) | Q(operator__istartswith=value))

    def filter_start(self, queryset: QuerySet[Any], name: str, value: dt.date) -> QuerySet[Any]:
        return queryset.filter(at__gte=_day_start(value))

    def filter_end(self, queryset: QuerySet[Any], name: str, value: dt.date) -> QuerySet[Any]:
        return queryset.filter(at__lt=_day_start(value + dt.timedelta(days=1)))

    def filter_region(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(region_code__startswith=value.strip()) if value.strip() else queryset

    def filter_search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(object_repr__icontains=value)
            | Q(object_id=value)
            | Q(action__icontains=value)
            | Q(actor__username__icontains=value)
            | Q(operator__icontains=value)
        )
