"""Team funds pages (included under /funds/ by zhucun/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.overview, name="funds-overview"),
    path("regions/<str:code>/", views.overview, name="funds-overview-region"),
    path("teams/<int:pk>/", views.ledger, name="funds-ledger"),
    path("teams/<int:pk>/expenses/new/", views.expense_new, name="funds-expense-new"),
    path("teams/<int:pk>/reimburse/", views.reimburse, name="funds-reimburse"),
    path("entries/<int:pk>/reverse/", views.entry_reverse, name="funds-entry-reverse"),
    path("receipts/<int:pk>/", views.receipt_download, name="funds-receipt"),
    path("insurance/", views.insurance_register, name="funds-insurance"),
    path("insurance/cadres/<int:pk>/", views.insurance_policy_new, name="funds-insurance-new"),
]
