from django.contrib import admin
from django.http import HttpRequest

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
    """身份证号 stays masked here too (decision 0062); cadres come from the roster import."""

    list_display = ["name", "role", "status", "team", "unit"]
    raw_id_fields = ["team", "unit"]
    search_fields = ["name"]
    exclude = ["id_number"]
    readonly_fields = ["id_number_masked"]

    @admin.display(description="身份证号")
    def id_number_masked(self, cadre: Cadre) -> str:
        return cadre.masked_id_number

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
