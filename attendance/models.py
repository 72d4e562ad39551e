"""Attendance (SPEC.md "Attendance"; 第五条, 第十五条1, 第十九条1 and 3).

The big tables (sign-ins: ~8 million rows a year in Hebei) carry the org-tree key they are filtered
by — the 12-digit ``village_code`` of the team the cadre served in that day — so scoping is a prefix
filter on an indexed column, never a join through cadres and teams.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from cadres.models import Cadre, Team
from zhucun.db import PREFIX_OPCLASSES


class SignIn(models.Model):
    """A cadre's sign-in for one day (第十九条1). One per cadre per day, enforced by the database."""

    class Status(models.TextChoices):
        OK = "ok", "正常"
        LATE = "late", "迟到"
        OUTSIDE_GEOFENCE = "outside_geofence", "不在范围"

    cadre = models.ForeignKey(Cadre, verbose_name="驻村干部", on_delete=models.PROTECT, related_name="signins")
    village_code = models.CharField("驻在村代码", max_length=12)
    date = models.DateField("日期")
    client_id = models.UUIDField("客户端编号", unique=True, default=uuid.uuid4)
    status = models.CharField("状态", max_length=20, choices=Status.choices)
    inside_geofence = models.BooleanField("在签到范围内")
    distance_m = models.PositiveIntegerField("距村中心（米）")
    # Raw coordinates are kept for a limited period (policy: coordinate_retention_days), then erased.
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    photo = models.ImageField("照片", upload_to="signins/%Y/%m/", blank=True)
    device_time = models.DateTimeField("手机时间", null=True, blank=True)
    server_time = models.DateTimeField("服务器时间", default=timezone.now)
    offline = models.BooleanField("离线补传", default=False)

    class Meta:
        verbose_name = "签到"
        verbose_name_plural = "签到"
        constraints = [models.UniqueConstraint(fields=["cadre", "date"], name="signin_one_per_cadre_per_day")]
        indexes = [
            # A township's or county's days: a short range of villages over many dates.
            models.Index(fields=["village_code", "date"], name="signin_village_date_idx", opclasses=PREFIX_OPCLASSES),
            # A city's or the province's month or day: a range of dates over many villages, answered from
            # the index alone (cadre and status included) — docs/performance.md, B2.
            models.Index(
                fields=["date", "village_code"],
                name="signin_date_village_idx",
                opclasses=["date_ops", "varchar_pattern_ops"],
                include=["cadre", "status"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cadre_id} {self.date} {self.status}"


class SignInMonth(models.Model):
    """The monthly rollup of sign-ins (issue 16 item 1, decision 0177): per cadre and month, the days
    present (正常 or 迟到, ``rules.PRESENT``), the last of them and its village — a cadre who moved within
    the month is counted, with all the month's days, where they last signed in. Kept by a database trigger on
    ``attendance_signin`` — the sign-in's own INSERT statement updates it, in the same round trip and
    the same transaction, whoever writes (the service, the ORM, a COPY, a correction); never written by
    the application. Dashboards above the county read these rows instead of every sign-in of the month
    (``selectors``). ``attendance.rollup`` rebuilds it and checks it against the sign-ins."""

    pk = models.CompositePrimaryKey("cadre_id", "month")
    # no database constraint: every row comes from a sign-in, whose own foreign key holds the cadre
    cadre = models.ForeignKey(
        Cadre,
        verbose_name="驻村干部",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # the primary key begins with the cadre
        related_name="+",
    )
    month = models.DateField("月份")  # the first day of the month
    village_code = models.CharField("驻在村代码", max_length=12)  # of the last day present
    days_present = models.PositiveIntegerField("在村天数", default=0)
    last_present = models.DateField("最近在村日期", null=True)

    class Meta:
        db_table = "attendance_signin_month"
        verbose_name = "签到月汇总"
        verbose_name_plural = "签到月汇总"
        indexes = [
            # A region's month: a village-code prefix within one month, answered from the index alone.
            models.Index(
                fields=["month", "village_code"],
                name="signin_month_region_idx",
                opclasses=["date_ops", "varchar_pattern_ops"],
                include=["cadre", "days_present", "last_present"],
            ),
            # The cadres present today with a given number of days (the big dashboards' "below the
            # minimum", decision 0180): one index range, not the month's rows.
            models.Index(
                fields=["month", "last_present", "days_present"],
                name="signin_month_last_idx",
                include=["village_code"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cadre_id} {self.month:%Y-%m} {self.village_code} {self.days_present}"


class CountyDay(models.Model):
    """Per county and day: the cadres present (``rules.PRESENT`` sign-ins) and the villages with at
    least one of them (第五条 每天有驻村干部在岗). Kept by the sign-in trigger with the monthly rollup
    (migration 0008, decision 0180), never written by the application: the dashboards of a city, a
    province and the nation read one row per county instead of every sign-in or rollup row."""

    pk = models.CompositePrimaryKey("county_code", "day")
    county_code = models.CharField("区县代码", max_length=6)
    day = models.DateField("日期")
    present = models.IntegerField("在岗人数", default=0)
    covered = models.IntegerField("有人在岗的村数", default=0)

    class Meta:
        db_table = "attendance_county_day"
        verbose_name = "区县每日在岗汇总"
        verbose_name_plural = "区县每日在岗汇总"

    def __str__(self) -> str:
        return f"{self.county_code} {self.day} {self.present} {self.covered}"


class CountyMonthDays(models.Model):
    """Per county and month, how many cadres have been present on exactly ``days_present`` days (the
    monthly rollup's rows counted by their days, where the cadre last signed in): the "below the
    minimum" count of the big dashboards sums it instead of reading every rollup row (decision 0180).
    Kept by a trigger on the rollup (migration 0008), never written by the application."""

    pk = models.CompositePrimaryKey("county_code", "month", "days_present")
    county_code = models.CharField("区县代码", max_length=6)
    month = models.DateField("月份")
    days_present = models.IntegerField("在村天数")
    cadres = models.IntegerField("人数", default=0)

    class Meta:
        db_table = "attendance_county_month_days"
        verbose_name = "区县月在村天数分布"
        verbose_name_plural = "区县月在村天数分布"

    def __str__(self) -> str:
        return f"{self.county_code} {self.month:%Y-%m} {self.days_present}: {self.cadres}"


class Whereabouts(models.Model):
    """A cadre's posted whereabouts for a day (去向公示牌, 第十九条3). No row for a day means not
    posted, which counts as absent (按缺岗处理)."""

    class Status(models.TextChoices):
        IN_VILLAGE = "in_village", "在村"
        LEAVE = "leave", "请假"
        MEETING = "meeting", "外出开会"
        TRAINING = "training", "培训"
        ROTATION = "rotation", "轮休"
        OTHER = "other", "其他"
        # Shown for an approved official trip (leave.models.OfficialBusiness); a cadre may post it too.
        BUSINESS = "business", "公务外出"
        # 第十一条 不得抽调驻村干部返回单位工作: posted so that the burden guard can count it (a unit whose cadre
        # is back at the unit too often is flagged, supervision app); like any posting it is no approval.
        RETURNED_TO_UNIT = "unit", "回单位"

    cadre = models.ForeignKey(Cadre, verbose_name="驻村干部", on_delete=models.PROTECT, related_name="whereabouts")
    village_code = models.CharField("驻在村代码", max_length=12)
    date = models.DateField("日期")
    status = models.CharField("去向", max_length=12, choices=Status.choices)
    note = models.CharField("说明", max_length=100, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="公示人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    posted_at = models.DateTimeField("公示时间", auto_now=True)

    class Meta:
        verbose_name = "去向公示"
        verbose_name_plural = "去向公示"
        constraints = [models.UniqueConstraint(fields=["cadre", "date"], name="whereabouts_one_per_cadre_per_day")]
        indexes = [
            models.Index(
                fields=["village_code", "date"], name="whereabouts_village_date_idx", opclasses=PREFIX_OPCLASSES
            )
        ]

    def __str__(self) -> str:
        return f"{self.cadre_id} {self.date} {self.status}"


class WorkLog(models.Model):
    """A work-log entry (工作日志, 第十九条1), checked by the township (第十五条5)."""

    team = models.ForeignKey(Team, verbose_name="驻村工作队", on_delete=models.PROTECT, related_name="work_logs")
    village_code = models.CharField("驻在村代码", max_length=12)
    author = models.ForeignKey(Cadre, verbose_name="记录人", on_delete=models.PROTECT, related_name="work_logs")
    date = models.DateField("日期")
    content = models.TextField("工作内容", max_length=4000)
    created_at = models.DateTimeField("记录时间", auto_now_add=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="检查人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    checked_at = models.DateTimeField("检查时间", null=True, blank=True)

    class Meta:
        verbose_name = "工作日志"
        verbose_name_plural = "工作日志"
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["village_code", "date"], name="worklog_village_date_idx", opclasses=PREFIX_OPCLASSES)
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.author_id}"


def visits_prefetch() -> models.Prefetch[Any]:
    """The household visits of a log's day (``households.Visit.work_log``, issue 14) with their
    households: a visit is part of that day's work log, so the reads of logs prefetch them — one query
    per page, whatever the number of logs."""
    visit = WorkLog._meta.get_field("visits").related_model
    return models.Prefetch("visits", queryset=visit._default_manager.select_related("household").order_by("id"))


class WorkLogPhoto(models.Model):
    """A photo uploaded with a work log, per team (以工作队为单位上传电子照片)."""

    log = models.ForeignKey(WorkLog, verbose_name="工作日志", on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField("照片", upload_to="worklogs/%Y/%m/")

    class Meta:
        verbose_name = "日志照片"
        verbose_name_plural = "日志照片"

    def __str__(self) -> str:
        return str(self.image.name)


class AbsenceFinding(models.Model):
    """A finding that a cadre was absent on a day without approved leave (缺岗记录).

    Inspections are recorded as confirmed; a missing sign-in, unposted whereabouts or an absence posted
    without approval found by a job is *pending* until the township confirms or dismisses it. Only
    confirmed findings count toward recall (第二十条2), counted as distinct days (attendance/rules.py).
    """

    class Source(models.TextChoices):
        INSPECTION = "inspection", "明查暗访"
        WHEREABOUTS_UNPOSTED = "whereabouts_unposted", "未公示去向"
        MISSING_SIGNIN = "missing_signin", "未签到"
        # 请假, 轮休, 外出开会 … posted on the board without approved leave or official business
        # (第十九条3, 第二十条2; docs/decisions/0070).
        UNAPPROVED_ABSENCE = "unapproved_absence", "离村未经批准"
        # 第十三条3 随机抽查: a presence check missed or answered outside the geofence (supervision app).
        PRESENCE_CHECK = "presence_check", "随机抽查"

    class Status(models.TextChoices):
        PENDING = "pending", "待确认"
        CONFIRMED = "confirmed", "已确认"
        DISMISSED = "dismissed", "已排除"

    cadre = models.ForeignKey(Cadre, verbose_name="驻村干部", on_delete=models.PROTECT, related_name="absence_findings")
    village_code = models.CharField("驻在村代码", max_length=12)
    date = models.DateField("日期")
    source = models.CharField("来源", max_length=24, choices=Source.choices)
    # 第十九条2 counts leave in half days, so a finding names its half: am, pm, or "" for the day
    # (a missing sign-in, nothing posted). An inspection may give the time it found the cadre away,
    # which decides the half (docs/decisions/0073).
    half = models.CharField("时段", max_length=2, choices=[("am", "上午"), ("pm", "下午")], blank=True)
    observed_at = models.TimeField("检查时间", null=True, blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PENDING)
    note = models.CharField("说明", max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="记录人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="确认人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField("确认时间", null=True, blank=True)
    decision_reason = models.CharField("确认或排除理由", max_length=300, blank=True)

    class Meta:
        verbose_name = "缺岗记录"
        verbose_name_plural = "缺岗记录"
        ordering = ["-date", "-id"]
        constraints = [
            # Jobs are idempotent: one finding per cadre, day and source.
            models.UniqueConstraint(fields=["cadre", "date", "source"], name="finding_once_per_cadre_day_source")
        ]
        indexes = [
            models.Index(fields=["village_code", "date"], name="finding_village_date_idx", opclasses=PREFIX_OPCLASSES)
        ]

    def __str__(self) -> str:
        return f"{self.cadre_id} {self.date} {self.source}"


class CoverageAlert(models.Model):
    """第五条: a village with no cadre present by the end of the sign-in window, for its township."""

    village_code = models.CharField("村代码", max_length=12)
    date = models.DateField("日期")
    created_at = models.DateTimeField("发现时间", auto_now_add=True)
    resolved_at = models.DateTimeField("补签时间", null=True, blank=True)

    class Meta:
        verbose_name = "无人在岗预警"
        verbose_name_plural = "无人在岗预警"
        constraints = [models.UniqueConstraint(fields=["village_code", "date"], name="coverage_alert_once_per_day")]

    def __str__(self) -> str:
        return f"{self.village_code} {self.date}"
