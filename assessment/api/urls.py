"""API routes of this app (included under /api/v1/ by zhucun/api/urls.py)."""

from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import DefaultRouter

from .opinions import SupportOpinionViewSet
from .views import AssessmentExportView, AssessmentGradeView, CountyOpinionView, RecallCaseViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("recall-cases", RecallCaseViewSet, basename="recall-case")
router.register("support-opinions", SupportOpinionViewSet, basename="support-opinion")

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "assessments/<int:year>/<str:subject_type>/<int:pk>/",
        AssessmentGradeView.as_view(),
        name="assessment-grade",
    ),
    path(
        "assessments/<int:year>/<str:subject_type>/<int:pk>/opinions/",
        CountyOpinionView.as_view(),
        name="assessment-opinions",
    ),
    path("exports/assessments.xlsx", AssessmentExportView.as_view(), name="assessment-export"),
    path("", include(router.urls)),
]
