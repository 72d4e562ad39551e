"""Annual assessment, recall and accountability (SPEC.md "Recall", "Annual assessment";
第十七条, 第二十条 – 第二十五条).

Two axes meet here. Assessment and recall belong to the organization department of the dispatching
unit's level and region (第十二条, 第二十一条): a round is one department's year, keyed by its level and
region code. Every row also carries the org-tree key it is *seen* by — the 12-digit ``village_code``
of the team for team and cadre rows, the unit's region for unit rows — so ``zhucun.scoping`` filters
these tables by prefix like every other large table (docs/decisions/0001-scoping.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from cadres.models import Cadre, Team, Unit
from zhucun.db import CODE_OPCLASSES


class AssessingLevel(models.TextChoices):
    """The organization departments that assess (第二十一条). Central units' cadres are assessed with
    the province's (第三十一条; docs/decisions/0010-who-assesses.md)."""

    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"


class SubjectType(models.TextChoices):
    CADRE = "cadre", "驻村干部"
    TEAM = "team", "驻村工作队"
    UNIT = "unit", "派出单位"


class CadreGrade(models.TextChoices):
    """第二十二条: 优秀、称职、基本称职、不称职."""

    EXCELLENT = "excellent", "优秀"
    COMPETENT = "competent", "称职"
    BASICALLY_COMPETENT = "basically_competent", "基本称职"
    INCOMPETENT = "incompetent", "不称职"


class TeamGrade(models.TextChoices):
    """第二十二条 (teams) and 第二十四条 (units' 驻村帮扶 work): 优秀、良好、一般、差."""

    EXCELLENT = "excellent", "优秀"
    GOOD = "good", "良好"
    FAIR = "fair", "一般"
    POOR = "poor", "差"


#: Every grade's Chinese label, whatever the subject type.
GRADE_LABELS: dict[str, str] = {**dict(TeamGrade.choices), **dict(CadreGrade.choices)}
#: 一般及以下 (第二十四条, 第二十五条).
FAIR_OR_BELOW = (TeamGrade.FAIR.value, TeamGrade.POOR.value)


class AssessmentRound(models.Model):
    """One organization department's assessment of one year (第二十一条): its level's teams, cadres and
    dispatching units. Finalized (定档) rounds are locked."""

    class Status(models.TextChoices):
        OPEN = "open", "评定中"
        FINALIZED = "finalized", "已定档"

    year = models.PositiveSmallIntegerField("考核年度")
    level = models.CharField("考核层级", max_length=10, choices=AssessingLevel.choices)
    #: the assessing department's region: ``13`` for the province, a city or a county code
    region_code = models.CharField("考核机关区划", max_length=12)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    deadline = models.DateField("定档期限", null=True, blank=True)
    deadline_notified_at = models.DateTimeField("逾期提醒时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    finalized_at = models.DateTimeField("定档时间", null=True, blank=True)
    finalized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="定档人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "年度考核"
        verbose_name_plural = "年度考核"
        ordering = ["-year", "level", "region_code"]
        constraints = [
            models.UniqueConstraint(fields=["year", "level", "region_code"], name="round_once_per_department_year")
        ]
        indexes = [models.Index(fields=["region_code"], name="round_region_idx", opclasses=CODE_OPCLASSES)]

    def __str__(self) -> str:
        return f"{self.year}年度{self.get_level_display()}考核（{self.region_code}）"

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.FINALIZED


class AssessmentResult(models.Model):
    """One subject's grade in a round. ``unit`` is the subject's dispatching unit (the unit itself for a
    unit row), whose level and region decide the assessing department (第十二条). For a unit row,
    ``leadership_not_excellent`` records 第二十四条: its leadership team and head may not be 优秀, and
    ``leadership_grade``/``head_grade`` their grades where the department records them."""

    round = models.ForeignKey(AssessmentRound, verbose_name="考核", on_delete=models.PROTECT, related_name="results")
    subject_type = models.CharField("考核对象", max_length=6, choices=SubjectType.choices)
    cadre = models.ForeignKey(
        Cadre, verbose_name="驻村干部", null=True, blank=True, on_delete=models.PROTECT, related_name="assessments"
    )
    team = models.ForeignKey(
        Team, verbose_name="驻村工作队", null=True, blank=True, on_delete=models.PROTECT, related_name="assessments"
    )
    unit = models.ForeignKey(Unit, verbose_name="派出单位", on_delete=models.PROTECT, related_name="assessments")
    #: team and cadre rows: the team's village; unit rows: empty
    village_code = models.CharField("驻在村代码", max_length=12, blank=True)
    #: unit rows: the unit's region (the province for central units); team and cadre rows: the village
    region_code = models.CharField("所属区划", max_length=12)
    grade = models.CharField("等次", max_length=20)
    leadership_not_excellent = models.BooleanField("领导班子及主要负责同志不得评优（第二十四条）", default=False)
    #: unit rows (第二十四条): the leadership team's 年度目标绩效考核 and the head's 年度考核, recorded by
    #: the same department in the same round so the article is enforced where they are recorded
    leadership_grade = models.CharField("领导班子年度目标绩效考核等次", max_length=20, blank=True)
    head_grade = models.CharField("主要负责同志年度考核等次", max_length=20, blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="评定人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    graded_at = models.DateTimeField("评定时间", auto_now=True)

    class Meta:
        verbose_name = "考核结果"
        verbose_name_plural = "考核结果"
        ordering = ["round_id", "subject_type", "village_code", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "cadre"], condition=models.Q(subject_type="cadre"), name="result_once_per_cadre"
            ),
            models.UniqueConstraint(
                fields=["round", "team"], condition=models.Q(subject_type="team"), name="result_once_per_team"
            ),
            models.UniqueConstraint(
                fields=["round", "unit"], condition=models.Q(subject_type="unit"), name="result_once_per_unit"
            ),
        ]
        indexes = [
            models.Index(fields=["region_code"], name="result_region_idx", opclasses=CODE_OPCLASSES),
            models.Index(fields=["round", "subject_type", "grade"], name="result_round_grade_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.subject_type}:{self.cadre_id or self.team_id or self.unit_id} {self.grade}"

    @property
    def grade_label(self) -> str:
        return GRADE_LABELS.get(self.grade, self.grade)

    @property
    def leadership_grade_label(self) -> str:
        return GRADE_LABELS.get(self.leadership_grade, "")

    @property
    def head_grade_label(self) -> str:
        return GRADE_LABELS.get(self.head_grade, "")


class CountyEvaluationOpinion(models.Model):
    """第十四条3: the stationing county's evaluation opinion on a team, cadre or dispatching unit, an
    important basis of the annual assessment (第二十一条: 所在县党委配合)."""

    year = models.PositiveSmallIntegerField("考核年度")
    subject_type = models.CharField("评价对象", max_length=6, choices=SubjectType.choices)
    cadre = models.ForeignKey(Cadre, verbose_name="驻村干部", null=True, blank=True, on_delete=models.PROTECT)
    team = models.ForeignKey(Team, verbose_name="驻村工作队", null=True, blank=True, on_delete=models.PROTECT)
    unit = models.ForeignKey(Unit, verbose_name="派出单位", on_delete=models.PROTECT, related_name="+")
    #: the stationing county that gives the opinion
    county_code = models.CharField("评价县", max_length=6)
    opinion = models.TextField("评价意见", max_length=2000)
    suggested_grade = models.CharField("建议等次", max_length=20, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "县级评价意见"
        verbose_name_plural = "县级评价意见"
        ordering = ["-year", "county_code", "id"]
        indexes = [models.Index(fields=["county_code"], name="opinion_county_idx", opclasses=CODE_OPCLASSES)]

    def __str__(self) -> str:
        return f"{self.year} {self.subject_type} {self.county_code}"


class SupportOpinion(models.Model):
    """第二十五条 双线考核: a team's yearly evaluation opinion (评价意见) on the poverty work of the county it is
    stationed in, or on its dispatching unit's 驻村帮扶 work — a grade and a score out of 100 with the
    text — given by the team's leader. The opinions are weighted into those bodies' assessments with the
    profile's ``team_opinion_weight`` (docs/decisions/0137, 0138)."""

    class BodyType(models.TextChoices):
        COUNTY = "county", "所在县（市、区）党委政府扶贫脱贫工作"
        UNIT = "unit", "派出单位驻村帮扶工作"

    year = models.PositiveSmallIntegerField("考核年度")
    team = models.ForeignKey(Team, verbose_name="驻村工作队", on_delete=models.PROTECT, related_name="+")
    #: the team's village: the tree key the opinion is seen by
    village_code = models.CharField("驻在村代码", max_length=12)
    body_type = models.CharField("评价对象", max_length=6, choices=BodyType.choices)
    #: the county evaluated (a county opinion) — the team's stationing county; empty for a unit opinion
    county_code = models.CharField("被评价县", max_length=6, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name="被评价派出单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    grade = models.CharField("评价等次", max_length=10, choices=TeamGrade.choices)
    score = models.DecimalField("评价分数", max_digits=4, decimal_places=1)
    opinion = models.TextField("评价意见", max_length=2000)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提交人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "驻村工作队评价意见"
        verbose_name_plural = "驻村工作队评价意见（双线考核）"
        ordering = ["-year", "village_code", "body_type", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "team"], condition=models.Q(body_type="county"), name="support_opinion_once_county"
            ),
            models.UniqueConstraint(
                fields=["year", "team", "unit"], condition=models.Q(body_type="unit"), name="support_opinion_once_unit"
            ),
        ]
        indexes = [models.Index(fields=["village_code"], name="support_opinion_village_idx", opclasses=CODE_OPCLASSES)]

    def __str__(self) -> str:
        return f"{self.year} {self.team_id} {self.body_type} {self.score}"


class RecallCase(models.Model):
    """A recall case (召回, 第二十条): opened automatically for triggers 1–2, by hand for 3–7, decided by
    the organization department of the dispatching unit's level after consulting the unit."""

    class Trigger(models.TextChoices):
        INCOMPETENT_RATING = "incompetent_rating", "年度考核不称职"
        ABSENCES = "absences", "累计3次不在岗且未请假"
        EVALUATION_PROBLEM = "evaluation_problem", "考核评估中发现严重问题"
        PRIVATE_GAIN = "private_gain", "谋取私利"
        VIOLATION = "violation", "违法违纪经核查属实"
        FAILURE_TO_REPORT = "failure_to_report", "对村干部违法违纪不指出不制止不报告"
        OTHER = "other", "其他需要召回的情形"

    class Status(models.TextChoices):
        OPEN = "open", "待决定"
        RECALLED = "recalled", "已召回"
        DISMISSED = "dismissed", "不予召回"

    #: 第二十条1–2 are detected by the system; 3–7 are opened by hand with evidence.
    AUTOMATIC_TRIGGERS = (Trigger.INCOMPETENT_RATING, Trigger.ABSENCES)

    cadre = models.ForeignKey(Cadre, verbose_name="驻村干部", on_delete=models.PROTECT, related_name="recall_cases")
    unit = models.ForeignKey(Unit, verbose_name="派出单位", on_delete=models.PROTECT, related_name="recall_cases")
    village_code = models.CharField("驻在村代码", max_length=12)
    trigger = models.CharField("召回情形", max_length=24, choices=Trigger.choices)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    evidence = models.TextField("事实与依据", max_length=4000, blank=True)
    #: trigger 1: the assessment year; trigger 2: the number of days counted when opened
    year = models.PositiveSmallIntegerField("考核年度", null=True, blank=True)
    absence_days = models.PositiveSmallIntegerField("缺岗天数", null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    opened_at = models.DateTimeField("发起时间", auto_now_add=True)
    consulted_at = models.DateTimeField("商派出单位时间", null=True, blank=True)
    consulted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="记录人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    consultation = models.TextField("派出单位意见", max_length=2000, blank=True)
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="决定人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision_reason = models.TextField("决定理由", max_length=2000, blank=True)
    #: 第二十条1: closed by the system because the grade it stood on is no longer 不称职 (not a decision
    #: of the department: a later final 不称职 of the same year opens a new case)
    closed_automatically = models.BooleanField("系统自动撤销", default=False)

    class Meta:
        verbose_name = "召回案件"
        verbose_name_plural = "召回案件"
        ordering = ["-opened_at", "-id"]
        constraints = [
            # Detection is idempotent even when the signal and the nightly job race: one open case per
            # cadre and trigger.
            models.UniqueConstraint(
                fields=["cadre", "trigger"], condition=models.Q(status="open"), name="recall_one_open_per_trigger"
            )
        ]
        indexes = [models.Index(fields=["village_code"], name="recall_village_idx", opclasses=CODE_OPCLASSES)]

    def __str__(self) -> str:
        return f"{self.cadre_id} {self.get_trigger_display()} {self.get_status_display()}"

    @property
    def is_consulted(self) -> bool:
        return self.consulted_at is not None


class Sanction(models.Model):
    """A consequence of recall with its end date (第二十条): no awards for 1 year, no promotion for 2 years,
    the recall year not counted as grassroots experience. Enforced by assessment/rules.py."""

    class Kind(models.TextChoices):
        NO_AWARDS = "no_awards", "不得参加评先评优"
        NO_PROMOTION = "no_promotion", "不予提拔重用"
        NOT_GRASSROOTS_EXPERIENCE = "not_grassroots_experience", "召回年度驻村时间不计入基层工作经历"

    cadre = models.ForeignKey(Cadre, verbose_name="驻村干部", on_delete=models.PROTECT, related_name="sanctions")
    case = models.ForeignKey(RecallCase, verbose_name="召回案件", on_delete=models.PROTECT, related_name="sanctions")
    village_code = models.CharField("驻在村代码", max_length=12)
    kind = models.CharField("类别", max_length=32, choices=Kind.choices)
    starts_on = models.DateField("起始日期")
    ends_on = models.DateField("截止日期")
    expired_at = models.DateTimeField("到期处理时间", null=True, blank=True)

    class Meta:
        verbose_name = "召回处理"
        verbose_name_plural = "召回处理"
        ordering = ["cadre_id", "kind"]
        constraints = [models.UniqueConstraint(fields=["case", "kind"], name="sanction_once_per_case_kind")]
        indexes = [models.Index(fields=["village_code"], name="sanction_village_idx", opclasses=CODE_OPCLASSES)]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（至 {self.ends_on}）"


class AccountabilityRecord(models.Model):
    """第十七条: accountability against a unit or a person that failed a duty, by the organization
    department responsible (按照驻村干部管理责任，由各级组织部门组织实施)."""

    class Measure(models.TextChoices):
        INQUIRY = "inquiry", "组织函询"
        REMINDER_TALK = "reminder_talk", "提醒谈话"
        CIRCULATED_CRITICISM = "circulated_criticism", "通报批评"
        ORGANIZATIONAL_HANDLING = "organizational_handling", "组织处理"

    class TargetType(models.TextChoices):
        UNIT = "unit", "单位"
        PERSON = "person", "个人"

    measure = models.CharField("问责方式", max_length=24, choices=Measure.choices)
    target_type = models.CharField("问责对象类别", max_length=6, choices=TargetType.choices)
    unit = models.ForeignKey(
        Unit, verbose_name="单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cadre = models.ForeignKey(
        Cadre, verbose_name="驻村干部", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person_name = models.CharField("责任人", max_length=60, blank=True)
    failed_duty = models.CharField("未履行的职责", max_length=300)
    #: a reference to the duty in the compliance calendar, once that exists (SPEC.md "Duties")
    duty_ref = models.CharField("职责编号", max_length=60, blank=True)
    facts = models.TextField("事实", max_length=4000, blank=True)
    decided_on = models.DateField("决定日期")
    #: the recording department's region: the tree key this record is seen by
    region_code = models.CharField("问责机关区划", max_length=12)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "追责问责记录"
        verbose_name_plural = "追责问责记录"
        ordering = ["-decided_on", "-id"]
        indexes = [models.Index(fields=["region_code"], name="accountability_region_idx", opclasses=CODE_OPCLASSES)]

    def __str__(self) -> str:
        return f"{self.get_measure_display()} {self.target_name}"

    @property
    def target_name(self) -> str:
        if self.target_type == self.TargetType.UNIT and self.unit is not None:
            return self.unit.name
        if self.cadre is not None:
            return self.cadre.name
        return self.person_name


class KeyTrainingEntry(models.Model):
    """重点培养对象台账 (第二十三条): cadres to be followed and developed, first secretaries first."""

    cadre = models.ForeignKey(Cadre, verbose_name="驻村干部", on_delete=models.PROTECT, related_name="key_training")
    village_code = models.CharField("驻在村代码", max_length=12)
    year = models.PositiveSmallIntegerField("年度")
    reason = models.TextField("培养理由", max_length=2000)
    measures = models.TextField("培养措施", max_length=2000, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "重点培养对象"
        verbose_name_plural = "重点培养对象台账"
        ordering = ["-year", "village_code", "id"]
        constraints = [models.UniqueConstraint(fields=["cadre", "year"], name="key_training_once_per_year")]
        indexes = [models.Index(fields=["village_code"], name="key_training_village_idx", opclasses=CODE_OPCLASSES)]

    def __str__(self) -> str:
        return f"{self.year} {self.cadre_id}"


class ExportJob(models.Model):
    """A large assessment workbook built by a Celery job (Saleor's export files): status, progress and
    the file, downloadable only by the user who asked for it."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField("考核年度")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    rows = models.PositiveIntegerField("行数", default=0)
    file = models.FileField("文件", upload_to="exports/assessment/%Y/%m/", blank=True)
    error = models.CharField("错误", max_length=300, blank=True)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "考核导出任务"
        verbose_name_plural = "考核导出任务"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.year} {self.status} {self.progress}%"
