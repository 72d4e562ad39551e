"""Page base classes and the shell pages (home). Every page that shows scoped objects derives from
``ScopedListView`` / ``ScopedDetailView``, which fetch through zhucun.scoping (out of scope → 404)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.generic import DetailView, ListView

from cadres.models import Region, Team
from zhucun import scoping


class ScopedQuerysetViewMixin(LoginRequiredMixin):
    """The queryset of the page, restricted to what the user may see. ``required_action`` (optional)
    is the role action checked after login (403 when the role may not)."""

    required_action: str | None = None
    request: HttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and self.required_action:
            scoping.require(request.user, self.required_action)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[return-value]

    def get_queryset(self) -> QuerySet[Any]:
        return scoping.restrict(super().get_queryset(), self.request.user)  # type: ignore[misc]


class ScopedListView(ScopedQuerysetViewMixin, ListView):  # type: ignore[type-arg]
    paginate_by = 25
    paginator_class = Paginator


class ScopedDetailView(ScopedQuerysetViewMixin, DetailView):  # type: ignore[type-arg]
    pass


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The bell: the user's own notifications, newest first; opening the page marks them read."""
    from django.utils import timezone

    mine = scoping.own_notifications(request.user)
    page = list(mine.order_by("-created_at", "-id")[:100])
    unread = [note.pk for note in page if note.read_at is None]
    if unread:
        mine.filter(pk__in=unread).update(read_at=timezone.now())
    return render(request, "notifications.html", {"notes": page, "unread_ids": set(unread)})


def home(request: HttpRequest) -> HttpResponse:
    from cadres.selectors import home_summary

    if not request.user.is_authenticated:
        return redirect("login")
    if getattr(request.user, "role", "") == "cadre":
        return redirect("attendance-today")  # the cadre's phone: one page for the day (UI.md)
    return render(
        request, "home.html", {"summary": home_summary(user=request.user), "today": today_summary(user=request.user)}
    )


def today_summary(*, user: Any) -> dict[str, Any]:
    """What needs the official this morning: leave awaiting their answer, villages with nobody on
    duty today (第五条), absences to confirm. Each capability answers through its own selector."""
    from django.utils import timezone

    from attendance.models import AbsenceFinding, SignIn
    from leave.selectors import inbox

    today = timezone.localdate()
    summary: dict[str, Any] = {"awaiting_me": inbox(user=user).count()}
    if scoping.can(user, "attendance.view_dashboard"):
        teams = scoping.restrict(Team.objects.filter(cadres__status="active").distinct(), user)
        present = SignIn.objects.filter(date=today, status__in=["ok", "late"]).values("village_code")
        summary["villages"] = teams.count()
        summary["uncovered"] = teams.exclude(village__code__in=present).count()
        summary["pending_findings"] = (
            scoping.restrict(AbsenceFinding.objects.all(), user).filter(status=AbsenceFinding.Status.PENDING).count()
        )
    return summary


class FilteredListView(ScopedListView):
    """A list page: filters (a django-filter FilterSet shared with the API), search, sorting,
    pagination with the total, and an xlsx export of exactly what the filters show (UI.md)."""

    filterset_class: Any = None
    #: ``?sort=`` value → (label, order_by fields)
    sort_options: dict[str, tuple[str, tuple[str, ...]]] = {}
    default_sort = ""
    export_title = ""
    export_headers: tuple[str, ...] = ()
    export_widths: tuple[int, ...] | None = None

    def get_queryset(self) -> QuerySet[Any]:
        queryset = super().get_queryset()
        self.filterset = self.filterset_class(self.request.GET or None, queryset=queryset, request=self.request)
        for field in self.filterset.form.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs.setdefault("class", "form-select" if is_select else "form-control")
        queryset = self.filterset.qs if self.filterset.is_bound and self.filterset.is_valid() else queryset
        sort = self.request.GET.get("sort", self.default_sort)
        self.current_sort = sort if sort in self.sort_options else self.default_sort
        if self.current_sort:
            queryset = queryset.order_by(*self.sort_options[self.current_sort][1])
        return queryset

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET.get("export") == "xlsx":
            from zhucun.exports.xlsx import write_table, xlsx_response

            rows = (self.export_row(obj) for obj in self.get_queryset().iterator(chunk_size=2000))
            data = write_table(
                title=self.export_title, headers=self.export_headers, rows=rows, widths=self.export_widths
            )
            return xlsx_response(data, "export.xlsx")
        return super().get(request, *args, **kwargs)

    def export_row(self, obj: Any) -> list[Any]:
        raise NotImplementedError

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        without_sort = query.copy()
        without_sort.pop("sort", None)
        region_code = self.request.GET.get("region", "").strip()
        context["filter_region"] = (
            scoping.restrict(Region.objects.filter(code=region_code), self.request.user).first()
            if region_code
            else None
        )
        context.update(
            filterset=self.filterset,
            query_string=query.urlencode(),
            query_without_sort=without_sort.urlencode(),
            sort_options=self.sort_options,
            current_sort=self.current_sort,
        )
        return context


def paginate(request: HttpRequest, rows: Any, *, per_page: int = 25) -> dict[str, Any]:
    """What ``includes/pagination.html`` needs, for function views: the page, the total and the query
    string without ``page`` (so the links keep the filters)."""
    paginator = Paginator(rows, per_page)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "page_obj": page,
        "paginator": paginator,
        "is_paginated": paginator.num_pages > 1,
        "query_string": query.urlencode(),
    }


def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and docker-compose: the process answers and the database is reachable. No
    data, no login. Also the floor of one request in `make bench` (B1, docs/performance.md)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
