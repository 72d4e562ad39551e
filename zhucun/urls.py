"""Every route of the system. tests/test_permission_matrix.py fails when a route here has no entry."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import admin_pages
from attendance import views as attendance_views
from zhucun import home, notification_pages, views

#: Bad input is a 400 with a Chinese message, never a 500 (issue 10 item 8).
handler400 = "zhucun.views.bad_request"
#: An API address that matches no route is the API's JSON 404, as the OpenAPI schema says (decision 0065).
handler404 = "zhucun.views.not_found"
#: Chinese error pages with the navigation and a way back; the API keeps its JSON (issue 15 item 10).
handler403 = "zhucun.views.permission_denied"
handler500 = "zhucun.views.server_error"

urlpatterns = [
    # First: the phones' API (the morning sign-in) is resolved before the pages' patterns are tried.
    path("api/v1/", include(("zhucun.api.urls", "api"), namespace="api")),
    path("", home.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/settings/", notification_pages.notification_settings, name="notification-settings"),
    path("calendar/", include("zhucun.workcalendar.urls")),
    path("audit/", views.AuditEventListView.as_view(), name="audit-list"),
    path("accounts/", include("accounts.urls")),
    path("system/", admin_pages.system_overview, name="system-overview"),
    path("system/deliveries/", notification_pages.delivery_status, name="delivery-status"),
    path("", include("cadres.urls")),
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
    path("archive/", include("archive.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its init script as a separate file: no inline script under the CSP.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api/swagger_ui.html"),
        name="api-docs",
    ),
    path(settings.ADMIN_URL, admin.site.urls),
]
