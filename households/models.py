"""Households and visits (第六条7–8: 每月到贫困户家中走访 …… 一般每2个月应走访一遍常住非贫困户).

A household is registered per village by the township or county (a page, the API or an xlsx import):
the head's name, poor or not, resident or not, a contact phone — never an ID number. The team's cadres
record visits from the phone; a visit belongs to that day's work log (``work_log``), so the cadre never
types it twice.

Scale (issue 14): ~2 million households and ~16 million visits a year in a Hebei-sized province. Both
tables carry the 12-digit ``village_code`` they are scoped by, indexed for prefix filters; the
household keeps the date of its latest visit (``last_visit_on``), maintained by the visit service, so
the households due are one indexed, set-based query (households/selectors.py), never a query per
household.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from attendance.models import WorkLog
from cadres.models import Cadre
from zhucun.db import PREFIX_OPCLASSES


class Household(models.Model):
    """A household of a village (农户), as the team's visits need it."""

    class Kind(models.TextChoices):
        POOR = "poor", "贫困户"
        NON_POOR = "non_poor", "非贫困户"

    village_code = models.CharField("村代码", max_length=12)
    head_name = models.CharField("户主姓名", max_length=40)
    #: tells apart two households whose heads share a name in one village (门牌号 or the household
    #: number of the poverty register); optional
    house_number = models.CharField("门牌号或户编号", max_length=30, blank=True, default="")
    kind = models.CharField("类别", max_length=10, choices=Kind.choices)
    resident = models.BooleanField("常住", default=True)
    phone = models.CharField("联系电话", max_length=20, blank=True, default="")
    #: from this day the household's visits are due (its first period is a grace: households/rules.py)
    registered_on = models.DateField("登记日期", default=timezone.localdate)
    #: the latest visit's date, kept by ``households.services.visit_create`` (the due list reads it)
    last_visit_on = models.DateField("最近走访日期", null=True, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "农户"
        verbose_name_plural = "农户"
        ordering = ["village_code", "head_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["village_code", "head_name", "house_number"], name="household_unique_in_village"
            ),
            models.CheckConstraint(name="household_kind_known", condition=models.Q(kind__in=["poor", "non_poor"])),
        ]
        indexes = [
            # The due list of a village, township or county: a prefix of villages, then the date of the
            # latest visit (households/selectors.py ``due``).
            models.Index(
                fields=["village_code", "last_visit_on"],
                name="household_village_visit_idx",
                opclasses=PREFIX_OPCLASSES,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.head_name}户"


class Visit(models.Model):
    """A visit to a household by a cadre of the village's team (第六条7–8). For a poor household it
    records the month's income and the 三保障 (义务教育、基本医疗、住房安全有保障)."""

    household = models.ForeignKey(Household, verbose_name="农户", on_delete=models.PROTECT, related_name="visits")
    village_code = models.CharField("村代码", max_length=12)
    cadre = models.ForeignKey(Cadre, verbose_name="走访干部", on_delete=models.PROTECT, related_name="visits")
    #: the day's work log this visit is part of (never typed twice: attendance shows it there)
    work_log = models.ForeignKey(WorkLog, verbose_name="工作日志", on_delete=models.PROTECT, related_name="visits")
    date = models.DateField("走访日期")
    #: the household's kind on the day of the visit (a household may leave poverty later)
    household_kind = models.CharField("走访时类别", max_length=10, choices=Household.Kind.choices)
    note = models.TextField("走访情况", max_length=1000, blank=True, default="")
    monthly_income = models.DecimalField("当月收入（元）", max_digits=10, decimal_places=2, null=True, blank=True)
    education_ok = models.BooleanField("义务教育有保障", null=True, blank=True)
    health_ok = models.BooleanField("基本医疗有保障", null=True, blank=True)
    housing_ok = models.BooleanField("住房安全有保障", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "入户走访"
        verbose_name_plural = "入户走访"
        ordering = ["-date", "-id"]
        constraints = [
            # A double tap on a phone does not record the visit twice.
            models.UniqueConstraint(fields=["household", "cadre", "date"], name="visit_once_per_cadre_day"),
            models.CheckConstraint(
                name="visit_income_not_negative",
                condition=models.Q(monthly_income__isnull=True) | models.Q(monthly_income__gte=0),
            ),
        ]
        indexes = [
            # A household's visits by date (its history; the latest visit).
            models.Index(fields=["household", "date"], name="visit_household_date_idx"),
            # The coverage of a village, township or county by month.
            models.Index(fields=["village_code", "date"], name="visit_village_date_idx", opclasses=PREFIX_OPCLASSES),
        ]

    def __str__(self) -> str:
        return f"{self.date} 走访 {self.household_id}"

    @property
    def three_guarantees(self) -> dict[str, bool | None]:
        return {"education": self.education_ok, "health": self.health_ok, "housing": self.housing_ok}


class OverdueVisitFlag(models.Model):
    """A village's overdue visits flagged to its team leader (issue 14), once a month: the daily job
    (``households.flag_overdue_visits``) is idempotent."""

    village_code = models.CharField("村代码", max_length=12)
    month = models.DateField("月份")
    households = models.PositiveIntegerField("逾期农户数")
    created_at = models.DateTimeField("提醒时间", auto_now_add=True)

    class Meta:
        verbose_name = "走访逾期提醒"
        verbose_name_plural = "走访逾期提醒"
        constraints = [models.UniqueConstraint(fields=["village_code", "month"], name="overdue_visit_flag_once")]

    def __str__(self) -> str:
        return f"{self.village_code} {self.month:%Y-%m} 逾期 {self.households} 户"
