"""Shared infrastructure models: the audit trail and the dated policy-profile versions."""

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
    """An in-app notification (the bell). Other channels (SMS, DingTalk) sit behind
    ``zhucun.notifications.deliver`` and read the same rows."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField("标题", max_length=120)
    body = models.CharField("内容", max_length=500, blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    # Set once the delivery channels have it: a repeated delivery task sends nothing twice (0050).
    delivered_at = models.DateTimeField("推送时间", null=True, blank=True)

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
