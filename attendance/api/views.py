from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import django_filters
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.decorators import method_decorator
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import signed_in
from cadres.models import Cadre, Region, Team
from cadres.selectors import nation
from zhucun import scoping
from zhucun.api.schema import NOT_FOUND
from zhucun.api.viewsets import ScopedQuerysetMixin
from zhucun.exports.xlsx import XLSX_CONTENT_TYPE
from zhucun.filters import PlausibleDateFilter, ScopedObjectFilter
from zhucun.inputs import InvalidInput, parse_id, parse_month
from zhucun.policy import profile_on
from zhucun.replica import reads_from_replica

from .. import services
from ..exports import attendance_register
from ..models import AbsenceFinding, SignIn, Whereabouts, WorkLog, visits_prefetch
from ..selectors import attendance_month_totals, children_summary, uncovered_villages
from .serializers import (
    AbsenceFindingCreateSerializer,
    AbsenceFindingSerializer,
    FindingDecisionSerializer,
    SignInCreateSerializer,
    SignInSerializer,
    WhereaboutsPostSerializer,
    WhereaboutsSerializer,
    WorkLogCreateSerializer,
    WorkLogSerializer,
    signin_body,
)


class _VillageDateFilterSet(django_filters.FilterSet):
    region = django_filters.CharFilter(field_name="village_code", lookup_expr="startswith", label="区划代码")
    date = PlausibleDateFilter(label="日期")
    date_from = PlausibleDateFilter(field_name="date", lookup_expr="gte", label="起始日期")
    date_to = PlausibleDateFilter(field_name="date", lookup_expr="lte", label="截止日期")
    cadre = ScopedObjectFilter(field_name="cadre", model=Cadre, label="驻村干部")


class SignInFilterSet(_VillageDateFilterSet):
    class Meta:
        model = SignIn
        fields = ["region", "date", "date_from", "date_to", "cadre", "status"]


class FindingFilterSet(_VillageDateFilterSet):
    class Meta:
        model = AbsenceFinding
        fields = ["region", "date", "date_from", "date_to", "cadre", "status", "source"]


class WhereaboutsFilterSet(django_filters.FilterSet):
    date = PlausibleDateFilter(label="日期")
    cadre = ScopedObjectFilter(field_name="cadre", model=Cadre, label="驻村干部")

    class Meta:
        model = Whereabouts
        fields = ["date", "cadre"]


class WorkLogFilterSet(django_filters.FilterSet):
    date = PlausibleDateFilter(label="日期")
    team = ScopedObjectFilter(field_name="team", model=Team, label="驻村工作队")

    class Meta:
        model = WorkLog
        fields = ["date", "team"]


class SignInViewSet(ScopedQuerysetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Daily sign-in (第十九条1). POST by the cadre; lists are scoped like everything else."""

    queryset = SignIn.objects.order_by("-date", "-id")
    serializer_class = SignInSerializer
    filterset_class = SignInFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=SignInCreateSerializer, responses={201: SignInSerializer, 200: SignInSerializer})
    def create(self, request: Request) -> Response:
        form = SignInCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        if data.get("cadre") is not None and data["cadre"] != getattr(request.user, "cadre_id", None):
            return Response({"detail": "只能为本人签到，不能替他人签到。"}, status=status.HTTP_403_FORBIDDEN)
        result = services.signin_create(
            actor=signed_in(request),
            client_id=data["client_id"],
            latitude=Decimal(f"{data['latitude']:.6f}"),
            longitude=Decimal(f"{data['longitude']:.6f}"),
            device_time=data.get("device_time"),
            photo=data.get("photo"),
        )
        return Response(
            signin_body(result.signin), status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        )


class AbsenceFindingViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """Absence findings (缺岗记录): recorded by township or county staff, confirmed or dismissed."""

    queryset = AbsenceFinding.objects.select_related("cadre").order_by("-date", "-id")
    serializer_class = AbsenceFindingSerializer
    filterset_class = FindingFilterSet

    @extend_schema(request=AbsenceFindingCreateSerializer, responses={201: AbsenceFindingSerializer})
    def create(self, request: Request) -> Response:
        form = AbsenceFindingCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        cadre = scoping.restrict(Cadre.objects.select_related("team"), request.user).filter(pk=data["cadre"]).first()
        if cadre is None:
            return Response({"cadre": ["驻村干部不存在或不在您的管辖范围内。"]}, status=status.HTTP_400_BAD_REQUEST)
        finding = services.absence_finding_create(
            actor=signed_in(request),
            cadre=cadre,
            day=data["date"],
            source=data["source"],
            note=data.get("note", ""),
            half=data.get("half", ""),
            time=data.get("time"),
        )
        return Response(AbsenceFindingSerializer(finding).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=FindingDecisionSerializer, responses={200: AbsenceFindingSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str) -> Response:
        return self._decide(request, confirm=True)

    @extend_schema(request=FindingDecisionSerializer, responses={200: AbsenceFindingSerializer})
    @action(detail=True, methods=["post"])
    def dismiss(self, request: Request, pk: str) -> Response:
        return self._decide(request, confirm=False)

    def _decide(self, request: Request, *, confirm: bool) -> Response:
        finding = self.get_object()  # out of scope: 404 before the role check
        form = FindingDecisionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        decided = services.absence_finding_decide(
            actor=signed_in(request), finding=finding, confirm=confirm, reason=form.validated_data.get("reason", "")
        )
        return Response(AbsenceFindingSerializer(decided).data)


class WhereaboutsViewSet(ScopedQuerysetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """The whereabouts board (去向公示, 第十九条3)."""

    queryset = Whereabouts.objects.order_by("-date", "cadre_id")
    serializer_class = WhereaboutsSerializer
    filterset_class = WhereaboutsFilterSet

    @extend_schema(request=WhereaboutsPostSerializer, responses={201: WhereaboutsSerializer, 404: NOT_FOUND})
    def create(self, request: Request) -> Response:
        form = WhereaboutsPostSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        cadre_id = data.get("cadre") or getattr(request.user, "cadre_id", None)
        cadre = scoping.restrict(Cadre.objects.select_related("team"), request.user).filter(pk=cadre_id).first()
        if cadre is None:
            raise Http404
        row = services.whereabouts_post(
            actor=signed_in(request),
            cadre=cadre,
            day=data.get("date") or timezone.localdate(),
            status=data["status"],
            note=data.get("note", ""),
        )
        return Response(WhereaboutsSerializer(row).data, status=status.HTTP_201_CREATED)


class WorkLogViewSet(ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Work logs (工作日志) with photos per team; the township marks them checked (第十五条5)."""

    queryset = (
        WorkLog.objects.select_related("author")
        .prefetch_related(visits_prefetch())
        .annotate(photo_count=Count("photos"))
        .order_by("-date", "-id")
    )
    serializer_class = WorkLogSerializer
    filterset_class = WorkLogFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=WorkLogCreateSerializer, responses={201: WorkLogSerializer})
    def create(self, request: Request) -> Response:
        form = WorkLogCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        log = services.work_log_create(
            actor=signed_in(request), day=data["date"], content=data["content"], photos=data.get("photos")
        )
        return Response(WorkLogSerializer(self.get_queryset().get(pk=log.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: WorkLogSerializer})
    @action(detail=True, methods=["post"])
    def check(self, request: Request, pk: str) -> Response:
        log = self.get_object()
        services.work_log_check(actor=signed_in(request), log=log)
        return Response(WorkLogSerializer(self.get_queryset().get(pk=log.pk)).data)


#: ``?region=nation``: the national view (decision 0177).
NATION_PARAM = "nation"


def _region_for(request: Request) -> Region:
    code = request.query_params.get("region") or getattr(request.user, "region_id", None) or ""
    if code == NATION_PARAM and scoping.sees_nation(request.user):
        return nation()  # the root above the provinces, one row per province
    region = scoping.restrict(Region.objects.filter(code=code), request.user).first()
    if region is None:
        raise Http404
    return region


def _month(request: Request) -> dt.date:
    return parse_month(request.query_params.get("month"), default=timezone.localdate().replace(day=1))


_CadreMonthSchema = inline_serializer(
    "CadreMonth",
    {
        "id": serializers.IntegerField(),
        "name": serializers.CharField(),
        "village": serializers.CharField(),
        "days_present": serializers.IntegerField(),
        "days_on_leave": serializers.DecimalField(max_digits=4, decimal_places=1),
        "meets_25_days": serializers.BooleanField(
            help_text="第五条（或政策参数中的年度要求）：按在岗天数折算后是否达标"
        ),
        "can_still_meet": serializers.BooleanField(),
        "days_on_business": serializers.IntegerField(help_text="全天公务（培训、会议、批准的公务外出）天数"),
        "days_counted": serializers.IntegerField(help_text="计入驻村工作时间的天数：在村与全天公务"),
        "days_required": serializers.IntegerField(help_text="按在岗天数折算的应在村天数"),
        "period": serializers.CharField(help_text="判定期间：YYYY-MM（每月要求）或 YYYY（年度要求）"),
    },
    many=True,
)


_RegionTodaySchema = inline_serializer(
    "RegionToday",
    {
        "code": serializers.CharField(),
        "name": serializers.CharField(),
        "villages": serializers.IntegerField(help_text="驻村工作队（村）数"),
        "covered": serializers.IntegerField(help_text="今日有驻村干部在村的村数"),
        "uncovered": serializers.IntegerField(help_text="今日无人在村的村数"),
        "cadres": serializers.IntegerField(help_text="在岗驻村干部数"),
        "signed_in": serializers.IntegerField(help_text="今日已签到（在村）人数"),
        "pending_findings": serializers.IntegerField(help_text="待确认缺岗"),
        "below_days": serializers.IntegerField(help_text="本期已无法达到在村天数要求的人数（第五条）"),
    },
    many=True,
    required=False,
    help_text="市级及以上：每个下级区划一行（今日）",
)

#: Levels whose per-cadre list is paged (issue 16 item 1, decision 0177): a province's ~22,000 cadres,
#: the nation's ~660,000. Below them the whole list, as API.md has always given it.
PAGED_LEVELS = frozenset({Region.Level.PROVINCE, "nation"})
#: Levels that also get one row per child region (above the county, read from the monthly rollup).
SUMMARY_LEVELS = frozenset({Region.Level.CITY, Region.Level.PROVINCE, "nation"})
PAGE_SIZE, MAX_PAGE_SIZE = 200, 1000


def _page(request: Request, region: Region) -> tuple[int, int] | None:
    """(page number, size) when the list is paged: always for a province or the nation, and whenever
    ``page`` or ``page_size`` is asked for; a bad number is a 400 in Chinese."""
    raw_page, raw_size = request.query_params.get("page"), request.query_params.get("page_size")
    if region.level not in PAGED_LEVELS and raw_page is None and raw_size is None:
        return None
    number, size = parse_id(raw_page or "1"), parse_id(raw_size or str(PAGE_SIZE))
    if number is None:
        raise InvalidInput({"page": ["页码应为正整数。"]})
    if size is None or size > MAX_PAGE_SIZE:
        raise InvalidInput({"page_size": [f"每页人数应为 1 至 {MAX_PAGE_SIZE} 的整数。"]})
    return number, size


@method_decorator(reads_from_replica, name="get")
class AttendanceDashboardView(APIView):
    """第五条: each cadre's days in the village this month, and the villages with nobody on duty today.
    Above the county, one row per child region with today's coverage (``children``); for a province or
    the nation (``region=nation``) the per-cadre list is paged."""

    @extend_schema(
        parameters=[
            OpenApiParameter("region", str, description="区划代码；nation 为全国（省委组织部）"),
            OpenApiParameter("month", str, description="YYYY-MM"),
            OpenApiParameter("page", int, description="页码（省级和全国始终分页）"),
            OpenApiParameter("page_size", int, description=f"每页人数，默认 {PAGE_SIZE}，最多 {MAX_PAGE_SIZE}"),
        ],
        responses={
            200: inline_serializer(
                "AttendanceDashboard",
                {
                    "region": inline_serializer(
                        "DashboardRegion", {"code": serializers.CharField(), "name": serializers.CharField()}
                    ),
                    "cadres": _CadreMonthSchema,
                    "uncovered_villages_today": inline_serializer(
                        "Village", {"code": serializers.CharField(), "name": serializers.CharField()}, many=True
                    ),
                    "children": _RegionTodaySchema,
                    "next_page": serializers.IntegerField(
                        help_text="分页时：下一页的页码，最后一页为 null（不统计总数：全国名单数十万人）",
                        required=False,
                        allow_null=True,
                    ),
                    "page": serializers.IntegerField(help_text="分页时：页码", required=False),
                    "page_size": serializers.IntegerField(help_text="分页时：每页人数", required=False),
                    "uncovered_villages_today_count": serializers.IntegerField(
                        help_text="分页时：今日无人在村的村总数（列表只列前 page_size 个）", required=False
                    ),
                },
            ),
            400: OpenApiResponse(description="参数有误"),
            404: NOT_FOUND,
        },
    )
    def get(self, request: Request) -> Response:
        region = _region_for(request)  # out of scope: 404
        scoping.require(request.user, "attendance.view_dashboard")
        today = timezone.localdate()
        month = _month(request)
        page = _page(request, region)
        rows = attendance_month_totals(
            user=request.user,
            region=region,
            month=month,
            today=today,
            # one more than the page: whether there is a next one, without counting the nation's cadres
            page=None if page is None else ((page[0] - 1) * page[1], page[1] + 1),
        )
        more = page is not None and len(rows) > page[1]
        rows = rows[: page[1]] if page is not None else rows
        uncovered = uncovered_villages(user=request.user, region=region, day=today).values_list(
            "village_id", "village__name"
        )
        if not region.code:
            # The nation lists no villages (its children count them): the first uncovered ones in code
            # order meant testing every village in the country — 0.4 s at 220,000 (decision 0177).
            uncovered = uncovered.none()
        body: dict[str, Any] = {
            "region": {"code": region.code, "name": region.name},
            "cadres": [
                {
                    "id": row.id,
                    "name": row.name,
                    "village": row.village,
                    "days_present": row.days_present,
                    "days_on_leave": str(row.days_on_leave),
                    "meets_25_days": row.meets_25_days,
                    "can_still_meet": row.can_still_meet,
                    "days_on_business": row.days_on_business,
                    "days_counted": row.verdict.counted,
                    "days_required": row.verdict.required,
                    "period": row.verdict.period,
                }
                for row in rows
            ],
        }
        if region.level in SUMMARY_LEVELS:
            children = children_summary(user=request.user, region=region, day=today, profile=profile_on(today))
            body["children"] = [
                {
                    "code": child.region.code,
                    "name": child.region.name,
                    "villages": child.villages,
                    "covered": child.covered,
                    "uncovered": child.uncovered,
                    "cadres": child.cadres,
                    "signed_in": child.signed_in,
                    "pending_findings": child.pending_findings,
                    "below_days": child.below_days,
                }
                for child in children
            ]
        if page is None:
            body["uncovered_villages_today"] = [{"code": code, "name": name} for code, name in uncovered]
        else:
            body.update(
                page=page[0],
                next_page=page[0] + 1 if more else None,
                page_size=page[1],
                uncovered_villages_today=[{"code": code, "name": name} for code, name in uncovered[: page[1]]],
            )
            if "children" in body:  # the children's counts add up to the total, without another query
                body["uncovered_villages_today_count"] = sum(child["uncovered"] for child in body["children"])
            else:
                body["uncovered_villages_today_count"] = uncovered.count()
        return Response(body)


class AttendanceExportView(APIView):
    """The month's attendance register of a region (xlsx): in scope only, IDs masked."""

    @extend_schema(
        parameters=[OpenApiParameter("region", str), OpenApiParameter("month", str, description="YYYY-MM")],
        responses={(200, XLSX_CONTENT_TYPE): OpenApiResponse(description="考勤登记表"), 404: NOT_FOUND},
    )
    def get(self, request: Request) -> HttpResponse:
        region = _region_for(request)
        scoping.require(request.user, "attendance.export")
        return attendance_register(user=request.user, region=region, month=_month(request))
