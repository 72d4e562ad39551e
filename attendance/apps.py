from django.apps import AppConfig


class AttendanceConfig(AppConfig):
    name = "attendance"
    verbose_name = "考勤"

    def ready(self) -> None:
        # Leave shows its approvers what a leave does to the month and the village (第五条) without
        # importing attendance: attendance hands it the function (docs/decisions/0074).
        from leave.selectors import register_leave_impact

        from .selectors import leave_impact_payload

        register_leave_impact(leave_impact_payload)
