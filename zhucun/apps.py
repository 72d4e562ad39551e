from typing import Any

from django.apps import AppConfig
from django.apps.registry import Apps
from django.contrib.admin import apps as admin_apps
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_delete, post_migrate, post_save


class ZhucunConfig(AppConfig):
    name = "zhucun"
    verbose_name = "系统基础"

    def ready(self) -> None:
        from zhucun import checks, workcalendar  # noqa: F401 - checks registers the system checks
        from zhucun.models import PolicyProfileVersion, WorkCalendarDay, WorkCalendarYear
        from zhucun.policy import profile_cache_clear

        post_save.connect(profile_cache_clear, sender=PolicyProfileVersion, dispatch_uid="policy-cache-save")
        post_delete.connect(profile_cache_clear, sender=PolicyProfileVersion, dispatch_uid="policy-cache-delete")
        user_logged_in.connect(_start_staff_session, dispatch_uid="staff-session-start")
        # The working calendar's per-process cache (zhucun/workcalendar), like the profile's.
        for model in (WorkCalendarDay, WorkCalendarYear):
            uid = model._meta.model_name
            post_save.connect(workcalendar.cache_clear, sender=model, dispatch_uid=f"calendar-cache-save-{uid}")
            post_delete.connect(workcalendar.cache_clear, sender=model, dispatch_uid=f"calendar-cache-delete-{uid}")
        post_migrate.connect(seed_work_calendar, sender=self, dispatch_uid="calendar-seed")
        post_migrate.connect(_install_append_only, sender=self, dispatch_uid="zhucun-append-only")


def _start_staff_session(sender: object, request: object, user: object, **kwargs: object) -> None:
    from zhucun.middleware import start_staff_session

    if request is not None and hasattr(request, "session"):
        start_staff_session(request, user)  # type: ignore[arg-type]


def seed_work_calendar(sender: AppConfig, apps: Apps | None = None, **_: Any) -> None:
    """After ``migrate`` (so `make run` and every new database just work) and after ``flush`` (which
    sends post_migrate without ``apps``, e.g. between transactional tests): the years chinesecalendar
    knows, unless the table already has them (docs/decisions/0085)."""
    if apps is not None:
        try:
            apps.get_model("zhucun", "WorkCalendarYear")
        except LookupError:  # migrated back to before the table existed
            return
    from zhucun.workcalendar.services import work_calendar_seed_from_library

    work_calendar_seed_from_library()


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
