"""The duties calendar (issue 13): each body's recurring obligations, created by the system for every
body and year (``duties.generate_obligations``), fulfilled by the body with a date, a note and evidence,
overdue after their date (``duties.mark_overdue``).

``region_code`` is the org-tree key scoping filters by prefix (zhucun/scoping.py): the region of the
organization department, county or township that is the body, and for a unit the region of its
level's organization department (duties/catalogue.py ``unit_region_code``)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from cadres.models import Unit

from .catalogue import CATALOGUE, DUTY_CHOICES, BodyType, Duty

#: Prefix filters on ``region_code`` use the index under a non-C collation (see attendance/models.py).
_PATTERN_OPS = "varchar_pattern_ops"


class Obligation(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "待履行"
        DONE = "done", "已履行"
        OVERDUE = "overdue", "已逾期"

    duty = models.CharField("职责", max_length=40, choices=DUTY_CHOICES)
    article = models.CharField("依据条款", max_length=20)
    body_type = models.CharField("责任主体类别", max_length=10, choices=BodyType.choices)
    unit = models.ForeignKey(
        Unit, verbose_name="派出单位", null=True, blank=True, on_delete=models.PROTECT, related_name="obligations"
    )
    region_code = models.CharField("所属区划", max_length=12)
    #: the body as the API names it: the unit id, or the region code
    body_key = models.CharField("责任主体", max_length=20)
    body_name = models.CharField("责任主体名称", max_length=120)
    year = models.PositiveSmallIntegerField("年度")
    period = models.CharField("期间", max_length=16)
    period_label = models.CharField("期间名称", max_length=30)
    period_start = models.DateField("期间开始")
    period_end = models.DateField("期间结束")
    due = models.DateField("截止日期")
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.OPEN)
    fulfilled_on = models.DateField("履职日期", null=True, blank=True)
    note = models.TextField("履职情况", max_length=4000, blank=True)
    fulfilled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    fulfilled_at = models.DateTimeField("登记时间", null=True, blank=True)
    #: set when the obligation was fulfilled by records kept elsewhere (work-log checks, county opinions)
    fulfilled_by_records = models.CharField("依据系统记录履职", max_length=30, blank=True)
    reminded_days = models.CharField("已提醒（截止前天数）", max_length=20, blank=True)
    overdue_at = models.DateTimeField("逾期时间", null=True, blank=True)
    #: 第十七条: the accountability record an overdue obligation became (once)
    accountability = models.OneToOneField(
        "assessment.AccountabilityRecord", verbose_name="追责问责记录", null=True, blank=True,
        on_delete=models.PROTECT, related_name="obligation",
    )  # fmt: skip
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = "履职事项"
        verbose_name_plural = "履职事项"
        ordering = ["due", "id"]
        constraints = [
            # the generation job is idempotent: one obligation per duty, body and period
            models.UniqueConstraint(fields=["duty", "body_key", "period"], name="obligation_once_per_period"),
            models.CheckConstraint(
                name="obligation_unit_body",
                condition=models.Q(body_type="unit", unit__isnull=False) | ~models.Q(body_type="unit"),
            ),
            # a fulfilled obligation names the day it was fulfilled (pages, exports and the 409 show it)
            models.CheckConstraint(
                name="obligation_done_has_date",
                condition=~models.Q(status="done") | models.Q(fulfilled_on__isnull=False),
            ),
        ]
        indexes = [
            models.Index(
                fields=["year", "region_code"], name="obligation_year_region_idx", opclasses=["int2_ops", _PATTERN_OPS]
            ),
            models.Index(fields=["status", "due"], name="obligation_status_due_idx"),
            # the daily job's county task reads its open and overdue obligations by a prefix range of the
            # county's code (duties.selectors.obligations_of_county, docs/decisions/0181)
            models.Index(
                fields=["status", "region_code"],
                name="obligation_status_region_idx",
                opclasses=["varchar_ops", _PATTERN_OPS],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body_name} {self.period_label} {self.duty_def.title}"

    @property
    def duty_def(self) -> Duty:
        return CATALOGUE[self.duty]

    @property
    def title(self) -> str:
        return self.duty_def.title

    @property
    def done_late(self) -> bool:
        return self.fulfilled_on is not None and self.fulfilled_on > self.due

    @property
    def api_body(self) -> int | str:
        return self.unit_id if self.body_type == BodyType.UNIT and self.unit_id else self.body_key

    def days_left(self, today: dt.date) -> int:
        return (self.due - today).days


def evidence_path(instance: Evidence, filename: str) -> str:
    return f"duties/{instance.obligation.year}/{filename}"


class Evidence(models.Model):
    """Evidence of a fulfilment (minutes, photos, the report): a photo re-encoded without metadata or a
    PDF rebuilt from its pages only (zhucun/documents.py). Served as a download, never inline."""

    class Kind(models.TextChoices):
        IMAGE = "image", "图片"
        PDF = "pdf", "PDF"

    obligation = models.ForeignKey(
        Obligation, verbose_name="履职事项", on_delete=models.PROTECT, related_name="evidence"
    )
    region_code = models.CharField("所属区划", max_length=12)
    kind = models.CharField("类型", max_length=6, choices=Kind.choices)
    file = models.FileField("文件", upload_to=evidence_path)
    original_name = models.CharField("原文件名", max_length=200, blank=True)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "履职佐证材料"
        verbose_name_plural = "履职佐证材料"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name or f"佐证材料 {self.pk}"


class Report(models.Model):
    """A written report filed for an obligation (第九条4, 第十三条5): the facts the system knew of the
    period when it was filed (``facts``, kept as filed) and the body's narrative. Filing it fulfils the
    obligation; it is downloaded as .docx and printed from its page."""

    obligation = models.OneToOneField(
        Obligation, verbose_name="履职事项", on_delete=models.PROTECT, related_name="report"
    )
    region_code = models.CharField("所属区划", max_length=12)
    title = models.CharField("标题", max_length=120)
    facts = models.JSONField("系统数据", default=dict)
    narrative = models.TextField("报告正文", max_length=20000)
    filed_on = models.DateField("报告日期")
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报告人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField("提交时间", auto_now_add=True)

    class Meta:
        verbose_name = "书面报告"
        verbose_name_plural = "书面报告"

    def __str__(self) -> str:
        return self.title
