"""Pages of this app (included under its prefix by zhucun/urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
