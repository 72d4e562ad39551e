"""Shared infrastructure models: the audit trail and the dated policy-profile versions."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from zhucun.db import CODE_OPCLASSES


class AuditEvent(models.Model):
    """One state change: who did what to which object, when, with the fields before and after.

    Written by services in the same transaction as the change (see zhucun/audit.py). ``region_code``
    is the org-tree key of the object so that scoping filters the trail like every other table.

    Append-only in the database itself: triggers refuse UPDATE, DELETE and TRUNCATE except the
    retention purge of rows past the minimum retention (docs/decisions/0055, 0057). Hence ``actor`` is
    PROTECT — a user who acted is deactivated, never deleted (SET_NULL would rewrite the trail).
    """

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    #: who acted outside the application when there is no ``actor``: the OS user (or --operator) of a
    #: management command such as create_account, or a job's name.
    operator = models.CharField("命令行操作人", max_length=100, blank=True)
    action = models.CharField("操作", max_length=64, db_index=True)
    object_type = models.CharField("对象类型", max_length=64)
    object_id = models.CharField("对象编号", max_length=64)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    region_code = models.CharField("所属区划", max_length=12, blank=True, db_index=True)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)

    class Meta:
        verbose_name = "操作记录"
        verbose_name_plural = "操作记录"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            # The viewer of a county filters by region prefix (LIKE '130102%'): a pattern-ops index.
            models.Index(fields=["region_code"], name="audit_region_prefix_idx", opclasses=CODE_OPCLASSES),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


class PolicyProfileVersion(models.Model):
    """A dated change to the policy profile (SPEC.md "The regulation's numbers are a policy profile").

    The Hebei 2018 regulation is the code default (zhucun/policy.py); each row overrides some of its
    values from ``effective_from`` on. Rows are only added, never edited, so the history is the record
    of who changed what and when. The database refuses UPDATE, DELETE and TRUNCATE (triggers,
    docs/decisions/0056); a correction is a new version, added through ``zhucun.services.policy_version_add``.
    """

    name = models.CharField("名称", max_length=100)
    effective_from = models.DateField("生效日期", db_index=True)
    overrides = models.JSONField("调整的参数", default=dict)
    basis = models.CharField("依据", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "政策参数版本"
        verbose_name_plural = "政策参数版本"
        ordering = ["-effective_from", "-id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.effective_from} 起）"


class Notification(models.Model):
    """An in-app notification (the bell). The bell stays; the delivery channels (企业微信, 钉钉, SMS,
    e-mail) each get a ``Delivery`` of it, planned in the same transaction (zhucun/deliveries.py)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField("标题", max_length=120)
    body = models.CharField("内容", max_length=500, blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.title


class WorkCalendarYear(models.Model):
    """Whether a year's official holiday and 调休 arrangement is known (docs/decisions/0085).

    The State Council publishes next year's arrangement (国务院办公厅关于…部分节假日安排的通知) around
    November. Until a year is published here, deadlines on that year's days are computed on Monday to
    Friday and marked provisional; provincial staff are warned from October 1 of the year before.
    """

    year = models.PositiveSmallIntegerField("年份", unique=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发布人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.CharField("依据", max_length=200, blank=True)
    note = models.CharField("说明", max_length=500, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "节假日安排年度"
        verbose_name_plural = "节假日安排年度"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年节假日安排（{'已发布' if self.published_at else '未发布'}）"


class WorkCalendarDay(models.Model):
    """One day that differs from Monday to Friday: a public holiday (放假, weekends inside a holiday
    included, as the notices list them) or a 调休 Saturday or Sunday on which offices work."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "放假"
        MAKEUP_WORKDAY = "makeup_workday", "调休上班"

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    name = models.CharField("节日", max_length=50)

    class Meta:
        verbose_name = "节假日与调休"
        verbose_name_plural = "节假日与调休"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}（{self.get_kind_display()}）"


class OutboxMessage(models.Model):
    """A Celery task to publish, written in the same transaction as the change that asks for it
    (decision 0050). Deleted once the broker has it; while the broker is down it stays, with the
    attempts and the last error, and the ``zhucun.drain_outbox`` job publishes it later."""

    task = models.CharField("任务", max_length=200)
    args = models.JSONField("参数", default=list, blank=True)
    kwargs = models.JSONField("命名参数", default=dict, blank=True)
    key = models.CharField("关联对象", max_length=100, blank=True, db_index=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    next_attempt_at = models.DateTimeField("下次发送时间", default=timezone.now)
    attempts = models.PositiveIntegerField("失败次数", default=0)
    last_error = models.CharField("最近错误", max_length=300, blank=True)
    # A sender claims rows before publishing, so the commit hook and the drain job never both send one.
    claim = models.CharField("认领标记", max_length=32, blank=True, db_index=True)
    claimed_until = models.DateTimeField("认领截止", null=True, blank=True)

    class Meta:
        verbose_name = "待发送任务"
        verbose_name_plural = "待发送任务"
        ordering = ["next_attempt_at", "id"]
        indexes = [models.Index(fields=["next_attempt_at", "id"], name="outbox_due_idx")]

    def __str__(self) -> str:
        return f"{self.task} {self.args}"


class Channel(models.TextChoices):
    """The delivery channels a deployment may enable (``ZHUCUN_CHANNELS``, decision 0150)."""

    WECOM = "wecom", "企业微信"
    DINGTALK = "dingtalk", "钉钉"
    SMS = "sms", "短信"
    EMAIL = "email", "电子邮件"


class Delivery(models.Model):
    """One notification (or one morning digest of several) on its way to one person through one
    channel: the record of what was sent, when, how often it was tried and what the platform said.

    ``key`` is the idempotency key (unique): ``n<notification>:<channel>`` for a single notification,
    ``digest:<person>:<channel>:<date>`` for a digest, so a repeated plan or digest run adds nothing and
    a repeated send task finds the row already sent (decision 0152)."""

    class Status(models.TextChoices):
        HELD = "held", "待晨报汇总"
        QUEUED = "queued", "待发送"
        SENDING = "sending", "发送中"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"
        SKIPPED = "skipped", "未发送"
        MERGED = "merged", "已并入晨报"

    key = models.CharField("幂等键", max_length=80, unique=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField("渠道", max_length=16, choices=Channel.choices)
    #: the notification sent; empty for a morning digest, whose notifications are its ``items``
    notification = models.ForeignKey(
        Notification, verbose_name="通知", null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    #: the digest a held delivery was merged into
    digest = models.ForeignKey(
        "self", verbose_name="所属晨报", null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )
    urgent = models.BooleanField("紧急", default=False)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.QUEUED)
    #: not before: the end of the person's quiet hours, or now
    due_at = models.DateTimeField("计划发送时间")
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    #: while ``sending``: a sender owns the row until then (a sender that died releases it)
    claimed_until = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField("平台消息编号", max_length=100, blank=True)
    last_error = models.CharField("最近错误", max_length=300, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "消息推送"
        verbose_name_plural = "消息推送"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "due_at"], name="delivery_due_idx"),
            models.Index(fields=["recipient", "-created_at"], name="delivery_recipient_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.key} {self.get_status_display()}"


class ChannelPreference(models.Model):
    """A person's own choices (decision 0151): channels they do not want, their quiet hours (Asia/
    Shanghai) during which even urgent messages wait, and whether non-urgent ones come as one morning
    digest (the default) or each at once. A person without a row has the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="账号",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="channel_preference",
    )
    muted = models.JSONField("不接收的渠道", default=list, blank=True)
    quiet_enabled = models.BooleanField("免打扰", default=True)
    quiet_start = models.TimeField("免打扰开始", default=dt.time(22, 0))
    quiet_end = models.TimeField("免打扰结束", default=dt.time(7, 0))
    digest = models.BooleanField("非紧急通知汇总为晨报", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "通知偏好"
        verbose_name_plural = "通知偏好"

    def __str__(self) -> str:
        return f"{self.user_id} 的通知偏好"
