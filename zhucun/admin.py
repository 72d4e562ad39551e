from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from accounts.authentication import signed_in

from .models import AuditEvent, PolicyProfileVersion
from .services import policy_version_add, validate_policy_version


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read only: the trail is written by the actions themselves, never by hand (a forged event is
    refused here, and an edit or deletion by the database: zhucun/append_only.py)."""

    list_display = ["at", "actor", "operator", "action", "object_type", "object_repr", "region_code"]
    list_filter = ["action"]
    search_fields = ["object_repr", "object_id", "actor__username", "operator"]
    list_select_related = ["actor"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PolicyProfileVersionForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = PolicyProfileVersion
        fields = ["name", "effective_from", "overrides", "basis"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        errors = validate_policy_version(
            name=data.get("name", ""), effective_from=data.get("effective_from"), overrides=data.get("overrides")
        )
        if errors:
            raise ValidationError({field: messages for field, messages in errors.items() if field in self.fields})
        return data


@admin.register(PolicyProfileVersion)
class PolicyProfileVersionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Add-only: a version is added through ``policy_version_add`` (validated, not backdated, audited);
    existing versions are shown, never edited or deleted (docs/decisions/0056)."""

    form = PolicyProfileVersionForm
    list_display = ["name", "effective_from", "basis", "created_by", "created_at"]
    readonly_fields = ["created_by", "created_at"]
    audit_admin_edits = False  # the service records "policy.version_add"

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        assert not change, "policy versions are never changed"
        created = policy_version_add(
            actor=signed_in(request),
            name=form.cleaned_data["name"],
            effective_from=form.cleaned_data["effective_from"],
            overrides=form.cleaned_data["overrides"],
            basis=form.cleaned_data.get("basis", ""),
        )
        obj.pk = created.pk
        obj.created_by = created.created_by
        obj.created_at = created.created_at
        obj._state.adding = False
