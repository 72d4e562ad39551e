"""Pages of households and visits (included under /households/ by zhucun/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("visit/", views.visit_new, name="households-visit-new"),
    path("import/", views.import_page, name="households-import"),
    path("import/template.xlsx", views.template_download, name="households-import-template"),
]
