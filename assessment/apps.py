from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = "年度考核与召回"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the attendance signal, 第二十条2)
