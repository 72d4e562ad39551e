from django.apps import AppConfig


class ZhucunConfig(AppConfig):
    name = "zhucun"
    verbose_name = "系统基础"
