"""Page base classes and the foundation's own pages (notifications, the audit viewer, health, the 400).
Every page that shows scoped objects derives from ``ScopedListView`` / ``ScopedDetailView``, which fetch
through zhucun.scoping (out of scope → 404). Part of the foundation: it imports no capability (the home
page, which composes them, is the shell's: zhucun/home.py; decision 0100)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.db.models import QuerySet
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponseServerError,
    JsonResponse,
)
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.generic import DetailView, ListView

from cadres.models import Region
from zhucun import scoping
from zhucun.filtersets import AuditEventFilterSet
from zhucun.inputs import InvalidInput
from zhucun.models import AuditEvent
from zhucun.replica import replica_reads


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
        sort = self.request.GET.get("sort", self.default_sort)
        self.current_sort = sort if sort in self.sort_options else self.default_sort
        if self.filters_invalid():
            # A filter naming nothing the caller may see is refused — the page shows the errors beside
            # the filters and no rows (a 400), the export exports nothing — never silently dropped:
            # the page would otherwise show, or export, everything in scope.
            return queryset.none()
        queryset = self.filterset.qs if self.filterset.is_bound else queryset
        if self.current_sort:
            queryset = queryset.order_by(*self.sort_options[self.current_sort][1])
        return queryset

    def filters_invalid(self) -> bool:
        return bool(self.filterset.is_bound and not self.filterset.is_valid())

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        if self.filters_invalid():
            kwargs["status"] = 400
        return super().render_to_response(context, **kwargs)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET.get("export") == "xlsx":
            with replica_reads():  # an export is a read a replica may serve (decision 0103)
                return self.export(request)
        return super().get(request, *args, **kwargs)

    def export(self, request: HttpRequest) -> HttpResponse:
        """The xlsx of exactly what the filters show, audited."""
        from zhucun.audit import audit_export
        from zhucun.exports.xlsx import RowCounter, write_table, xlsx_response

        queryset = self.get_queryset()
        if self.filters_invalid():
            errors = "；".join(
                f"{self.filterset.form.fields[field].label}：{' '.join(messages)}"
                for field, messages in self.filterset.form.errors.items()
                if field in self.filterset.form.fields
            )
            return HttpResponse(f"筛选条件有误，未导出：{errors}", status=400, content_type="text/plain; charset=utf-8")
        rows = RowCounter(self.export_row(obj) for obj in queryset.iterator(chunk_size=2000))
        data = write_table(title=self.export_title, headers=self.export_headers, rows=rows, widths=self.export_widths)
        audit_export(
            user=request.user,
            kind=queryset.model._meta.label_lower,
            title=self.export_title,
            params=request.GET,
            rows=rows.count,
            filename="export.xlsx",
        )
        return xlsx_response(data, "export.xlsx")

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
            if region_code.isdigit()  # a region code is digits; anything else (a NUL byte) names none
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


# --- The audit viewer (issue 10 item 7) ------------------------------------------------------------


def _json_text(value: Any) -> str:
    import json

    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)[:32000]  # an xlsx cell holds 32,767


class AuditEventListView(FilteredListView):
    """操作记录: the audit events in the caller's scope (their region's subtree; the province all), with
    filters, search, the total, and an xlsx of exactly the filtered rows. Read only."""

    model = AuditEvent
    queryset = AuditEvent.objects.select_related("actor")
    filterset_class = AuditEventFilterSet
    required_action = "audit.view"
    template_name = "zhucun/audit_list.html"
    paginate_by = 50
    sort_options = {
        "-at": ("最新在前", ("-at", "-id")),
        "at": ("最早在前", ("at", "id")),
    }
    default_sort = "-at"
    export_title = "操作记录"
    export_headers = (
        "时间",
        "操作人",
        "命令行操作人",
        "操作",
        "对象类型",
        "对象编号",
        "对象",
        "所属区划",
        "变更前",
        "变更后",
    )
    export_widths = (20, 14, 18, 22, 22, 12, 30, 14, 50, 50)

    def export_row(self, event: Any) -> list[Any]:
        from django.utils import timezone

        return [
            timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S"),
            event.actor.username if event.actor else "",
            event.operator,
            event.action,
            event.object_type,
            event.object_id,
            event.object_repr,
            event.region_code,
            _json_text(event.before),
            _json_text(event.after),
        ]


GENERIC_BAD_REQUEST = "请求无法处理：参数有误，请检查链接或填写的内容后重试。"


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 400 of the whole site (``handler400``): a Chinese message saying what was wrong — the
    fields of an ``InvalidInput`` (zhucun/inputs.py), a generic sentence for anything else (Django's
    own SuspiciousOperation messages are English and may reveal internals). The API gets JSON."""
    errors = exception.errors if isinstance(exception, InvalidInput) else {"detail": [GENERIC_BAD_REQUEST]}
    if request.path_info.startswith("/api/"):
        body: dict[str, Any] = dict(errors)
        if list(body) == ["detail"]:
            body = {"detail": "；".join(errors["detail"])}
        return JsonResponse(body, status=400, json_dumps_params={"ensure_ascii": False})
    messages_ = [message for field_messages in errors.values() for message in field_messages]
    return HttpResponseBadRequest(render_to_string("400.html", {"errors": messages_}, request=request))


GENERIC_NOT_FOUND = "未找到这个页面，或它不在您的管辖范围内。"
GENERIC_FORBIDDEN = "您的角色无权进行此操作。"
SERVER_ERROR = "系统出错了，这次操作没有完成。请稍后重试；如果一直出现，请联系系统管理员。"


def _chinese_message(exception: Exception | None, default: str) -> str:
    """The exception's message when it is one of ours (Chinese), else ``default``: Django's own are
    English ("No Cadre matches the given query.") or say how the site is built (a resolver's dict)."""
    message = exception.args[0] if exception is not None and exception.args else None
    if isinstance(message, str) and any("\u4e00" <= char <= "\u9fff" for char in message):
        return message
    return default


def _api_error(request: HttpRequest, detail: str, status: int) -> JsonResponse | None:
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": detail}, status=status, json_dumps_params={"ensure_ascii": False})
    return None


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 404 of the whole site (``handler404``): an API address that matches no route (``/api/v1/
    leave-requests/abc/``) answers with the API's JSON error body, as the OpenAPI schema documents it
    (decision 0065); a page is the Chinese 404 page with the navigation (issue 15 item 10)."""
    from zhucun.api.errors import NOT_FOUND_DETAIL

    api = _api_error(request, NOT_FOUND_DETAIL, 404)
    if api is not None:
        return api
    context = {"message": _chinese_message(exception, GENERIC_NOT_FOUND)}
    return HttpResponseNotFound(render_to_string("404.html", context, request=request))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 403 of the whole site (``handler403``): the reason in Chinese, with the navigation and a
    way back; the API answers JSON (issue 15 item 10)."""
    message = _chinese_message(exception, GENERIC_FORBIDDEN)
    api = _api_error(request, message, 403)
    if api is not None:
        return api
    return HttpResponseForbidden(render_to_string("403.html", {"message": message}, request=request))


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 of the whole site (``handler500``). It must work when the database does not: no
    context processors (no session, user or navigation), a plain template; the API answers JSON."""
    api = _api_error(request, SERVER_ERROR, 500)
    if api is not None:
        return api
    return HttpResponseServerError(render_to_string("500.html", {"message": SERVER_ERROR}))
