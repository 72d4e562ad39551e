"""The organization model (SPEC.md "Organization model").

Regions form the tree province → city → county → township → village, keyed by the 统计用区划代码
prefix (2, 4, 6, 9 and 12 digits), so a region's code is the prefix of every code beneath it. Every
scoped table carries a code of this tree (a village code, or a region code) and scoping filters it
by prefix: no per-row permission records (zhucun/scoping.py).

Two axes of authority are both representable: a team's *stationing* region (its village) for daily
management (第十三条, 第十五条), and its cadres' *dispatching unit* with that unit's level and region
for assessment and recall (第十二条, 第二十一条).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from zhucun.db import CODE_OPCLASSES

from .idnumbers import mask_id_number
from .querysets import CadreQuerySet, RegionQuerySet, TeamQuerySet, UnitQuerySet


class Region(models.Model):
    """A node of the region tree. Villages (贫困村) also carry a location and geofence radius."""

    class Level(models.TextChoices):
        PROVINCE = "province", "省"
        CITY = "city", "市"
        COUNTY = "county", "县"
        TOWNSHIP = "township", "乡镇"
        VILLAGE = "village", "村"

    CODE_LENGTHS = {
        Level.PROVINCE: 2,
        Level.CITY: 4,
        Level.COUNTY: 6,
        Level.TOWNSHIP: 9,
        Level.VILLAGE: 12,
    }

    code = models.CharField("区划代码", max_length=12, primary_key=True)
    name = models.CharField("名称", max_length=60)
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_poor_village = models.BooleanField("贫困村", default=False)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    geofence_radius_m = models.PositiveIntegerField("签到范围（米）", null=True, blank=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]
        permissions = [("inspect_region", "交叉检查：查看该区划的工作队与干部")]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def level_for_code(cls, code: str) -> Region.Level | None:
        for level, length in cls.CODE_LENGTHS.items():
            if len(code) == length:
                return Region.Level(level)
        return None

    @classmethod
    def length_of(cls, level: Region.Level | str) -> int:
        """How many digits a code of ``level`` has (a county: 6)."""
        return cls.CODE_LENGTHS[Region.Level(level)]

    @classmethod
    def is_code_of(cls, code: str | None, level: Region.Level | str) -> bool:
        """Whether ``code`` is the code of a region of ``level`` (a 9-digit code is a township's)."""
        return bool(code) and len(code or "") == cls.length_of(level)

    @classmethod
    def prefix_of(cls, code: str, level: Region.Level | str) -> str:
        """The code of the region at ``level`` that contains ``code`` (``130102001001`` at the county
        level is ``130102``); ValueError when ``code`` lies above that level."""
        length = cls.length_of(level)
        if len(code) < length:
            raise ValueError(f"{code!r} is above the {level} level")
        return code[:length]

    @classmethod
    def province_of(cls, code: str) -> str:
        return cls.prefix_of(code, cls.Level.PROVINCE)

    @classmethod
    def city_of(cls, code: str) -> str:
        return cls.prefix_of(code, cls.Level.CITY)

    @classmethod
    def county_of(cls, code: str) -> str:
        return cls.prefix_of(code, cls.Level.COUNTY)

    @classmethod
    def township_of(cls, code: str) -> str:
        return cls.prefix_of(code, cls.Level.TOWNSHIP)

    @classmethod
    def ancestor_codes(cls, code: str) -> list[str]:
        """The codes above ``code``, province first (``130102001`` → ``13``, ``1301``, ``130102``)."""
        return [code[:length] for length in cls.CODE_LENGTHS.values() if length < len(code)]

    @classmethod
    def lineage_codes(cls, code: str) -> list[str]:
        """``code`` and the codes above it, province first."""
        return [*cls.ancestor_codes(code), code]


class Unit(models.Model):
    """A dispatching unit (派出单位). ``region`` is the region of its level's organization department:
    the province for province units, the city or county for city and county units, none for central
    units (第三十一条) — which organization department assesses its cadres (第十二条)."""

    class Level(models.TextChoices):
        CENTRAL = "central", "中央"
        PROVINCE = "province", "省"
        CITY = "city", "市"
        COUNTY = "county", "县"

    name = models.CharField("单位名称", max_length=100)
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    region = models.ForeignKey(
        Region, verbose_name="所属区划", null=True, blank=True, on_delete=models.PROTECT, related_name="units"
    )

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = "派出单位"
        verbose_name_plural = "派出单位"
        ordering = ["level", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["level", "region", "name"],
                condition=models.Q(region__isnull=False),
                name="unit_unique_name_per_level_region",
            ),
            # Central units have no region; their names are unique among themselves.
            models.UniqueConstraint(
                fields=["level", "name"], condition=models.Q(region__isnull=True), name="unit_unique_central_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A work team (驻村工作队) stationed in one village and dispatched by its primary unit; a mixed
    team (混合编组, 第十六条) has members from other units too, its daily management stays here."""

    village = models.OneToOneField(
        Region,
        verbose_name="驻在村",
        on_delete=models.PROTECT,
        related_name="team",
        limit_choices_to={"level": Region.Level.VILLAGE},
    )
    unit = models.ForeignKey(Unit, verbose_name="派出单位", on_delete=models.PROTECT, related_name="teams")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        verbose_name = "驻村工作队"
        verbose_name_plural = "驻村工作队"
        ordering = ["village_id"]

    def __str__(self) -> str:
        return f"{self.village.name}驻村工作队"


class Cadre(models.Model):
    """A village-resident cadre (驻村干部) with their team role, term and status."""

    class Role(models.TextChoices):
        FIRST_SECRETARY = "first_secretary", "第一书记"
        LEADER = "leader", "队长"
        FIRST_SECRETARY_LEADER = "first_secretary_leader", "第一书记兼队长"
        MEMBER = "member", "队员"

    class Status(models.TextChoices):
        ACTIVE = "active", "在岗"
        RECALLED = "recalled", "已召回"
        ADJUSTED = "adjusted", "已调整"
        EXPIRED = "expired", "期满"

    class Gender(models.TextChoices):
        MALE = "male", "男"
        FEMALE = "female", "女"

    LEADER_ROLES = (Role.LEADER, Role.FIRST_SECRETARY_LEADER)

    name = models.CharField("姓名", max_length=40)
    gender = models.CharField("性别", max_length=6, choices=Gender.choices)
    id_number = models.CharField("身份证号", max_length=18, unique=True)
    phone = models.CharField("手机号", max_length=11)
    unit = models.ForeignKey(Unit, verbose_name="派出单位", on_delete=models.PROTECT, related_name="cadres")
    team = models.ForeignKey(Team, verbose_name="驻村工作队", on_delete=models.PROTECT, related_name="cadres")
    role = models.CharField("职务", max_length=24, choices=Role.choices)
    term_start = models.DateField("驻村开始日期")
    term_end = models.DateField("驻村期满日期")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ACTIVE)

    objects = CadreQuerySet.as_manager()

    class Meta:
        verbose_name = "驻村干部"
        verbose_name_plural = "驻村干部"
        ordering = ["team_id", "role", "name"]
        indexes = [
            models.Index(fields=["status"], name="cadre_status_idx"),
            # the few cadres whose term starts or ends within a period (the dashboards judge them one by
            # one, attendance.selectors.children_summary): found by index, not by reading every cadre
            models.Index(fields=["term_start"], name="cadre_term_start_idx"),
            models.Index(fields=["term_end"], name="cadre_term_end_idx"),
            # the cadres no longer in post whose term had not ended by a period's start (few): found by
            # index when the big dashboards leave them out (attendance.selectors.children_summary)
            models.Index(fields=["term_end"], name="cadre_left_term_end_idx", condition=~models.Q(status="active")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def is_leader(self) -> bool:
        return self.role in self.LEADER_ROLES


def adjustment_attachment_path(instance: TermAdjustment, filename: str) -> str:
    return f"term-adjustments/{instance.requested_at:%Y/%m}/{filename}"


class TermAdjustment(models.Model):
    """第三条: 没有特殊原因不得调整。确需调整的，派出单位须写出书面申请，由同级党委组织部门审核批准，
    报上级组织部门备案. The dispatching unit's written application, the decision of the organization
    department of the unit's level, and the filing with the level above (who sees it in its list)."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "已驳回"

    cadre = models.ForeignKey(Cadre, verbose_name="驻村干部", on_delete=models.PROTECT, related_name="adjustments")
    unit = models.ForeignKey(Unit, verbose_name="派出单位", on_delete=models.PROTECT, related_name="adjustments")
    #: where the cadre served when the application was made (scoping key, like every big table)
    village_code = models.CharField("驻在村代码", max_length=12)
    reason = models.TextField("书面申请", max_length=4000)
    attachment = models.FileField("申请附件", upload_to=adjustment_attachment_path, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        "accounts.User", verbose_name="申请人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间", default=timezone.now)
    decided_by = models.ForeignKey(
        "accounts.User", verbose_name="审批人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    comment = models.CharField("审批意见", max_length=500, blank=True)
    #: the organization department that decides (level, region code) and the one it is filed with
    decided_by_level = models.CharField("审批机关层级", max_length=10)
    decided_by_region = models.CharField("审批机关区划", max_length=12)
    filed_with = models.CharField("报备机关", max_length=60)

    class Meta:
        verbose_name = "任期调整申请"
        verbose_name_plural = "任期调整申请"
        ordering = ["-requested_at", "-id"]
        constraints = [
            # one open application per cadre at a time
            models.UniqueConstraint(
                fields=["cadre"], condition=models.Q(status="pending"), name="term_adjustment_one_pending"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cadre_id} 任期调整 {self.get_status_display()}"


class TermReminder(models.Model):
    """A term-end reminder sent (90 and 30 days before, issue 12), so each is sent once."""

    cadre = models.ForeignKey(Cadre, verbose_name="驻村干部", on_delete=models.CASCADE, related_name="+")
    days_before = models.PositiveSmallIntegerField("提前天数")
    sent_at = models.DateTimeField("发送时间", default=timezone.now)

    class Meta:
        verbose_name = "期满提醒"
        verbose_name_plural = "期满提醒"
        constraints = [models.UniqueConstraint(fields=["cadre", "days_before"], name="term_reminder_once")]

    def __str__(self) -> str:
        return f"{self.cadre_id} 期满前 {self.days_before} 天"


class Handover(models.Model):
    """The handover at the end of a cadre's service (期满、调整或召回): the checklist of
    ``cadres.policies.HANDOVER_ITEMS``, each ticked by the township or county that manages the cadre
    day to day (第十五条), kept for the file (第十五条2 档案)."""

    cadre = models.OneToOneField(Cadre, verbose_name="驻村干部", on_delete=models.PROTECT, related_name="handover")
    village_code = models.CharField("驻在村代码", max_length=12)
    #: item key → {"by": user id, "by_name": str, "at": ISO datetime, "note": str}
    done = models.JSONField("已完成事项", default=dict)
    completed_at = models.DateTimeField("交接完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "离任交接"
        verbose_name_plural = "离任交接"

    def __str__(self) -> str:
        return f"{self.cadre_id} 离任交接"


# --- 第十八条: party affairs --------------------------------------------------------------------------


class PartyTransfer(models.Model):
    """第十八条: 驻村党员干部的党组织关系转接到驻在村党组织. The transfer of one cadre's party membership from
    their original organization to the village's, recorded by the dispatching unit or the township and
    confirmed by the township party committee that leads the village's party organization. A cadre who
    is not a party member is recorded once as such (nothing to transfer), so that the township's list
    of pending transfers holds only the members still to be received (docs/decisions/0136)."""

    class Status(models.TextChoices):
        PENDING = "pending", "待乡镇确认"
        CONFIRMED = "confirmed", "已转入"
        NOT_MEMBER = "not_member", "非中共党员"

    cadre = models.OneToOneField(
        Cadre, verbose_name="驻村干部", on_delete=models.PROTECT, related_name="party_transfer"
    )
    #: the village whose party organization receives the membership (scoping key)
    village_code = models.CharField("驻在村代码", max_length=12)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PENDING)
    from_organization = models.CharField("转出党组织", max_length=100, blank=True)
    to_organization = models.CharField("转入党组织", max_length=100, blank=True)
    #: the day the original organization issued the letter of introduction (转出日期)
    sent_on = models.DateField("转出日期", null=True, blank=True)
    #: the day the village's party organization received it (转入日期), set by the township's confirmation
    received_on = models.DateField("转入日期", null=True, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", verbose_name="登记人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间", default=timezone.now)
    confirmed_by = models.ForeignKey(
        "accounts.User", verbose_name="确认人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)

    class Meta:
        verbose_name = "党组织关系转接"
        verbose_name_plural = "党组织关系转接"
        ordering = ["village_code", "id"]
        indexes = [models.Index(fields=["village_code"], name="party_transfer_village_idx", opclasses=CODE_OPCLASSES)]

    def __str__(self) -> str:
        return f"{self.cadre_id} 党组织关系 {self.get_status_display()}"


class PartySecretaryAppointment(models.Model):
    """第十八条: 在村“两委”换届中，驻在村党组织书记没有合适人选的，乡镇党委征得第一书记和派出单位党组（党委）
    同意后，可通过直接任命的方式，安排第一书记兼任村党组织书记. The township's proposal, the two consents
    (who recorded each and when), the township's decision, and its end."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "征求意见中"
        APPOINTED = "appointed", "已任命"
        ENDED = "ended", "已结束"

    OPEN_STATUSES = (Status.PROPOSED, Status.APPOINTED)

    cadre = models.ForeignKey(
        Cadre, verbose_name="第一书记", on_delete=models.PROTECT, related_name="party_secretary_appointments"
    )
    #: the village whose party organization the first secretary leads (scoping key)
    village_code = models.CharField("村代码", max_length=12)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PROPOSED)
    reason = models.TextField("情况说明（换届中无合适人选）", max_length=2000)
    proposed_by = models.ForeignKey(
        "accounts.User", verbose_name="提出人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField("提出时间", default=timezone.now)
    cadre_consent_by = models.ForeignKey(
        "accounts.User", verbose_name="第一书记同意记录人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    cadre_consent_at = models.DateTimeField("第一书记同意时间", null=True, blank=True)
    unit_consent_by = models.ForeignKey(
        "accounts.User", verbose_name="派出单位党组（党委）同意记录人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    unit_consent_at = models.DateTimeField("派出单位党组（党委）同意时间", null=True, blank=True)
    unit_consent_note = models.CharField("派出单位党组（党委）意见", max_length=300, blank=True)
    decided_on = models.DateField("任命日期", null=True, blank=True)
    decision_no = models.CharField("任命文号", max_length=60, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", verbose_name="任命记录人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("任命记录时间", null=True, blank=True)
    ended_on = models.DateField("结束日期", null=True, blank=True)
    end_reason = models.CharField("结束原因", max_length=300, blank=True)

    class Meta:
        verbose_name = "第一书记兼任村党组织书记"
        verbose_name_plural = "第一书记兼任村党组织书记"
        ordering = ["village_code", "-proposed_at", "-id"]
        constraints = [
            # one village party organization has one secretary: one open proposal or appointment at a time
            models.UniqueConstraint(
                fields=["village_code"],
                condition=models.Q(status__in=["proposed", "appointed"]),
                name="party_secretary_one_open_per_village",
            )
        ]
        indexes = [models.Index(fields=["village_code"], name="party_secretary_village_idx", opclasses=CODE_OPCLASSES)]

    def __str__(self) -> str:
        return f"{self.cadre_id} 兼任村党组织书记 {self.get_status_display()}"

    @property
    def consented(self) -> bool:
        return self.cadre_consent_at is not None and self.unit_consent_at is not None


class CountyTally(models.Model):
    """Per county, its teams (one a village, 第五条 coverage counts villages with a team) and its cadres
    in post (``Cadre.Status.ACTIVE``): kept by database triggers on ``cadres_team`` and ``cadres_cadre``
    (migration 0007, decision 0180), never written by the application. The dashboards of a city, a
    province and the nation sum these 2,800 rows instead of counting 660,000 cadres (issue 16);
    ``cadres.tally`` rebuilds them and checks them against the tables."""

    county_code = models.CharField("区县代码", max_length=6, primary_key=True)
    teams = models.IntegerField("工作队数", default=0)
    active_cadres = models.IntegerField("在岗驻村干部数", default=0)

    class Meta:
        db_table = "cadres_county_tally"
        verbose_name = "区县计数"
        verbose_name_plural = "区县计数"

    def __str__(self) -> str:
        return f"{self.county_code} {self.teams} {self.active_cadres}"
