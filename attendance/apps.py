from django.apps import AppConfig


class AttendanceConfig(AppConfig):
    name = "attendance"
    verbose_name = "考勤"

    def ready(self) -> None:
        # Leave shows its approvers what a leave does to the month and the village (第五条) without
        # importing attendance: attendance hands it the function (docs/decisions/0074).
        # The same for the applicant's month at a glance in the leave inbox (decision 0100).
        from leave.selectors import register_leave_impact, register_month_presence

        from .selectors import leave_impact_payload, month_presence

        register_leave_impact(leave_impact_payload)
        register_month_presence(month_presence)
