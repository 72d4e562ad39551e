"""Pages of this app (included under /assessment/ by zhucun/urls.py)."""

from django.urls import URLPattern, path

from . import views

urlpatterns: list[URLPattern] = [
    path("", views.overview, name="assessment-overview"),
    path("<int:year>/finalize/", views.finalize, name="assessment-finalize"),
    path("<int:year>/export/", views.export_start, name="assessment-export"),
    path("<int:year>/<str:subject_type>/", views.grid, name="assessment-grid"),
    path("<int:year>/<str:subject_type>/check/", views.grid_check, name="assessment-grid-check"),
    path("exports/<int:pk>/", views.export_job, name="assessment-export-job"),
    path("exports/<int:pk>/download/", views.export_download, name="assessment-export-download"),
    path("recall/", views.RecallCaseListView.as_view(), name="assessment-recall-list"),
    path("recall/new/", views.recall_new, name="assessment-recall-new"),
    path("recall/export.xlsx", views.recall_export, name="assessment-recall-export"),
    path("recall/<int:pk>/", views.recall_detail, name="assessment-recall-detail"),
    path("recall/<int:pk>/consult/", views.recall_consult, name="assessment-recall-consult"),
    path("recall/<int:pk>/decide/", views.recall_decide, name="assessment-recall-decide"),
    path("accountability/", views.accountability, name="assessment-accountability"),
    path("accountability/export.xlsx", views.accountability_export, name="assessment-accountability-export"),
    path("key-training/", views.key_training, name="assessment-key-training"),
    path("support-opinions/", views.support_opinions, name="assessment-support-opinions"),
    path("cadres/<int:pk>/", views.cadre_file, name="assessment-cadre-file"),
    path("cadres/<int:pk>/key-training/", views.key_training_add, name="assessment-key-training-add"),
]
