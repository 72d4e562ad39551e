"""Training pages (included under /training/ by zhucun/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.event_list, name="training-list"),
    path("<int:pk>/", views.event_detail, name="training-event"),
    path("untrained/", views.untrained, name="training-untrained"),
]
