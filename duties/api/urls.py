"""API routes of the duties calendar (included under /api/v1/ by zhucun/api/urls.py)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from .views import ObligationViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("duties", ObligationViewSet, basename="duty")

urlpatterns = [path("", include(router.urls))]
