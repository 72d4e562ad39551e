"""API routes of attendance (included under /api/v1/ by zhucun/api/urls.py)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from .views import (
    AbsenceFindingViewSet,
    AttendanceDashboardView,
    AttendanceExportView,
    SignInViewSet,
    WhereaboutsViewSet,
    WorkLogViewSet,
)

router = DefaultRouter()
router.include_root_view = False
router.register("signins", SignInViewSet, basename="signin")
router.register("absence-findings", AbsenceFindingViewSet, basename="absence-finding")
router.register("whereabouts", WhereaboutsViewSet, basename="whereabouts")
router.register("work-logs", WorkLogViewSet, basename="work-log")

urlpatterns = [
    path("dashboards/attendance/", AttendanceDashboardView.as_view(), name="attendance-dashboard"),
    path("exports/attendance.xlsx", AttendanceExportView.as_view(), name="attendance-export"),
    path("", include(router.urls)),
]
