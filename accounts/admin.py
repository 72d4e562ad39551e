from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import RegionGrant, User


@admin.register(User)
class AccountAdmin(UserAdmin):  # type: ignore[type-arg]
    list_display = ["username", "role", "region", "unit", "cadre", "is_active"]
    fieldsets = (*UserAdmin.fieldsets, ("角色与范围", {"fields": ("role", "region", "unit", "cadre")}))  # type: ignore[misc]
    raw_id_fields = ["region", "unit", "cadre"]


@admin.register(RegionGrant)
class RegionGrantAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["user", "permission", "content_object", "valid_until", "reason"]
    raw_id_fields = ["user", "content_object"]
