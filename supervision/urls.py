"""Supervision pages (included under /supervision/ by zhucun/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("presence/", views.PresenceCheckListView.as_view(), name="supervision-presence-list"),
    path("presence/new/", views.presence_issue, name="supervision-presence-issue"),
    path("presence/mine/", views.presence_mine, name="supervision-presence-mine"),
    path("presence/<int:pk>/answer/", views.presence_answer, name="supervision-presence-answer"),
    path("tasks/", views.AnnualTaskListView.as_view(), name="supervision-tasks"),
    path("tasks/teams/<int:pk>/", views.team_tasks, name="supervision-team-tasks"),
    path("tasks/teams/<int:pk>/new/", views.task_new, name="supervision-task-new"),
    path("tasks/<int:pk>/progress/", views.task_progress, name="supervision-task-progress"),
    path("inspections/", views.inspections, name="supervision-inspections"),
    path("inspections/new/", views.inspection_new, name="supervision-inspection-new"),
    path("inspections/<int:pk>/", views.inspection_detail, name="supervision-inspection-detail"),
    path("inspections/<int:pk>/inspectors/", views.inspection_grant, name="supervision-inspection-grant"),
    path("inspections/inspectors/<int:pk>/revoke/", views.inspection_revoke, name="supervision-inspection-revoke"),
    path("inspections/<int:pk>/results/", views.inspection_result, name="supervision-inspection-result"),
    path("burden/", views.burden, name="supervision-burden"),
    path("burden/new/", views.demand_new, name="supervision-demand-new"),
]
