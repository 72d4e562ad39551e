"""Attendance pages (included under /attendance/ by zhucun/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="attendance-home"),
    path("today/", views.today, name="attendance-today"),
    path("today/whereabouts/", views.whereabouts_post, name="attendance-whereabouts-post"),
    path("today/work-log/", views.work_log_post, name="attendance-work-log-post"),
    path("dashboard/", views.dashboard, name="attendance-dashboard"),
    path("dashboard/<str:code>/", views.dashboard, name="attendance-dashboard-region"),
    path("dashboard/<str:code>/register.xlsx", views.register_export, name="attendance-register"),
    path("cadres/<int:pk>/", views.cadre_attendance, name="attendance-cadre"),
    path("findings/<int:pk>/decide/", views.finding_decide, name="attendance-finding-decide"),
    path("work-logs/", views.work_logs, name="attendance-work-logs"),
    path("work-logs/<int:pk>/check/", views.work_log_check, name="attendance-work-log-check"),
    path("leave-impact/<int:pk>/", views.leave_impact, name="attendance-leave-impact"),
]
