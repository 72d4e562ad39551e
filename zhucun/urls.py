"""Every route of the system. tests/test_permission_matrix.py fails when a route here has no entry."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import admin_pages
from accounts import views as account_views
from attendance import views as attendance_views
from cadres import views as cadre_views
from zhucun import home, notification_pages, views

#: Bad input is a 400 with a Chinese message, never a 500 (issue 10 item 8).
handler400 = "zhucun.views.bad_request"
#: An API address that matches no route is the API's JSON 404, as the OpenAPI schema says (decision 0065).
handler404 = "zhucun.views.not_found"

urlpatterns = [
    # First: the phones' API (the morning sign-in) is resolved before the pages' patterns are tried.
    path("api/v1/", include(("zhucun.api.urls", "api"), namespace="api")),
    path("", home.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/settings/", notification_pages.notification_settings, name="notification-settings"),
    path("calendar/", include("zhucun.workcalendar.urls")),
    path("audit/", views.AuditEventListView.as_view(), name="audit-list"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", account_views.AccountListView.as_view(), name="account-list"),
    path("accounts/new/", account_views.account_create_page, name="account-create"),
    path("accounts/password/", account_views.password_change, name="password-change"),
    path("accounts/grants/", admin_pages.grant_list, name="grant-list"),
    path("accounts/grants/<int:pk>/revoke/", admin_pages.grant_revoke, name="grant-revoke"),
    path("system/", admin_pages.system_overview, name="system-overview"),
    path("system/deliveries/", notification_pages.delivery_status, name="delivery-status"),
    path("accounts/<int:pk>/", account_views.account_detail, name="account-detail"),
    path("accounts/<int:pk>/unlock/", account_views.account_unlock, name="account-unlock"),
    path("accounts/<int:pk>/tokens/revoke/", account_views.account_revoke_tokens, name="account-revoke-tokens"),
    path("accounts/<int:pk>/password/", account_views.account_reset_password, name="account-reset-password"),
    path("accounts/<int:pk>/active/", account_views.account_set_active, name="account-set-active"),
    path("regions/", cadre_views.region_tree, name="region-tree"),
    path("regions/<str:code>/", cadre_views.region_tree, name="region-detail"),
    path("teams/", cadre_views.TeamListView.as_view(), name="team-list"),
    path("teams/<int:pk>/", cadre_views.TeamDetailView.as_view(), name="team-detail"),
    path("cadres/", cadre_views.CadreListView.as_view(), name="cadre-list"),
    path("cadres/<int:pk>/", cadre_views.CadreDetailView.as_view(), name="cadre-detail"),
    path("cadres/<int:pk>/id-number/", cadre_views.cadre_reveal_id_number, name="cadre-reveal-id-number"),
    path(
        "cadres/export-id-numbers.xlsx", cadre_views.CadreIdNumberExportView.as_view(), name="cadre-export-id-numbers"
    ),
    path("cadres/<int:pk>/adjust/", cadre_views.term_adjustment_new, name="term-adjustment-new"),
    path("cadres/<int:pk>/handover/", cadre_views.handover, name="cadre-handover"),
    path("teams/<int:pk>/dispatch/", cadre_views.team_dispatch, name="team-dispatch"),
    path("term-adjustments/", cadre_views.term_adjustment_list, name="term-adjustment-list"),
    path("term-adjustments/<int:pk>/", cadre_views.term_adjustment_detail, name="term-adjustment-detail"),
    path(
        "term-adjustments/<int:pk>/attachment/",
        cadre_views.term_adjustment_attachment,
        name="term-adjustment-attachment",
    ),
    path("roster/import/", cadre_views.roster_import_page, name="roster-import-page"),
    path("roster/template.xlsx", cadre_views.roster_template_download, name="roster-template-download"),
    path("attendance/", include("attendance.urls")),
    path("public/villages/<str:code>/", attendance_views.public_village, name="public-village"),
    path("public/villages/<str:code>/poster/", attendance_views.public_poster, name="public-poster"),
    path("leave/", include("leave.urls")),
    path("assessment/", include("assessment.urls")),
    path("funds/", include("funding.urls")),
    path("duties/", include("duties.urls")),
    path("supervision/", include("supervision.urls")),
    path("households/", include("households.urls")),
    path("training/", include("training.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its init script as a separate file: no inline script under the CSP.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api/swagger_ui.html"),
        name="api-docs",
    ),
    path(settings.ADMIN_URL, admin.site.urls),
]
