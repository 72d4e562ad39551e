"""The files (第十五条2): a cadre's and a team's, as a page to print and as a Word document."""

from django.urls import path

from . import views

urlpatterns = [
    path("cadres/<int:pk>/", views.cadre_archive, name="archive-cadre"),
    path("cadres/<int:pk>/download.docx", views.cadre_archive_download, name="archive-cadre-download"),
    path("teams/<int:pk>/", views.team_archive, name="archive-team"),
    path("teams/<int:pk>/download.docx", views.team_archive_download, name="archive-team-download"),
]
