"""Filters of the compliance view, shared by the page, its export and the API."""

from __future__ import annotations

import re
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet

from .catalogue import DUTY_CHOICES, BodyType
from .models import Obligation

_REGION = re.compile(r"^\d{2,12}$")


class ObligationFilterForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        region = (data.get("region") or "").strip()
        if region and not _REGION.match(region):
            self.add_error("region", "区划代码应为 2 至 12 位数字，例如 130102。")
        year = data.get("year")
        if year is not None and not 2015 <= year <= 2100:
            self.add_error("year", "年度应为 2015 至 2100 之间的四位年份，例如 2026。")
        return data


class ObligationFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter(
        field_name="year", label="年度", widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    body_type = django_filters.ChoiceFilter(field_name="body_type", choices=BodyType.choices, label="责任主体")
    duty = django_filters.ChoiceFilter(field_name="duty", choices=DUTY_CHOICES, label="职责")
    status = django_filters.ChoiceFilter(field_name="status", choices=Obligation.Status.choices, label="状态")
    region = django_filters.CharFilter(method="filter_region", label="区划代码")
    search = django_filters.CharFilter(method="filter_search", label="搜索")

    class Meta:
        model = Obligation
        form = ObligationFilterForm
        fields = ["year", "body_type", "duty", "status", "region", "search"]

    def filter_region(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(region_code__startswith=value.strip()) if value.strip() else queryset

    def filter_search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = value.strip()
        return queryset.filter(body_name__icontains=value) if value else queryset
