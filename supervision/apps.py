from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = "督导检查"

    def ready(self) -> None:
        # attendance's pages show what supervision owns without importing it (decision 0100)
        from attendance.extensions import register_presence_pending, register_public_tasks

        from .selectors import pending_check_for, public_tasks

        register_presence_pending(pending_check_for)
        register_public_tasks(public_tasks)
