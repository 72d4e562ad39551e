"""API routes of this app (included under /api/v1/ by zhucun/api/urls.py)."""

from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import DefaultRouter

from .views import LeaveRequestViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("leave-requests", LeaveRequestViewSet, basename="leave-request")

urlpatterns: list[URLPattern | URLResolver] = [path("", include(router.urls))]
