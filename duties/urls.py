"""Pages of the duties calendar (included under /duties/ by zhucun/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.mine, name="duties-mine"),
    path("compliance/", views.ComplianceView.as_view(), name="duties-compliance"),
    path("<int:pk>/", views.detail, name="duties-detail"),
    path("<int:pk>/fulfil/", views.fulfil, name="duties-fulfil"),
    path("<int:pk>/report/", views.report, name="duties-report"),
    path("<int:pk>/report.docx", views.report_docx, name="duties-report-docx"),
    path("<int:pk>/accountability/", views.accountability, name="duties-accountability"),
    path("evidence/<int:pk>/", views.evidence_download, name="duties-evidence"),
]
