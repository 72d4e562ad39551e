"""Filters of the supervision lists, shared by the pages, their exports and the API."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from cadres.models import Cadre, Team
from zhucun.filters import ScopedObjectFilter
from zhucun.inputs import EARLIEST_DATE, LATEST_DATE

from .models import AnnualTask, PresenceCheck

_REGION = re.compile(r"^\d{2,12}$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class _SupervisionFilterForm(forms.Form):
    """Refuses what cannot be a filter, naming the field (a 400 beside the filters, nothing exported)."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        region = (data.get("region") or "").strip()
        if region and not _REGION.match(region):
            self.add_error("region", "区划代码应为 2 至 12 位数字，例如 130102。")
        year = data.get("year")
        if year is not None and not EARLIEST_DATE.year <= year <= LATEST_DATE.year:
            self.add_error("year", f"年度应在 {EARLIEST_DATE.year} 至 {LATEST_DATE.year} 年之间。")
        month = (data.get("month") or "").strip()
        if month:
            match = _MONTH.match(month)
            valid = match is not None and 1 <= int(match[2]) <= 12
            if not valid or not EARLIEST_DATE.year <= int(month[:4]) <= LATEST_DATE.year:
                self.add_error("month", "月份格式应为 YYYY-MM，例如 2026-11。")
        return data


def _month_start(raw: str) -> dt.datetime:
    year, month = int(raw[:4]), int(raw[5:7])
    return dt.datetime(year, month, 1, tzinfo=timezone.get_current_timezone())


class PresenceCheckFilterSet(django_filters.FilterSet):
    region = django_filters.CharFilter(method="filter_region", label="区划代码")
    status = django_filters.ChoiceFilter(choices=PresenceCheck.Status.choices, label="状态")
    month = django_filters.CharFilter(
        method="filter_month", label="月份", widget=forms.TextInput(attrs={"type": "month"})
    )
    cadre = ScopedObjectFilter(field_name="cadre", model=Cadre, label="驻村干部")
    search = django_filters.CharFilter(method="filter_search", label="搜索")

    class Meta:
        model = PresenceCheck
        form = _SupervisionFilterForm
        fields = ["region", "status", "month", "cadre", "search"]

    def filter_region(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(village_code__startswith=value.strip()) if value.strip() else queryset

    def filter_month(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if not value.strip():
            return queryset
        start = _month_start(value.strip())
        end = (start + dt.timedelta(days=32)).replace(day=1)
        return queryset.filter(issued_at__gte=start, issued_at__lt=end)

    def filter_search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = value.strip()
        return queryset.filter(Q(cadre__name__icontains=value) | Q(village_code=value)) if value else queryset


class AnnualTaskFilterSet(django_filters.FilterSet):
    STATES = [("open", "进行中"), ("overdue", "已逾期"), ("done", "已完成")]

    region = django_filters.CharFilter(method="filter_region", label="区划代码")
    year = django_filters.NumberFilter(field_name="year", label="年度")
    kind = django_filters.ChoiceFilter(choices=AnnualTask.Kind.choices, label="类别")
    state = django_filters.ChoiceFilter(choices=STATES, method="filter_state", label="状态")
    team = ScopedObjectFilter(field_name="team", model=Team, label="工作队")
    search = django_filters.CharFilter(method="filter_search", label="搜索")

    class Meta:
        model = AnnualTask
        form = _SupervisionFilterForm
        fields = ["region", "year", "kind", "state", "team", "search"]

    def filter_region(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(village_code__startswith=value.strip()) if value.strip() else queryset

    def filter_state(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        today = timezone.localdate()
        if value == "done":
            return queryset.filter(done=True)
        if value == "overdue":
            return queryset.filter(done=False, deadline__lt=today)
        if value == "open":
            return queryset.filter(done=False, deadline__gte=today)
        return queryset

    def filter_search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(team__village__name__icontains=value)
            | Q(responsible_department__icontains=value)
        )
