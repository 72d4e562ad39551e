"""Pages of households and visits (included under /households/ by zhucun/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.overview, name="households-overview"),
    path("regions/<str:code>/", views.overview, name="households-region"),
    path("regions/<str:code>/new/", views.household_new, name="households-new"),
    path("visit/", views.visit_new, name="households-visit-new"),
    path("import/", views.import_page, name="households-import"),
    path("import/template.xlsx", views.template_download, name="households-import-template"),
]
