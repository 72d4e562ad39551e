from django.urls import path

from . import views

urlpatterns = [
    path("", views.overview, name="work-calendar"),
    path("<int:year>/", views.year_page, name="work-calendar-year"),
    path("<int:year>/publish/", views.year_publish, name="work-calendar-publish"),
    path("days/<int:pk>/", views.day_edit, name="work-calendar-day"),
    path("days/<int:pk>/delete/", views.day_delete, name="work-calendar-day-delete"),
]
