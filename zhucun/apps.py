from typing import Any

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_delete, post_migrate, post_save


class ZhucunConfig(AppConfig):
    name = "zhucun"
    verbose_name = "系统基础"

    def ready(self) -> None:
        from zhucun import checks  # noqa: F401 - registers the system checks
        from zhucun.models import PolicyProfileVersion
        from zhucun.policy import profile_cache_clear

        post_save.connect(profile_cache_clear, sender=PolicyProfileVersion, dispatch_uid="policy-cache-save")
        post_delete.connect(profile_cache_clear, sender=PolicyProfileVersion, dispatch_uid="policy-cache-delete")
        post_migrate.connect(_install_append_only, sender=self, dispatch_uid="zhucun-append-only")


def _install_append_only(using: str, **_: Any) -> None:
    """After every migrate: the append-only triggers are in place (zhucun/append_only.py)."""
    from django.db import connections

    from zhucun import append_only

    append_only.install(connections[using])


class ZhucunAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the audited site: every ModelAdmin registered anywhere (our apps,
    django.contrib.auth, DRF, later libraries) records an AuditEvent for each add, change and delete
    (zhucun/admin_site.py)."""

    default = False  # named explicitly in INSTALLED_APPS; "zhucun" itself is ZhucunConfig
    default_site = "zhucun.admin_site.AuditedAdminSite"
