"""/api/v1/ — the public contract of API.md."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from accounts.api.views import AccountViewSet, LogoutView, TokenLoginView
from cadres.api.party import PartySecretaryViewSet, PartyTransferViewSet
from cadres.api.terms import TermAdjustmentViewSet
from cadres.api.views import CadreViewSet, RegionViewSet, RosterImportView, RosterTemplateView, TeamViewSet
from zhucun.api.audit import AuditEventViewSet
from zhucun.api.notifications import NotificationPreferencesView

router = DefaultRouter()
router.include_root_view = False
router.register("accounts", AccountViewSet, basename="account")
router.register("regions", RegionViewSet, basename="region")
router.register("teams", TeamViewSet, basename="team")
router.register("cadres", CadreViewSet, basename="cadre")
router.register("audit-events", AuditEventViewSet, basename="audit-event")
router.register("term-adjustments", TermAdjustmentViewSet, basename="term-adjustment")
router.register("party-transfers", PartyTransferViewSet, basename="party-transfer")
router.register("party-secretary-appointments", PartySecretaryViewSet, basename="party-secretary")

urlpatterns = [
    path("auth/token/", TokenLoginView.as_view(), name="auth-token"),
    path("auth/logout/", LogoutView.as_view(), name="auth-logout"),
    path("roster-imports/template/", RosterTemplateView.as_view(), name="roster-import-template"),
    path("roster-imports/", RosterImportView.as_view(), name="roster-import"),
    path("notification-preferences/", NotificationPreferencesView.as_view(), name="notification-preferences"),
    path("", include("attendance.api.urls")),
    path("", include("leave.api.urls")),
    path("", include("assessment.api.urls")),
    path("", include("funding.api.urls")),
    path("", include("duties.api.urls")),
    path("", include("supervision.api.urls")),
    path("", include("households.api.urls")),
    path("", include("training.api.urls")),
    path("", include(router.urls)),
]
