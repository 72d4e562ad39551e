"""Pages of accounts, under /accounts/ (zhucun/urls.py): sign-in and sign-out, accounts in scope, the
security administrator's grants. The system administrator's overview is at /system/ (zhucun/urls.py)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import admin_pages, views

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("reset/", views.password_reset, name="password-reset"),
    path("reset/confirm/", views.password_reset_confirm, name="password-reset-confirm"),
    path("", views.AccountListView.as_view(), name="account-list"),
    path("new/", views.account_create_page, name="account-create"),
    path("new/scopes/", views.account_scope_search, name="account-scope-search"),
    path("password/", views.password_change, name="password-change"),
    path("devices/", views.my_devices, name="my-devices"),
    path("devices/revoke/", views.my_device_revoke, name="my-device-revoke"),
    path("grants/", admin_pages.grant_list, name="grant-list"),
    path("grants/<int:pk>/revoke/", admin_pages.grant_revoke, name="grant-revoke"),
    path("<int:pk>/", views.account_detail, name="account-detail"),
    path("<int:pk>/unlock/", views.account_unlock, name="account-unlock"),
    path("<int:pk>/tokens/revoke/", views.account_revoke_tokens, name="account-revoke-tokens"),
    path("<int:pk>/password/", views.account_reset_password, name="account-reset-password"),
    path("<int:pk>/active/", views.account_set_active, name="account-set-active"),
]
