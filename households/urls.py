"""Pages of households and visits (included under /households/ by zhucun/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("visit/", views.visit_new, name="households-visit-new"),
]
