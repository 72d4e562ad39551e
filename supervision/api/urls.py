"""API routes of supervision (included under /api/v1/ by zhucun/api/urls.py)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from .views import AnnualTaskViewSet, DemandViewSet, PresenceCheckViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("presence-checks", PresenceCheckViewSet, basename="presence-check")
router.register("tasks", AnnualTaskViewSet, basename="task")
router.register("demands", DemandViewSet, basename="demand")

urlpatterns = [
    path("", include(router.urls)),
]
