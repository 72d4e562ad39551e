"""API routes of households and visits (included under /api/v1/ by zhucun/api/urls.py)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from .views import HouseholdImportView, HouseholdTemplateView, HouseholdViewSet, VisitViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("households", HouseholdViewSet, basename="household")
router.register("visits", VisitViewSet, basename="visit")

urlpatterns = [
    path("household-imports/template/", HouseholdTemplateView.as_view(), name="household-import-template"),
    path("household-imports/", HouseholdImportView.as_view(), name="household-import"),
    path("", include(router.urls)),
]
