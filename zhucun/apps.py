from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class ZhucunConfig(AppConfig):
    name = "zhucun"
    verbose_name = "系统基础"

    def ready(self) -> None:
        from zhucun.models import PolicyProfileVersion
        from zhucun.policy import profile_cache_clear

        post_save.connect(profile_cache_clear, sender=PolicyProfileVersion, dispatch_uid="policy-cache-save")
        post_delete.connect(profile_cache_clear, sender=PolicyProfileVersion, dispatch_uid="policy-cache-delete")
