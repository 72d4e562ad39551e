from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_delete, post_save


class ZhucunConfig(AppConfig):
    name = "zhucun"
    verbose_name = "系统基础"

    def ready(self) -> None:
        from zhucun.models import PolicyProfileVersion
        from zhucun.policy import profile_cache_clear

        post_save.connect(profile_cache_clear, sender=PolicyProfileVersion, dispatch_uid="policy-cache-save")
        post_delete.connect(profile_cache_clear, sender=PolicyProfileVersion, dispatch_uid="policy-cache-delete")
        user_logged_in.connect(_start_staff_session, dispatch_uid="staff-session-start")


def _start_staff_session(sender: object, request: object, user: object, **kwargs: object) -> None:
    from zhucun.middleware import start_staff_session

    if request is not None and hasattr(request, "session"):
        start_staff_session(request, user)  # type: ignore[arg-type]
