"""Admin views of leave: read-only. Requests and decisions change only through leave/services.py,
which keeps the audit trail (请假销假通过数据平台操作、留存)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import LeaveRequest, LeaveStep


class LeaveStepInline(admin.TabularInline):  # type: ignore[type-arg]
    model = LeaveStep
    extra = 0
    can_delete = False
    readonly_fields = [field.name for field in LeaveStep._meta.fields]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LeaveRequest)
class LeaveRequestAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["cadre", "village_code", "kind", "start", "end", "days", "status", "created_at"]
    list_filter = ["status", "kind"]
    search_fields = ["cadre__name", "village_code"]
    readonly_fields = [field.name for field in LeaveRequest._meta.fields]
    inlines = [LeaveStepInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
