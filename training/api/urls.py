"""API routes of training (included under /api/v1/ by zhucun/api/urls.py)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from .views import TrainingEventViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("training-events", TrainingEventViewSet, basename="training-event")

urlpatterns = [path("", include(router.urls))]
