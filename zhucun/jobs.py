"""The scheduled jobs, in one list: Celery beat runs them on schedule and ``manage.py run_jobs`` runs
every one once, now (API.md "Jobs"). Later capabilities append their jobs here."""

from __future__ import annotations

from celery.schedules import crontab

#: (task name, beat schedule) — every entry also runs in ``run_jobs``.
SCHEDULED_JOBS: list[tuple[str, crontab]] = [
    ("cadres.expire_terms", crontab(hour=0, minute=30)),
    ("cadres.term_end_reminders", crontab(hour=8, minute=5)),
    # --- attendance (issue 3) ---
    ("attendance.coverage_check", crontab(minute="*/15", hour="6-23")),
    ("attendance.absence_findings", crontab(hour=0, minute=20)),
    ("attendance.erase_coordinates", crontab(hour=2, minute=0)),
    # --- leave (issue 4) ---
    ("leave.remind_deadlines", crontab(minute="*/10")),
    ("leave.escalate_overdue", crontab(minute="*/10")),
    ("leave.flag_missing_report_back", crontab(hour=9, minute=0)),
    # --- assessment and recall (issue 5) ---
    ("assessment.detect_recall_triggers", crontab(hour=1, minute=15)),
    ("assessment.expire_sanctions", crontab(hour=0, minute=45)),
    ("assessment.remind_round_deadlines", crontab(hour=8, minute=0)),
    # --- team funds (issue 12) ---
    ("funding.overdue_flags", crontab(hour=7, minute=10)),
    ("funding.insurance_gaps", crontab(hour=7, minute=20)),
    ("funding.open_year", crontab(hour=0, minute=5, day_of_month=1, month_of_year=1)),
]


def beat_schedule() -> dict[str, dict[str, object]]:
    return {name: {"task": name, "schedule": schedule} for name, schedule in SCHEDULED_JOBS}
