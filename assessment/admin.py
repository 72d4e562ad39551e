"""Read-mostly admin for support staff; every change of substance goes through the services (audited)."""

from django.contrib import admin

from .models import (
    AccountabilityRecord,
    AssessmentResult,
    AssessmentRound,
    ExportJob,
    KeyTrainingEntry,
    RecallCase,
    Sanction,
)


@admin.register(AssessmentRound)
class AssessmentRoundAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("year", "level", "region_code", "status", "deadline", "finalized_at")
    list_filter = ("year", "level", "status")
    fields = ("year", "level", "region_code", "status", "deadline", "finalized_at", "finalized_by")
    readonly_fields = ("year", "level", "region_code", "status", "finalized_at", "finalized_by")


@admin.register(AssessmentResult)
class AssessmentResultAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("round", "subject_type", "cadre", "team", "unit", "grade", "leadership_not_excellent")
    list_filter = ("subject_type", "grade")
    list_select_related = ("round", "cadre", "team__village", "unit")

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(RecallCase)
class RecallCaseAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("cadre", "trigger", "status", "opened_at", "decided_at")
    list_filter = ("trigger", "status")
    list_select_related = ("cadre",)

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


admin.site.register([Sanction, AccountabilityRecord, KeyTrainingEntry, ExportJob])
