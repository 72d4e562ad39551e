"""Pages of this app (included under /leave/ by zhucun/urls.py)."""

from django.urls import URLPattern, path

from . import views

urlpatterns: list[URLPattern] = [
    path("inbox/", views.inbox, name="leave-inbox"),
    path("inbox/approve/", views.bulk_approve, name="leave-bulk-approve"),
    path("inbox/reject/", views.bulk_reject, name="leave-bulk-reject"),
    path("mine/", views.mine, name="leave-mine"),
    path("new/", views.new, name="leave-new"),
    path("new/preview/", views.preview, name="leave-preview"),
    path("register/", views.register, name="leave-register"),
    path("<int:pk>/", views.detail, name="leave-detail"),
    path("<int:pk>/decide/", views.decide, name="leave-decide"),
    path("<int:pk>/withdraw/", views.withdraw, name="leave-withdraw"),
    path("<int:pk>/report-back/", views.report_back, name="leave-report-back"),
    path("<int:pk>/cancel/", views.cancel, name="leave-cancel"),
]
