from django.apps import AppConfig


class LeaveConfig(AppConfig):
    name = "leave"
    verbose_name = "请假销假"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the working calendar's signal, 第十九条2)
