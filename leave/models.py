"""请假销假 (SPEC.md "Leave"; 第十九条2, 第二十九条).

A ``LeaveRequest`` is one cadre's leave in half-day units; its ``LeaveStep`` rows are the approval
chain decided by ``leave.policies.approval_chain`` when the request is made. Every decision keeps who,
when and the comment (请假销假通过数据平台操作、留存).

Like the attendance tables, a request carries the org-tree key it is filtered by — the 12-digit
``village_code`` of the applicant's team when the request was made — and the dispatching ``unit`` for
the unit axis, so scoping is a prefix filter on an indexed column.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models

from attendance.models import PREFIX_OPCLASSES
from cadres.models import Cadre, Unit


class Half(models.TextChoices):
    AM = "am", "上午"
    PM = "pm", "下午"


class LeaveRequest(models.Model):
    """A cadre's leave request (请假申请)."""

    class Kind(models.TextChoices):
        PERSONAL = "personal", "事假"
        SICK = "sick", "病假"
        ANNUAL = "annual", "带薪年休假"
        ROTATION = "rotation", "轮休"
        OTHER = "other", "其他"

    class Status(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "已驳回"
        WITHDRAWN = "withdrawn", "已撤回"
        REPORTED_BACK = "reported_back", "已销假"

    #: statuses during which the leave excuses the cadre from being in the village
    GRANTED = (Status.APPROVED, Status.REPORTED_BACK)
    #: statuses that block another request over the same days
    BLOCKING = (Status.PENDING, Status.APPROVED)

    cadre = models.ForeignKey(Cadre, verbose_name="申请人", on_delete=models.PROTECT, related_name="leave_requests")
    village_code = models.CharField("驻在村代码", max_length=12)
    unit = models.ForeignKey(Unit, verbose_name="派出单位", on_delete=models.PROTECT, related_name="+")
    # The 队长 who approves a member's short leave, fixed when the request is routed (第十九条2); also
    # the key by which that leader sees the request (zhucun/scoping.py). Null when no leader approves.
    team_leader = models.ForeignKey(
        Cadre, verbose_name="审批队长", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("假别", max_length=12, choices=Kind.choices)
    start = models.DateField("开始日期")
    start_half = models.CharField("开始于", max_length=2, choices=Half.choices, default=Half.AM)
    end = models.DateField("结束日期")
    end_half = models.CharField("结束于", max_length=2, choices=Half.choices, default=Half.PM)
    days = models.DecimalField("天数", max_digits=5, decimal_places=1)
    reason = models.CharField("事由", max_length=500)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_at = models.DateTimeField("审批完成时间", null=True, blank=True)
    reported_back_at = models.DateTimeField("销假时间", null=True, blank=True)
    # Set by the missing-销假 job so that the township is told once (idempotent).
    report_back_flagged_at = models.DateTimeField("未销假提醒时间", null=True, blank=True)

    class Meta:
        verbose_name = "请假申请"
        verbose_name_plural = "请假申请"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["village_code", "start"], name="leave_village_start_idx", opclasses=PREFIX_OPCLASSES),
            models.Index(fields=["cadre", "start"], name="leave_cadre_start_idx"),
            models.Index(fields=["status", "end"], name="leave_status_end_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.cadre_id} {self.start}–{self.end} {self.kind}"

    @property
    def start_label(self) -> str:
        return f"{self.start:%Y-%m-%d} {self.get_start_half_display()}"

    @property
    def end_label(self) -> str:
        return f"{self.end:%Y-%m-%d} {self.get_end_half_display()}"

    def covers(self, day: dt.date) -> Decimal:
        """How much of ``day`` the leave covers: 1, 0.5 or 0."""
        if day < self.start or day > self.end:
            return Decimal("0")
        covered = Decimal("1")
        if day == self.start and self.start_half == Half.PM:
            covered -= Decimal("0.5")
        if day == self.end and self.end_half == Half.AM:
            covered -= Decimal("0.5")
        return covered


class LeaveStep(models.Model):
    """One approver's step in a request's chain. Exactly one step is ``pending`` while the request is;
    the ones after it are ``waiting`` and receive the request (and their deadline) in turn."""

    class Approver(models.TextChoices):
        TEAM_LEADER = "team_leader", "驻村工作队队长"
        TOWNSHIP = "township", "乡镇党委"
        COUNTY_OFFICE = "county_office", "县驻村工作办公室"
        UNIT_HR = "unit_hr", "派出单位组织人事部门"

    class Status(models.TextChoices):
        WAITING = "waiting", "未到达"
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已同意"
        REJECTED = "rejected", "已驳回"
        SKIPPED = "skipped", "已终止"

    request = models.ForeignKey(LeaveRequest, verbose_name="请假申请", on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField("顺序")
    approver = models.CharField("审批机构", max_length=16, choices=Approver.choices)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.WAITING)
    received_at = models.DateTimeField("收到时间", null=True, blank=True)
    due_at = models.DateTimeField("答复期限", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    comment = models.CharField("审批意见", max_length=500, blank=True)
    reminded_at = models.DateTimeField("到期提醒时间", null=True, blank=True)
    escalated_at = models.DateTimeField("超时上报时间", null=True, blank=True)

    class Meta:
        verbose_name = "审批环节"
        verbose_name_plural = "审批环节"
        ordering = ["request_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["request", "position"], name="leave_step_unique_position"),
            models.UniqueConstraint(
                fields=["request"], condition=models.Q(status="pending"), name="leave_step_one_pending_per_request"
            ),
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="leave_step_status_due_idx")]

    def __str__(self) -> str:
        return f"{self.request_id}#{self.position} {self.approver} {self.status}"

    @property
    def on_time(self) -> bool | None:
        """Whether the step was answered by its deadline (None while unanswered)."""
        if self.decided_at is None or self.due_at is None:
            return None
        return self.decided_at <= self.due_at
