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

from cadres.models import Cadre, Unit
from zhucun.db import PREFIX_OPCLASSES


class Half(models.TextChoices):
    AM = "am", "上午"
    PM = "pm", "下午"


def _day(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


def period_parts(start: dt.date, start_half: str, end: dt.date, end_half: str) -> tuple[str, ...]:
    """See ``LeaveRequest.period_parts``."""
    if start == end:
        if start_half == end_half:
            return (f"{_day(start)} {Half(start_half).label}",)
        return (f"{_day(start)} 全天",)
    return f"{_day(start)} {Half(start_half).label}", f"{_day(end)} {Half(end_half).label}"


class LeaveRequest(models.Model):
    """A cadre's leave request (请假申请)."""

    class Kind(models.TextChoices):
        PERSONAL = "personal", "事假"
        SICK = "sick", "病假"
        ANNUAL = "annual", "带薪年休假"
        ROTATION = "rotation", "轮休"
        OTHER = "other", "其他"
        # Not leave: a trip on the village's business, asked for and approved like leave (第五条,
        # 第十三条; docs/decisions/0077). Approval records it as ``OfficialBusiness``.
        BUSINESS = "business", "公务外出"

    class Status(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "已驳回"
        WITHDRAWN = "withdrawn", "已撤回"
        REPORTED_BACK = "reported_back", "已销假"
        CANCELLED = "cancelled", "已取消"

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

    def period_parts(self) -> tuple[str, ...]:
        """The period in people's words, one part per end (issue 15 item 11): a single half day is
        ("11月30日 下午",), a whole single day ("11月30日 全天",), longer leave ("11月30日 上午",
        "12月3日 下午") — never 下午 至 下午."""
        return period_parts(self.start, self.start_half, self.end, self.end_half)

    @property
    def period_text(self) -> str:
        """``period_parts`` joined: 11月30日 下午; 11月30日 上午 至 12月3日 下午."""
        return " 至 ".join(self.period_parts())

    @property
    def period_label(self) -> str:
        """``period_text`` with its days: 11月30日 下午（0.5 天）, 11月30日 上午 至 12月3日 下午（4 天）."""
        from zhucun.templatetags.zc import days_label

        return f"{self.period_text}（{days_label(self.days)}）"

    @property
    def start_label(self) -> str:
        return f"{self.start:%Y-%m-%d} {self.get_start_half_display()}"

    @property
    def end_label(self) -> str:
        return f"{self.end:%Y-%m-%d} {self.get_end_half_display()}"

    @property
    def starts_at(self) -> dt.datetime:
        """The moment the leave begins (Asia/Shanghai): the morning, or noon when it starts at pm."""
        from django.utils import timezone

        hour = 12 if self.start_half == Half.PM else 0
        return dt.datetime.combine(self.start, dt.time(hour), tzinfo=timezone.get_default_timezone())

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


class OfficialBusiness(models.Model):
    """公务: a cadre away from the village at the demand of the organization (docs/decisions/0071) —
    training the organization department requires (第十三条4 每年至少对驻村干部轮训1次), meetings it or
    the township calls (第十三条7, 第十五条3), or a trip on the village's business approved in the
    system (第五条; 第二十七条 pays its travel). It excuses absence findings and counts toward the
    month's days (驻村工作时间), but it is not presence in the village for the daily coverage.

    Recorded by the body that called it (``source=recorded``; issue 14's training events call the same
    service) or made when a ``LeaveRequest`` of kind ``business`` is approved (``source=leave_request``).
    """

    class Kind(models.TextChoices):
        TRAINING = "training", "培训"
        MEETING = "meeting", "会议"
        TRIP = "trip", "公务外出"

    class Source(models.TextChoices):
        RECORDED = "recorded", "组织部门登记"
        LEAVE_REQUEST = "leave_request", "公务外出申请"
        TRAINING_EVENT = "training_event", "培训安排"

    cadre = models.ForeignKey(
        Cadre, verbose_name="驻村干部", on_delete=models.PROTECT, related_name="official_business"
    )
    village_code = models.CharField("驻在村代码", max_length=12)
    kind = models.CharField("类别", max_length=12, choices=Kind.choices)
    title = models.CharField("事项", max_length=200)
    start = models.DateField("开始日期")
    start_half = models.CharField("开始于", max_length=2, choices=Half.choices, default=Half.AM)
    end = models.DateField("结束日期")
    end_half = models.CharField("结束于", max_length=2, choices=Half.choices, default=Half.PM)
    source = models.CharField("来源", max_length=16, choices=Source.choices)
    #: the trip request it was approved through (source ``leave_request``)
    request = models.OneToOneField(
        LeaveRequest,
        verbose_name="公务外出申请",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="official_business",
    )
    #: the training event or other record it came from (source ``training_event``), free text
    source_ref = models.CharField("来源编号", max_length=64, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="批准或登记人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField("批准时间")
    #: a trip reported back early ends here (销假); later halves are no longer official business
    ended_at = models.DateTimeField("提前结束时间", null=True, blank=True)
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)
    cancel_reason = models.CharField("取消理由", max_length=300, blank=True)

    class Meta:
        verbose_name = "公务"
        verbose_name_plural = "公务"
        ordering = ["-start", "-id"]
        indexes = [
            models.Index(
                fields=["village_code", "start"], name="business_village_start_idx", opclasses=PREFIX_OPCLASSES
            ),
            models.Index(fields=["cadre", "start"], name="business_cadre_start_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.cadre_id} {self.start}–{self.end} {self.kind}"
