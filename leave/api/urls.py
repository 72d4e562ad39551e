"""API routes of this app (included under /api/v1/ by zhucun/api/urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
