"""Training of the cadres (第十三条4 做好本级驻村干部教育培训工作，每年至少对驻村干部轮训1次，县级对各级
驻村干部统筹轮训，注重与现场观摩交流结合; 第十五条3 乡镇……组织相关培训).

A training event is organized by an organization department (province, city, county) or a township,
with the cadres who attended. Enrolling a cadre records the days as official business
(leave.OfficialBusiness, source ``training_event``), which the attendance rules read (decision 0071):
training days count toward the month and excuse absence findings. The yearly rotation duty of each
department is read from these records (training/selectors.py ``untrained``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from cadres.models import Cadre
from zhucun.db import CODE_OPCLASSES, PREFIX_OPCLASSES


class TrainingEvent(models.Model):
    class Kind(models.TextChoices):
        ROTATION = "rotation", "轮训"
        OBSERVATION = "observation", "现场观摩"
        TOWNSHIP = "township", "乡镇培训"

    class Level(models.TextChoices):
        PROVINCE = "province", "省委组织部"
        CITY = "city", "市委组织部"
        COUNTY = "county", "县委组织部"
        TOWNSHIP = "township", "乡镇党委"

    title = models.CharField("名称", max_length=100)
    kind = models.CharField("类别", max_length=12, choices=Kind.choices)
    organizer_level = models.CharField("举办单位层级", max_length=10, choices=Level.choices)
    #: the organizing body's region (its code: 13, 1301, 130102, 130102001) — the scoping key
    region_code = models.CharField("举办单位区划", max_length=12)
    organizer_name = models.CharField("举办单位", max_length=60)
    start = models.DateField("开始日期")
    end = models.DateField("结束日期")
    place = models.CharField("地点", max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "培训"
        verbose_name_plural = "培训"
        ordering = ["-start", "-id"]
        indexes = [
            models.Index(fields=["region_code", "start"], name="training_region_start_idx", opclasses=PREFIX_OPCLASSES)
        ]

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d} {self.title}"


class TrainingAttendance(models.Model):
    """A cadre who attended an event; the official business row that excuses the days."""

    event = models.ForeignKey(TrainingEvent, verbose_name="培训", on_delete=models.PROTECT, related_name="attendances")
    cadre = models.ForeignKey(Cadre, verbose_name="驻村干部", on_delete=models.PROTECT, related_name="trainings")
    #: where the cadre served (the scoping key, like every big table)
    village_code = models.CharField("驻在村代码", max_length=12)
    #: the days recorded as official business (leave.OfficialBusiness, source ``training_event``)
    business = models.OneToOneField(
        "leave.OfficialBusiness",
        verbose_name="公务记录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training",
    )
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    enrolled_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "参训记录"
        verbose_name_plural = "参训记录"
        ordering = ["event_id", "village_code", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "cadre"], name="training_attendance_once")]
        indexes = [
            models.Index(fields=["village_code"], name="training_att_village_idx", opclasses=CODE_OPCLASSES),
            models.Index(fields=["cadre", "event"], name="training_att_cadre_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} {self.cadre_id}"
