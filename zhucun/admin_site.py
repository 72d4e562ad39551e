"""The operators' admin, audited (issue 10 item 7; docs/decisions/0055).

Django's LogEntry is written by the same code paths but lives in a table anyone with the admin can
change; it is not an audit trail. ``AuditedAdminSite.register`` puts ``AuditedModelAdmin`` in front of
every ModelAdmin registered on the site — our apps', django.contrib.auth's, DRF's, and any library added
later — so each add, change and delete made in the admin also records an AuditEvent (append-only, in
the same transaction as the change): the operator, the object, and the fields before and after.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.http import HttpRequest

from accounts.authentication import signed_in
from zhucun.audit import audit_record, snapshot

#: never copied into the trail, only marked as changed
SECRET_FIELDS = frozenset({"password", "key", "token", "secret", "otp_secret"})
_MASK = "******"
_BEFORE = "_zhucun_admin_before"


def _redacted(data: dict[str, Any]) -> dict[str, Any]:
    return {
        name: (_MASK if name in SECRET_FIELDS and value not in ("", None) else value) for name, value in data.items()
    }


def region_code_of(obj: models.Model) -> str:
    """The org-tree key of an object, when it carries one, so the right departments see the event."""
    for attr in ("village_code", "region_code", "county_code", "region_id", "village_id"):
        value = getattr(obj, attr, None)
        if isinstance(value, str) and value:
            return value
    if obj._meta.label == "cadres.Region":
        return str(obj.pk)
    return ""


def _record(request: HttpRequest, action: str, obj: models.Model, before: Any, after: Any) -> None:
    with transaction.atomic():
        event_obj = obj
        if obj._meta.pk is not None and obj._meta.pk.name in SECRET_FIELDS:
            # an API token's key is its primary key: record the owner, never the key itself
            event_obj = _Redacted(obj)  # type: ignore[assignment]
        audit_record(
            actor=signed_in(request),
            action=action,
            obj=event_obj,
            before=before,
            after=after,
            region_code=region_code_of(obj),
        )


class _Redacted:
    """Stands in for an object whose primary key is a secret, for ``audit_record``."""

    def __init__(self, obj: models.Model) -> None:
        self._meta = obj._meta
        user_id = getattr(obj, "user_id", None)
        self.pk = f"user:{user_id}" if user_id is not None else _MASK

    def __str__(self) -> str:
        return f"{self._meta.verbose_name}（{self.pk}）"


class AuditedModelAdmin:
    """Mixed in front of every registered ModelAdmin by ``AuditedAdminSite``. A ModelAdmin whose
    writes already go through an audited service sets ``audit_admin_edits = False`` (read with
    getattr: this mixin comes first in the MRO, so a class attribute here would hide theirs)."""

    @property
    def _audited(self) -> bool:
        return bool(getattr(self, "audit_admin_edits", True))

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        obj = super().get_object(request, object_id, from_field)  # type: ignore[misc]
        if obj is not None:
            setattr(obj, _BEFORE, snapshot(obj))
        return obj

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change and not hasattr(obj, _BEFORE):  # list_editable saves without get_object
            stored = type(obj)._default_manager.filter(pk=obj.pk).first()
            if stored is not None:
                setattr(obj, _BEFORE, snapshot(stored))
        super().save_model(request, obj, form, change)  # type: ignore[misc]

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        entry = super().log_addition(request, obj, message)  # type: ignore[misc]
        if self._audited:
            _record(request, "admin.add", obj, None, _redacted(snapshot(obj)))
        return entry

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        entry = super().log_change(request, obj, message)  # type: ignore[misc]
        if self._audited:
            old = getattr(obj, _BEFORE, None) or {}
            new = snapshot(obj)
            changed = [name for name in new if name not in old or old[name] != new[name]]
            before = _redacted({name: old.get(name) for name in changed})
            after = _redacted({name: new[name] for name in changed})
            after["_message"] = message if isinstance(message, str) else list(message or [])
            _record(request, "admin.change", obj, before, after)
            setattr(obj, _BEFORE, new)
        return entry

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            if self._audited:
                _record(request, "admin.delete", obj, _redacted(snapshot(obj)), None)
            super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        """The changelist's 「删除所选」 action: one event per object, in the deletion's transaction."""
        with transaction.atomic():
            if self._audited:
                for obj in queryset:
                    _record(request, "admin.delete", obj, _redacted(snapshot(obj)), None)
            super().delete_queryset(request, queryset)  # type: ignore[misc]


class AuditedAdminSite(admin.AdminSite):
    site_header = "驻村干部管理系统 · 运维后台"
    site_title = "驻村干部管理系统运维后台"

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AuditedModelAdmin):
            admin_class = type(
                admin_class.__name__, (AuditedModelAdmin, admin_class), {"__module__": admin_class.__module__}
            )
        super().register(model_or_iterable, admin_class, **options)
