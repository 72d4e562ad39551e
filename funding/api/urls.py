"""API routes of team funds (included under /api/v1/ by zhucun/api/urls.py)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from .views import AllocationViewSet, ExpenseViewSet, InsurancePolicyViewSet, ReimbursementViewSet, TeamFundsView

router = DefaultRouter()
router.include_root_view = False
router.register("funds/allocations", AllocationViewSet, basename="fund-allocation")
router.register("funds/expenses", ExpenseViewSet, basename="fund-expense")
router.register("funds/reimbursements", ReimbursementViewSet, basename="fund-reimbursement")
router.register("insurance-policies", InsurancePolicyViewSet, basename="insurance-policy")

urlpatterns = [
    path("funds/teams/<int:team_id>/", TeamFundsView.as_view(), name="fund-team"),
    path("", include(router.urls)),
]
