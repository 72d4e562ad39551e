"""Supervision (督导检查): random presence checks (第十三条3), the annual task list (第七条), inspections
(第十三条2) and the burden guard (第八条, 第十一条).

Like every scoped table, each row carries the 12-digit ``village_code`` of the team it is about, so
scoping is a prefix filter on an indexed column (zhucun/scoping.py, attendance/models.py).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from attendance.models import AbsenceFinding
from cadres.models import Cadre, Team
from zhucun.db import PREFIX_OPCLASSES

#: A village-code prefix and a moment (see attendance/models.py PREFIX_OPCLASSES for a date).
PREFIX_MOMENT_OPCLASSES = ["varchar_pattern_ops", "timestamptz_ops"]


class PresenceCheck(models.Model):
    """第十三条3 随机抽查: a township or county asks a named cadre to confirm, within some minutes, that
    they are in the village; the cadre answers with one tap (the phone reads its position once). Only
    the answer's distance and whether it lay inside the geofence are kept, never the coordinates
    (SPEC.md "Light on the cadres"). Missed, or answered outside the geofence: a pending absence
    finding for the township to confirm or dismiss."""

    class Status(models.TextChoices):
        PENDING = "pending", "待确认"
        PRESENT = "present", "在岗"
        OUTSIDE_GEOFENCE = "outside_geofence", "不在范围"
        MISSED = "missed", "未按时确认"

    cadre = models.ForeignKey(Cadre, verbose_name="驻村干部", on_delete=models.PROTECT, related_name="presence_checks")
    village_code = models.CharField("驻在村代码", max_length=12)
    minutes = models.PositiveSmallIntegerField("确认时限（分钟）")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="抽查人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField("抽查时间", default=timezone.now)
    due_at = models.DateTimeField("确认截止")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PENDING)
    answered_at = models.DateTimeField("确认时间", null=True, blank=True)
    distance_m = models.PositiveIntegerField("距村中心（米）", null=True, blank=True)
    #: the pending absence finding a miss or an answer outside the geofence raised (第二十条2)
    finding = models.ForeignKey(
        AbsenceFinding, verbose_name="缺岗记录", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "随机抽查"
        verbose_name_plural = "随机抽查"
        ordering = ["-issued_at", "-id"]
        indexes = [
            models.Index(
                fields=["village_code", "issued_at"],
                name="presence_village_issued_idx",
                opclasses=PREFIX_MOMENT_OPCLASSES,
            ),
            # the monthly cap counts one cadre's checks of a month
            models.Index(fields=["cadre", "issued_at"], name="presence_cadre_issued_idx"),
            # the job finds pending checks past their time
            models.Index(fields=["status", "due_at"], name="presence_status_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.cadre_id} {self.issued_at:%Y-%m-%d %H:%M} {self.status}"


class AnnualTask(models.Model):
    """第七条 驻村工作队年度帮扶任务清单: one task of a team's list for a year. 规定内容 (``required``) are
    set by the county (target, requirements, deadline and the county department that coordinates it);
    自选内容 (``optional``) by the dispatching unit or the team itself. The team reports progress; the
    list is public in the village (帮扶任务清单须在村内醒目位置公开公示) — it holds no personal data."""

    class Kind(models.TextChoices):
        REQUIRED = "required", "规定内容"
        OPTIONAL = "optional", "自选内容"

    class Origin(models.TextChoices):
        COUNTY = "county", "县级党委"
        UNIT = "unit", "派出单位"
        TEAM = "team", "驻村工作队"

    team = models.ForeignKey(Team, verbose_name="驻村工作队", on_delete=models.PROTECT, related_name="annual_tasks")
    village_code = models.CharField("驻在村代码", max_length=12)
    year = models.PositiveSmallIntegerField("年度")
    kind = models.CharField("类别", max_length=10, choices=Kind.choices)
    origin = models.CharField("提出方", max_length=10, choices=Origin.choices)
    title = models.CharField("任务", max_length=200)
    target = models.TextField("任务目标", max_length=1000)
    requirements = models.TextField("工作要求", max_length=1000, blank=True)
    deadline = models.DateField("完成时限")
    responsible_department = models.CharField("县直责任部门", max_length=100, blank=True)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    progress_note = models.CharField("进展情况", max_length=300, blank=True)
    done = models.BooleanField("已完成", default=False)
    done_on = models.DateField("完成日期", null=True, blank=True)
    #: set once by the nightly job when the deadline passed unfinished (the flag and its notifications)
    overdue_flagged_at = models.DateTimeField("逾期提醒时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "帮扶任务"
        verbose_name_plural = "帮扶任务清单"
        ordering = ["team_id", "year", "kind", "deadline", "id"]
        indexes = [
            models.Index(
                fields=["village_code", "year"],
                name="task_village_year_idx",
                opclasses=["varchar_pattern_ops", "int2_ops"],
            ),
            models.Index(fields=["team", "year"], name="task_team_year_idx"),
            models.Index(fields=["done", "deadline"], name="task_done_deadline_idx"),
        ]
        constraints = [models.CheckConstraint(condition=models.Q(progress__lte=100), name="task_progress_at_most_100")]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"

    def is_overdue(self, today: dt.date) -> bool:
        return not self.done and self.deadline < today


class InspectionPlan(models.Model):
    """第十三条2: 采取明查暗访、交叉检查、集中督导等方式 … 进行督导检查 — a plan of one organization department:
    its kind, the region it inspects, its dates and its inspectors. Seen by the organizing department
    and those above it; a 交叉检查 or 集中督导 also by the inspected region (and so by the inspectors lent
    it), never a 明查暗访 (an unannounced visit is not announced to those visited)."""

    class Kind(models.TextChoices):
        VISIT = "visit", "明查暗访"
        CROSS = "cross", "交叉检查"
        CENTRAL = "central", "集中督导"

    kind = models.CharField("方式", max_length=10, choices=Kind.choices)
    title = models.CharField("名称", max_length=200)
    organizer_level = models.CharField("组织部门层级", max_length=10)
    #: the organizing department's region: the tree key the plan is seen by
    organizer_region = models.CharField("组织部门区划", max_length=12)
    #: the region inspected (a city, county or township code inside the organizer's region)
    scope_code = models.CharField("检查范围", max_length=12)
    start = models.DateField("开始日期")
    end = models.DateField("结束日期")
    note = models.TextField("检查内容", max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "督导检查计划"
        verbose_name_plural = "督导检查计划"
        ordering = ["-start", "-id"]
        indexes = [
            models.Index(
                fields=["organizer_region"], name="inspection_organizer_idx", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["scope_code"], name="inspection_scope_idx", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.title}"


class InspectionInspector(models.Model):
    """An inspector of a plan. For a 交叉检查 the account is lent the inspected region until the plan's
    end through a ``RegionGrant`` (accounts), made and revoked on the plan's page (docs/decisions/0123)."""

    plan = models.ForeignKey(
        InspectionPlan, verbose_name="检查计划", on_delete=models.CASCADE, related_name="inspectors"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="检查人员", on_delete=models.CASCADE, related_name="+"
    )
    grant = models.ForeignKey(
        "accounts.RegionGrant",
        verbose_name="区划授权",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    added_at = models.DateTimeField("加入时间", auto_now_add=True)

    class Meta:
        verbose_name = "检查人员"
        verbose_name_plural = "检查人员"
        constraints = [models.UniqueConstraint(fields=["plan", "user"], name="inspector_once_per_plan")]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.user_id}"


class InspectionResult(models.Model):
    """What an inspection found at a team, about a cadre or the team as a whole. A cadre not in post
    becomes an absence finding (source 明查暗访); a failing of duty, in one step, an accountability record
    (第十七条)."""

    class Outcome(models.TextChoices):
        OK = "ok", "在岗履职正常"
        ABSENT = "absent", "不在岗"
        PROBLEM = "problem", "履职不到位"

    plan = models.ForeignKey(InspectionPlan, verbose_name="检查计划", on_delete=models.PROTECT, related_name="results")
    team = models.ForeignKey(Team, verbose_name="驻村工作队", on_delete=models.PROTECT, related_name="+")
    village_code = models.CharField("驻在村代码", max_length=12)
    cadre = models.ForeignKey(
        Cadre,
        verbose_name="驻村干部",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspection_results",
    )
    date = models.DateField("检查日期")
    observed_at = models.TimeField("检查时间", null=True, blank=True)
    outcome = models.CharField("结果", max_length=10, choices=Outcome.choices)
    note = models.CharField("情况说明", max_length=500, blank=True)
    finding = models.ForeignKey(
        AbsenceFinding, verbose_name="缺岗记录", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accountability = models.ForeignKey(
        "assessment.AccountabilityRecord",
        verbose_name="追责问责记录",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "检查结果"
        verbose_name_plural = "检查结果"
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(
                fields=["village_code", "date"], name="inspection_result_village_idx", opclasses=PREFIX_OPCLASSES
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.team_id} {self.outcome}"


class Demand(models.Model):
    """第八条: a demand placed on a cadre — a meeting, a form, a report, an inspection, accompanying
    visitors — recorded by the body that places it or reported by the cadre, so the county sees how much
    of the cadres' time goes to what 第八条 asks to keep to a minimum (尽量减少不必要的会议文件、统计报表、
    调研检查、陪同接待). Counted, never ranked."""

    class Kind(models.TextChoices):
        MEETING = "meeting", "会议"
        FORM = "form", "填表"
        REPORT = "report", "报表材料"
        INSPECTION = "inspection", "调研检查"
        VISITORS = "visitors", "陪同接待"
        OTHER = "other", "其他事务"

    class Source(models.TextChoices):
        DEMANDER = "demander", "提出方登记"
        CADRE = "cadre", "干部报告"

    cadre = models.ForeignKey(Cadre, verbose_name="驻村干部", on_delete=models.PROTECT, related_name="demands")
    village_code = models.CharField("驻在村代码", max_length=12)
    date = models.DateField("日期")
    kind = models.CharField("类别", max_length=12, choices=Kind.choices)
    demanding_body = models.CharField("提出单位", max_length=100)
    description = models.CharField("事项", max_length=300, blank=True)
    source = models.CharField("来源", max_length=10, choices=Source.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "对驻村干部的工作要求"
        verbose_name_plural = "对驻村干部的工作要求"
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["village_code", "date"], name="demand_village_date_idx", opclasses=PREFIX_OPCLASSES)
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.demanding_body} {self.kind}"


class UnitReturnFlag(models.Model):
    """第十一条 不得抽调驻村干部返回单位工作: a cadre posted 回单位 on more days of a month than the profile
    allows flags their dispatching unit for that month (one row per cadre and month, its days kept up to
    date by the job)."""

    cadre = models.ForeignKey(Cadre, verbose_name="驻村干部", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("cadres.Unit", verbose_name="派出单位", on_delete=models.PROTECT, related_name="+")
    village_code = models.CharField("驻在村代码", max_length=12)
    month = models.DateField("月份")
    days = models.PositiveSmallIntegerField("回单位天数")
    flagged_at = models.DateTimeField("发现时间", auto_now_add=True)

    class Meta:
        verbose_name = "抽调回单位提示"
        verbose_name_plural = "抽调回单位提示"
        ordering = ["-month", "village_code"]
        constraints = [models.UniqueConstraint(fields=["cadre", "month"], name="unit_return_once_per_cadre_month")]
        indexes = [
            models.Index(fields=["village_code", "month"], name="unit_return_village_idx", opclasses=PREFIX_OPCLASSES)
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.cadre_id} {self.month:%Y-%m}"
