from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    """第十五条2 统一规范管理档案: the file of a cadre and of a team, read from every capability."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "archive"
    verbose_name = "管理档案"
