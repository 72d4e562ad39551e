from django.contrib import admin

from .models import Cadre, Region, Team, Unit


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["code", "name", "level"]
    search_fields = ["code", "name"]
    list_filter = ["level"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "level", "region"]
    search_fields = ["name"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["village", "unit"]
    raw_id_fields = ["village", "unit"]


@admin.register(Cadre)
class CadreAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "role", "status", "team", "unit"]
    raw_id_fields = ["team", "unit"]
    search_fields = ["name"]
