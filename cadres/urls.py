"""Pages of the organization: the region tree, teams, cadres, term adjustments and the roster import.
Included at the site's root (zhucun/urls.py): each page keeps its own top-level path."""

from django.urls import path

from . import views

urlpatterns = [
    path("regions/", views.region_tree, name="region-tree"),
    path("regions/<str:code>/", views.region_tree, name="region-detail"),
    path("teams/", views.TeamListView.as_view(), name="team-list"),
    path("teams/<int:pk>/", views.TeamDetailView.as_view(), name="team-detail"),
    path("cadres/", views.CadreListView.as_view(), name="cadre-list"),
    path("cadres/<int:pk>/", views.CadreDetailView.as_view(), name="cadre-detail"),
    path("cadres/<int:pk>/id-number/", views.cadre_reveal_id_number, name="cadre-reveal-id-number"),
    path("cadres/export-id-numbers.xlsx", views.CadreIdNumberExportView.as_view(), name="cadre-export-id-numbers"),
    path("cadres/<int:pk>/adjust/", views.term_adjustment_new, name="term-adjustment-new"),
    path("cadres/<int:pk>/handover/", views.handover, name="cadre-handover"),
    path("teams/<int:pk>/dispatch/", views.team_dispatch, name="team-dispatch"),
    path("term-adjustments/", views.term_adjustment_list, name="term-adjustment-list"),
    path("term-adjustments/<int:pk>/", views.term_adjustment_detail, name="term-adjustment-detail"),
    path(
        "term-adjustments/<int:pk>/attachment/",
        views.term_adjustment_attachment,
        name="term-adjustment-attachment",
    ),
    path("party/transfers/", views.party_transfer_list, name="party-transfer-list"),
    path("cadres/<int:pk>/party-transfer/", views.cadre_party_transfer, name="cadre-party-transfer"),
    path("cadres/<int:pk>/party-secretary/", views.cadre_party_secretary, name="cadre-party-secretary"),
    path("roster/import/", views.roster_import_page, name="roster-import-page"),
    path("roster/template.xlsx", views.roster_template_download, name="roster-template-download"),
]
