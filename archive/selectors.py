"""The file (第十五条2 建立统一规范管理档案) of one cadre and of one team, read from every capability.

Each section asks the owning app's models through ``zhucun.scoping.restrict``, so the file holds what
the reader may see and nothing else; each runs a fixed number of queries, grouped by month or by
cadre in SQL, so the file of a three-year term costs what the file of a month costs (decision 0132).
Every value is already text: the page (templates/archive/archive.html) and the Word document
(archive/exports.py) render the same sections.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from assessment.models import (
    AccountabilityRecord,
    AssessmentResult,
    AssessmentRound,
    CountyEvaluationOpinion,
    KeyTrainingEntry,
    RecallCase,
    Sanction,
    SubjectType,
)
from attendance import rules as attendance_rules
from attendance.models import AbsenceFinding, CoverageAlert, SignIn, WorkLog
from cadres import policies as cadre_policies
from cadres.idnumbers import mask_id_number, mask_phone
from cadres.models import Cadre, Handover, Region, Team, TermAdjustment
from cadres.selectors import ROLE_ORDER, region_chain
from funding.models import Category, CategorySpend, FundAccount, OverdueFlag, Reimbursement
from households.models import Household, Visit
from leave.models import LeaveRequest
from leave.selectors import approved_leave_days, official_business_halves
from supervision.models import AnnualTask, InspectionResult, PresenceCheck
from training.models import TrainingAttendance
from zhucun import scoping
from zhucun.policy import profiles_on
from zhucun.workcalendar import month_bounds

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

DASH = "—"


@dataclasses.dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: list[list[str]]
    empty: str = "无。"
    caption: str = ""

    @property
    def labelled_rows(self) -> list[list[tuple[str, str]]]:
        """Each cell with its column's header (the phone's stacked table shows it before the value)."""
        return [list(zip(self.headers, row, strict=True)) for row in self.rows]


@dataclasses.dataclass(frozen=True)
class Section:
    key: str
    title: str
    basis: str
    facts: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    tables: list[Table] = dataclasses.field(default_factory=list)
    note: str = ""


@dataclasses.dataclass(frozen=True)
class Archive:
    """A file as the township keeps it: the province's header, whose file, the sections."""

    kind: str  # "cadre" or "team"
    pk: int
    header: str
    title: str
    subject: str
    subtitle: str
    chain: list[Region]
    sections: list[Section]
    made_on: dt.date

    @property
    def filename(self) -> str:
        return f"{self.title}-{self.subject}.docx"


# --- formatting ---------------------------------------------------------------------------------


def _d(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return DASH
    if isinstance(value, dt.datetime):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    return f"{value:%Y-%m-%d}"


def _n(value: Decimal | int | None) -> str:
    if value is None:
        return DASH
    if isinstance(value, Decimal):
        text = f"{value.normalize():f}"
        return text
    return str(value)


def _money(value: Decimal | None) -> str:
    return DASH if value is None else f"{value:,.2f}"


def _span(start: dt.date, end: dt.date) -> str:
    return f"{_d(start)} 至 {_d(end)}"


def _place(chain: list[Region]) -> str:
    """县、乡镇、村 of a village's chain (the province and city are the file's header)."""
    return "".join(region.name for region in chain if region.level in ("county", "township", "village"))


def _header() -> str:
    return f"{settings.ZHUCUN_PROVINCE_NAME}驻村干部管理档案"


# --- months -------------------------------------------------------------------------------------


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first days of the months from ``first``'s to ``last``'s."""
    months: list[dt.date] = []
    month = first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def _by_month(rows: QuerySet[Any], field: str = "date") -> dict[dt.date, int]:
    """Rows counted per month of ``field``, in SQL (one query)."""
    counted = rows.annotate(m=TruncMonth(field)).values("m").annotate(n=Count("pk")).values_list("m", "n").order_by()
    return {_month_key(month): n for month, n in counted}


def _month_key(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    return value.replace(day=1)


def _by_cadre(rows: QuerySet[Any], path: str = "cadre_id") -> dict[int, int]:
    return dict(rows.values(path).annotate(n=Count("pk")).values_list(path, "n").order_by())


@dataclasses.dataclass
class _Month:
    present: int = 0
    business: int = 0
    leave: Decimal = Decimal(0)
    findings: int = 0
    logs: int = 0
    visits: int = 0
    uncovered: int = 0


def _attendance(
    *, user: User | AnonymousUser, cadres: list[Cadre], first: dt.date, last: dt.date, village_code: str | None = None
) -> dict[dt.date, _Month]:
    """Per month of ``[first, last]`` for ``cadres``: days present (第五条), whole days of official
    business without a sign-in (decision 0071), days of approved leave, confirmed absence findings,
    work logs and household visits — and, for a team's file (``village_code``), the days nobody was on
    duty in its village. Seven queries (eight with official business), whatever the months."""
    months: dict[dt.date, _Month] = {month: _Month() for month in _months(first, last)}
    if not months or last < first:
        return {}
    ids = [cadre.pk for cadre in cadres]
    signins = scoping.restrict(SignIn.objects.all(), user).filter(
        cadre_id__in=ids, date__range=(first, last), status__in=attendance_rules.PRESENT
    )
    for month, n in _by_month(signins).items():
        months[month].present = n
    business: dict[int, set[dt.date]] = {
        pk: whole
        for pk, days in official_business_halves(cadre_ids=ids, start=first, end=last).items()
        if (whole := attendance_rules.whole_days(days))
    }
    if business:
        signed = set(
            signins.filter(date__in={d for days in business.values() for d in days}).values_list("cadre_id", "date")
        )
        for pk, days in business.items():
            for day in days:
                if (pk, day) not in signed:
                    months[day.replace(day=1)].business += 1
    for leave in approved_leave_days(cadre_ids=ids, start=first, end=last).values():
        for day, share in leave.items():
            months[day.replace(day=1)].leave += share
    findings = scoping.restrict(AbsenceFinding.objects.all(), user).filter(
        cadre_id__in=ids, date__range=(first, last), status=AbsenceFinding.Status.CONFIRMED
    )
    for month, n in _by_month(findings).items():
        months[month].findings = n
    logs = scoping.restrict(WorkLog.objects.all(), user).filter(author_id__in=ids, date__range=(first, last))
    for month, n in _by_month(logs).items():
        months[month].logs = n
    visits = scoping.restrict(Visit.objects.all(), user).filter(cadre_id__in=ids, date__range=(first, last))
    for month, n in _by_month(visits).items():
        months[month].visits = n
    if village_code is not None:
        alerts = scoping.restrict(CoverageAlert.objects.all(), user).filter(
            village_code=village_code, date__range=(first, last), resolved_at__isnull=True
        )
        for month, n in _by_month(alerts).items():
            months[month].uncovered = n
    return months


def _cadre_months_table(*, cadre: Cadre, months: dict[dt.date, _Month], today: dt.date) -> Table:
    """第五条 month by month: the minimum prorated to the days in post (decision 0072), judged with the
    profile in force at the month's end (a yearly minimum: the year so far, decision 0078)."""
    profiles = profiles_on([min(month_bounds(month)[1], today) for month in months])
    rows: list[list[str]] = []
    year_so_far: dict[int, int] = defaultdict(int)
    totals = _Month()
    for month, m in months.items():
        last = month_bounds(month)[1]
        credited = m.present + m.business
        year_so_far[month.year] += credited
        profile = profiles[min(last, today)]
        verdict = attendance_rules.minimum_days_verdict(
            profile=profile,
            month=month,
            today=today,
            term_start=cadre.term_start,
            term_end=cadre.term_end,
            counted=year_so_far[month.year] if profile.min_days_in_village_per_year > 0 else credited,
            counted_today=False,
        )
        if last >= today:
            met = "本月进行中"
        elif verdict.required == 0:
            met = DASH
        else:
            met = "达到" if verdict.meets else "未达到"
        required = f"{verdict.required}（{verdict.period}年累计）" if verdict.yearly else str(verdict.required)
        rows.append(
            [f"{month:%Y-%m}", required, _n(m.present), _n(m.business), _n(credited), met, _n(m.leave),
             _n(m.findings), _n(m.logs), _n(m.visits)]
        )  # fmt: skip
        totals.present += m.present
        totals.business += m.business
        totals.leave += m.leave
        totals.findings += m.findings
        totals.logs += m.logs
        totals.visits += m.visits
    if rows:
        rows.append(
            ["合计", "", _n(totals.present), _n(totals.business), _n(totals.present + totals.business), "",
             _n(totals.leave), _n(totals.findings), _n(totals.logs), _n(totals.visits)]
        )  # fmt: skip
    return Table(
        headers=("月份", "应在村（天）", "在村签到", "公务（整天）", "计入天数", "第五条", "请假（天）", "缺岗（确认）",
                 "工作日志", "入户走访"),
        rows=rows,
        empty="驻村期限尚未开始。",
    )  # fmt: skip


# --- the cadre's file ---------------------------------------------------------------------------


def cadre_for_archive(*, user: User | AnonymousUser, pk: int) -> Cadre | None:
    """The cadre whose file ``user`` opens, or None when out of scope (404)."""
    return scoping.restrict(Cadre.objects.select_related("team__village", "unit"), user).filter(pk=pk).first()


def cadre_archive(*, user: User | AnonymousUser, cadre: Cadre, today: dt.date | None = None) -> Archive:
    """一人一档: basic information, term and adjustments, attendance by month, leave, work logs and
    visits, findings and checks, grades and opinions, recall and sanctions, training."""
    today = today or timezone.localdate()
    chain = region_chain(cadre.team.village)
    sections = [
        _cadre_basic(user=user, cadre=cadre, chain=chain),
        _cadre_term(user=user, cadre=cadre),
        _cadre_attendance(user=user, cadre=cadre, today=today),
        _cadre_leave(user=user, cadre=cadre),
        _cadre_findings(user=user, cadre=cadre),
        _cadre_grades(user=user, cadre=cadre),
        _cadre_sanctions(user=user, cadre=cadre),
        _cadre_training(user=user, cadre=cadre),
    ]
    return Archive(
        kind="cadre",
        pk=cadre.pk,
        header=_header(),
        title="驻村干部管理档案",
        subject=cadre.name,
        subtitle=f"{_place(chain)}驻村工作队 · {cadre.get_role_display()} · {cadre.unit.name}",
        chain=chain,
        sections=sections,
        made_on=today,
    )


def _cadre_basic(*, user: User | AnonymousUser, cadre: Cadre, chain: list[Region]) -> Section:
    phone = cadre.phone if scoping.can(user, "cadre.view_phone") else mask_phone(cadre.phone)
    return Section(
        key="basic",
        title="一、基本情况",
        basis="第十五条2",
        facts=[
            ("姓名", cadre.name),
            ("性别", cadre.get_gender_display()),
            ("身份证号", mask_id_number(cadre.id_number)),
            ("手机号", phone),
            ("派出单位", f"{cadre.unit.name}（{cadre.unit.get_level_display()}）"),
            ("驻村工作队", f"{_place(chain)}驻村工作队（村代码 {cadre.team.village_id}）"),
            ("职务", cadre.get_role_display()),
            ("状态", cadre.get_status_display()),
            ("驻村期限", _span(cadre.term_start, cadre.term_end)),
        ],
    )


def _cadre_term(*, user: User | AnonymousUser, cadre: Cadre) -> Section:
    adjustments = scoping.restrict(TermAdjustment.objects.select_related("unit"), user).filter(cadre=cadre)
    handover = Handover.objects.filter(cadre=cadre).first()
    done = handover.done if handover else {}
    return Section(
        key="term",
        title="二、任期与调整",
        basis="第三条",
        facts=[("驻村期限", _span(cadre.term_start, cadre.term_end)), ("状态", cadre.get_status_display())],
        tables=[
            Table(
                caption="任期调整申请",
                headers=("申请时间", "派出单位", "书面申请", "状态", "审批时间", "审批意见"),
                rows=[
                    [
                        _d(a.requested_at),
                        a.unit.name,
                        a.reason,
                        a.get_status_display(),
                        _d(a.decided_at),
                        a.comment or DASH,
                    ]
                    for a in adjustments.order_by("requested_at", "id")
                ],
                empty="无任期调整申请。",
            ),
            Table(
                caption="离任交接",
                headers=("交接事项", "办理情况"),
                rows=[
                    [
                        label,
                        f"{done[key].get('by_name', '')}，{str(done[key].get('at', ''))[:10]}"
                        if key in done
                        else "未办理",
                    ]
                    for key, label in cadre_policies.HANDOVER_ITEMS
                ]
                if handover
                else [],
                empty="尚未办理离任交接。",
            ),
        ],
    )


def _cadre_attendance(*, user: User | AnonymousUser, cadre: Cadre, today: dt.date) -> Section:
    last = min(cadre.term_end, today)
    months = _attendance(user=user, cadres=[cadre], first=cadre.term_start, last=last)
    return Section(
        key="attendance",
        title="三、考勤（按月）",
        basis="第五条、第十五条1",
        tables=[_cadre_months_table(cadre=cadre, months=months, today=today)],
        note="计入天数为在村签到与整天公务（培训、会议、批准的公务外出）之和；请假天数按半天计。",
    )


def _cadre_leave(*, user: User | AnonymousUser, cadre: Cadre) -> Section:
    requests = scoping.restrict(LeaveRequest.objects.all(), user).filter(cadre=cadre).order_by("start", "id")
    return Section(
        key="leave",
        title="四、请假与销假",
        basis="第十九条2、第二十九条",
        tables=[
            Table(
                headers=("假别", "起止", "天数", "事由", "状态", "销假时间"),
                rows=[
                    [
                        r.get_kind_display(),
                        f"{_span(r.start, r.end)}",
                        _n(r.days),
                        r.reason,
                        r.get_status_display(),
                        _d(r.reported_back_at),
                    ]
                    for r in requests
                ],
                empty="无请假记录。",
            )
        ],
    )


def _cadre_findings(*, user: User | AnonymousUser, cadre: Cadre) -> Section:
    findings = scoping.restrict(AbsenceFinding.objects.all(), user).filter(cadre=cadre).order_by("date", "id")
    checks = dict(
        scoping.restrict(PresenceCheck.objects.all(), user)
        .filter(cadre=cadre)
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
        .order_by()
    )
    labels = dict(PresenceCheck.Status.choices)
    inspections = (
        scoping.restrict(InspectionResult.objects.select_related("plan"), user)
        .filter(cadre=cadre)
        .order_by("date", "id")
    )
    return Section(
        key="findings",
        title="五、缺岗记录与检查",
        basis="第十三条2–3、第十九条1、第十九条3",
        facts=[("随机抽查", "；".join(f"{labels.get(s, s)} {n} 次" for s, n in sorted(checks.items())) or "无")],
        tables=[
            Table(
                caption="缺岗记录",
                headers=("日期", "时段", "来源", "状态", "说明", "确认或排除理由"),
                rows=[
                    [
                        _d(f.date),
                        f.get_half_display() or "全天",
                        f.get_source_display(),
                        f.get_status_display(),
                        f.note or DASH,
                        f.decision_reason or DASH,
                    ]
                    for f in findings
                ],
                empty="无缺岗记录。",
            ),
            Table(
                caption="督导检查",
                headers=("检查日期", "检查", "结果", "情况说明"),
                rows=[[_d(r.date), r.plan.title, r.get_outcome_display(), r.note or DASH] for r in inspections],
                empty="无检查记录。",
            ),
        ],
    )


def _finalized(results: QuerySet[AssessmentResult]) -> QuerySet[AssessmentResult]:
    """Only a finalized round's grades go into the file (第二十二条 记入个人档案): a grade being
    discussed is not a result yet."""
    return results.filter(round__status=AssessmentRound.Status.FINALIZED).select_related("round")


def _cadre_grades(*, user: User | AnonymousUser, cadre: Cadre) -> Section:
    results = _finalized(scoping.restrict(AssessmentResult.objects.all(), user)).filter(
        subject_type=SubjectType.CADRE, cadre=cadre
    )
    opinions = scoping.restrict(CountyEvaluationOpinion.objects.all(), user).filter(
        subject_type=SubjectType.CADRE, cadre=cadre
    )
    return Section(
        key="grades",
        title="六、年度考核与评价意见",
        basis="第十四条3、第二十一条、第二十二条",
        tables=[
            Table(
                caption="年度考核等次",
                headers=("年度", "等次", "考核机关", "定档时间"),
                rows=[
                    [str(r.round.year), r.grade_label, r.round.get_level_display(), _d(r.round.finalized_at)]
                    for r in results.order_by("round__year")
                ],
                empty="暂无已定档的考核结果。",
            ),
            Table(
                caption="县级评价意见",
                headers=("年度", "评价意见", "建议等次", "记录时间"),
                rows=[
                    [str(o.year), o.opinion, o.suggested_grade or DASH, _d(o.recorded_at)]
                    for o in opinions.order_by("year", "recorded_at")
                ],
                empty="无评价意见。",
            ),
        ],
        note="第二十二条：驻村干部年度考核结果等同于在派出单位的年度考核等次，记入个人档案。",
    )


def _cadre_sanctions(*, user: User | AnonymousUser, cadre: Cadre) -> Section:
    cases = scoping.restrict(RecallCase.objects.all(), user).filter(cadre=cadre).order_by("opened_at", "id")
    sanctions = scoping.restrict(Sanction.objects.all(), user).filter(cadre=cadre).order_by("starts_on", "kind")
    records = scoping.restrict(AccountabilityRecord.objects.all(), user).filter(cadre=cadre).order_by("decided_on")
    return Section(
        key="sanctions",
        title="七、召回、处理与问责",
        basis="第十七条、第二十条",
        tables=[
            Table(
                caption="召回",
                headers=("发起时间", "召回情形", "状态", "决定时间", "决定理由"),
                rows=[
                    [
                        _d(c.opened_at),
                        c.get_trigger_display(),
                        c.get_status_display(),
                        _d(c.decided_at),
                        c.decision_reason or DASH,
                    ]
                    for c in cases
                ],
                empty="无召回记录。",
            ),
            Table(
                caption="处理",
                headers=("类别", "起止"),
                rows=[[s.get_kind_display(), _span(s.starts_on, s.ends_on)] for s in sanctions],
                empty="无处理。",
            ),
            Table(
                caption="问责",
                headers=("决定日期", "问责方式", "未履行的职责"),
                rows=[[_d(r.decided_on), r.get_measure_display(), r.failed_duty] for r in records],
                empty="无问责记录。",
            ),
        ],
    )


def _cadre_training(*, user: User | AnonymousUser, cadre: Cadre) -> Section:
    attended = (
        scoping.restrict(TrainingAttendance.objects.select_related("event"), user)
        .filter(cadre=cadre)
        .order_by("event__start", "id")
    )
    key = scoping.restrict(KeyTrainingEntry.objects.all(), user).filter(cadre=cadre).order_by("year")
    return Section(
        key="training",
        title="八、教育培训",
        basis="第十三条4、第十五条3、第二十三条",
        tables=[
            Table(
                caption="参加培训",
                headers=("培训", "类别", "举办单位", "起止", "地点"),
                rows=[
                    [
                        a.event.title,
                        a.event.get_kind_display(),
                        a.event.organizer_name,
                        _span(a.event.start, a.event.end),
                        a.event.place,
                    ]
                    for a in attended
                ],
                empty="无培训记录。",
            ),
            Table(
                caption="重点培养对象台账",
                headers=("年度", "培养理由", "培养措施"),
                rows=[[str(e.year), e.reason, e.measures or DASH] for e in key],
                empty="未列入。",
            ),
        ],
    )


# --- the team's file ----------------------------------------------------------------------------


def team_for_archive(*, user: User | AnonymousUser, pk: int) -> Team | None:
    return scoping.restrict(Team.objects.select_related("village", "unit"), user).filter(pk=pk).first()


def team_archive(*, user: User | AnonymousUser, team: Team, today: dt.date | None = None) -> Archive:
    """The team's file: its members and their terms, attendance by month, each member's totals, grades
    and opinions, recall and sanctions, training, the funds and the annual task list."""
    today = today or timezone.localdate()
    chain = region_chain(team.village)
    members = list(
        scoping.restrict(Cadre.objects.select_related("unit"), user).filter(team=team).order_by(ROLE_ORDER, "name")
    )
    first = min((m.term_start for m in members), default=today)
    last = min(max((m.term_end for m in members), default=today), today)
    months = _attendance(user=user, cadres=members, first=first, last=last, village_code=team.village_id)
    sections = [
        _team_basic(user=user, team=team, chain=chain, members=members),
        _team_attendance(months=months, today=today),
        _team_members(user=user, members=members, first=first, last=last),
        _team_grades(user=user, team=team, members=members),
        _team_sanctions(user=user, members=members),
        _team_training(user=user, members=members),
        _team_funds(user=user, team=team),
        _team_tasks(user=user, team=team),
    ]
    return Archive(
        kind="team",
        pk=team.pk,
        header=_header(),
        title="驻村工作队管理档案",
        subject=f"{team.village.name}驻村工作队",
        subtitle=f"{_place(chain)} · 派出单位 {team.unit.name}",
        chain=chain,
        sections=sections,
        made_on=today,
    )


def _team_basic(*, user: User | AnonymousUser, team: Team, chain: list[Region], members: list[Cadre]) -> Section:
    adjustments = scoping.restrict(TermAdjustment.objects.select_related("cadre"), user).filter(
        cadre__in=[m.pk for m in members]
    )
    handovers = Handover.objects.filter(cadre__in=[m.pk for m in members]).select_related("cadre")
    items = len(cadre_policies.HANDOVER_ITEMS)
    households = dict(
        scoping.restrict(Household.objects.all(), user)
        .filter(village_code=team.village_id)
        .values("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
        .order_by()
    )
    kinds = dict(Household.Kind.choices)
    return Section(
        key="basic",
        title="一、基本情况与成员",
        basis="第十五条2、第十六条、第三条",
        facts=[
            ("驻在村", f"{_place(chain)}（村代码 {team.village_id}）"),
            ("贫困村", "是" if team.village.is_poor_village else "否"),
            ("派出单位", f"{team.unit.name}（{team.unit.get_level_display()}）"),
            ("组建时间", _d(team.created_at)),
            ("登记农户", "；".join(f"{kinds.get(k, k)} {n} 户" for k, n in sorted(households.items())) or "无"),
        ],
        tables=[
            Table(
                caption="成员",
                headers=("姓名", "职务", "派出单位", "驻村期限", "状态"),
                rows=[
                    [m.name, m.get_role_display(), m.unit.name, _span(m.term_start, m.term_end), m.get_status_display()]
                    for m in members
                ],
                empty="该工作队还没有成员。",
            ),
            Table(
                caption="任期调整申请",
                headers=("干部", "申请时间", "状态", "审批意见"),
                rows=[
                    [a.cadre.name, _d(a.requested_at), a.get_status_display(), a.comment or DASH]
                    for a in adjustments.order_by("requested_at", "id")
                ],
                empty="无任期调整申请。",
            ),
            Table(
                caption="离任交接",
                headers=("干部", "已办理事项", "交接完成"),
                rows=[
                    [h.cadre.name, f"{len(h.done)}/{items}", _d(h.completed_at)]
                    for h in handovers.order_by("cadre__name")
                ],
                empty="无离任交接。",
            ),
        ],
    )


def _team_attendance(*, months: dict[dt.date, _Month], today: dt.date) -> Section:
    rows = []
    for month, m in months.items():
        rows.append(
            [f"{month:%Y-%m}", _n(m.present), _n(m.business), _n(m.leave), _n(m.findings), _n(m.uncovered),
             _n(m.logs), _n(m.visits)]
        )  # fmt: skip
    return Section(
        key="attendance",
        title="二、考勤（按月，全队合计）",
        basis="第五条、第十五条1",
        tables=[
            Table(
                headers=(
                    "月份",
                    "在村人天",
                    "公务（人天）",
                    "请假（人天）",
                    "缺岗（确认）",
                    "无人在岗（天）",
                    "工作日志",
                    "入户走访",
                ),
                rows=rows,
                empty="尚无成员在岗。",
            )
        ],
        note="每名干部逐月是否达到第五条的天数，见其本人档案。",
    )


def _team_members(*, user: User | AnonymousUser, members: list[Cadre], first: dt.date, last: dt.date) -> Section:
    ids = [m.pk for m in members]
    present = _by_cadre(
        scoping.restrict(SignIn.objects.all(), user).filter(
            cadre_id__in=ids, date__range=(first, last), status__in=attendance_rules.PRESENT
        )
    )
    leaves = {
        pk: (n, days or Decimal(0))
        for pk, n, days in scoping.restrict(LeaveRequest.objects.all(), user)
        .filter(cadre_id__in=ids, status__in=LeaveRequest.GRANTED)
        .exclude(kind=LeaveRequest.Kind.BUSINESS)
        .values("cadre_id")
        .annotate(n=Count("pk"), d=Sum("days"))
        .values_list("cadre_id", "n", "d")
        .order_by()
    }
    findings = _by_cadre(
        scoping.restrict(AbsenceFinding.objects.all(), user).filter(
            cadre_id__in=ids, status=AbsenceFinding.Status.CONFIRMED
        )
    )
    logs = _by_cadre(scoping.restrict(WorkLog.objects.all(), user).filter(author_id__in=ids), "author_id")
    visits = _by_cadre(scoping.restrict(Visit.objects.all(), user).filter(cadre_id__in=ids))
    trainings = _by_cadre(scoping.restrict(TrainingAttendance.objects.all(), user).filter(cadre_id__in=ids))
    return Section(
        key="members",
        title="三、成员驻村与工作汇总",
        basis="第五条、第六条7–8、第十五条5、第十九条",
        tables=[
            Table(
                headers=(
                    "姓名",
                    "在村签到（天）",
                    "请假（次/天）",
                    "缺岗（确认）",
                    "工作日志",
                    "入户走访",
                    "培训（次）",
                ),
                rows=[
                    [
                        m.name,
                        _n(present.get(m.pk, 0)),
                        f"{leaves[m.pk][0]}/{_n(leaves[m.pk][1])}" if m.pk in leaves else "0/0",
                        _n(findings.get(m.pk, 0)),
                        _n(logs.get(m.pk, 0)),
                        _n(visits.get(m.pk, 0)),
                        _n(trainings.get(m.pk, 0)),
                    ]
                    for m in members
                ],
                empty="该工作队还没有成员。",
            )
        ],
        note="请假只计已批准（含已销假）的申请，公务外出不计。",
    )


def _team_grades(*, user: User | AnonymousUser, team: Team, members: list[Cadre]) -> Section:
    results = _finalized(scoping.restrict(AssessmentResult.objects.all(), user)).select_related("cadre")
    team_results = results.filter(subject_type=SubjectType.TEAM, team=team).order_by("round__year")
    cadre_results = results.filter(subject_type=SubjectType.CADRE, cadre__in=[m.pk for m in members]).order_by(
        "round__year", "cadre__name"
    )
    opinions = (
        scoping.restrict(CountyEvaluationOpinion.objects.select_related("cadre"), user)
        .filter(Q(team=team) | Q(cadre__in=[m.pk for m in members]))
        .order_by("year", "recorded_at")
    )
    return Section(
        key="grades",
        title="四、年度考核与评价意见",
        basis="第十四条3、第二十一条、第二十二条、第二十五条",
        tables=[
            Table(
                caption="工作队年度考核",
                headers=("年度", "等次", "考核机关"),
                rows=[[str(r.round.year), r.grade_label, r.round.get_level_display()] for r in team_results],
                empty="暂无已定档的考核结果。",
            ),
            Table(
                caption="队员年度考核",
                headers=("年度", "干部", "等次"),
                rows=[[str(r.round.year), r.cadre.name if r.cadre else DASH, r.grade_label] for r in cadre_results],
                empty="暂无已定档的考核结果。",
            ),
            Table(
                caption="县级评价意见",
                headers=("年度", "对象", "评价意见", "建议等次"),
                rows=[
                    [str(o.year), o.cadre.name if o.cadre else "工作队", o.opinion, o.suggested_grade or DASH]
                    for o in opinions
                ],
                empty="无评价意见。",
            ),
        ],
    )


def _team_sanctions(*, user: User | AnonymousUser, members: list[Cadre]) -> Section:
    ids = [m.pk for m in members]
    cases = scoping.restrict(RecallCase.objects.select_related("cadre"), user).filter(cadre__in=ids)
    sanctions = scoping.restrict(Sanction.objects.select_related("cadre"), user).filter(cadre__in=ids)
    return Section(
        key="sanctions",
        title="五、召回与处理",
        basis="第二十条",
        tables=[
            Table(
                caption="召回",
                headers=("干部", "发起时间", "召回情形", "状态"),
                rows=[
                    [c.cadre.name, _d(c.opened_at), c.get_trigger_display(), c.get_status_display()]
                    for c in cases.order_by("opened_at", "id")
                ],
                empty="无召回记录。",
            ),
            Table(
                caption="处理",
                headers=("干部", "类别", "起止"),
                rows=[
                    [s.cadre.name, s.get_kind_display(), _span(s.starts_on, s.ends_on)]
                    for s in sanctions.order_by("starts_on", "cadre__name")
                ],
                empty="无处理。",
            ),
        ],
    )


def _team_training(*, user: User | AnonymousUser, members: list[Cadre]) -> Section:
    attended = (
        scoping.restrict(TrainingAttendance.objects.select_related("event", "cadre"), user)
        .filter(cadre__in=[m.pk for m in members])
        .order_by("event__start", "cadre__name")
    )
    return Section(
        key="training",
        title="六、教育培训",
        basis="第十三条4、第十五条3",
        tables=[
            Table(
                headers=("培训", "干部", "举办单位", "起止"),
                rows=[
                    [a.event.title, a.cadre.name, a.event.organizer_name, _span(a.event.start, a.event.end)]
                    for a in attended
                ],
                empty="无培训记录。",
            )
        ],
    )


def _team_funds(*, user: User | AnonymousUser, team: Team) -> Section:
    accounts = list(scoping.restrict(FundAccount.objects.all(), user).filter(team=team).order_by("year"))
    categories: dict[int, list[tuple[str, Decimal]]] = defaultdict(list)
    for year, label, spent in (
        scoping.restrict(CategorySpend.objects.all(), user)
        .filter(account__team=team)
        .exclude(spent=0)
        .order_by("account__year", "category")
        .values_list("account__year", "category", "spent")
    ):
        categories[year].append((label, spent))
    batches = {
        year: (n, total)
        for year, n, total in _yearly(scoping.restrict(Reimbursement.objects.all(), user).filter(team=team))
    }
    overdue = scoping.restrict(OverdueFlag.objects.all(), user).filter(team=team).count()
    labels = dict(Category.choices)
    return Section(
        key="funds",
        title="七、工作经费",
        basis="第十四条4、第二十七条",
        facts=[("逾期未报销提醒", f"{overdue} 次")],
        tables=[
            Table(
                caption="年度账户（元）",
                headers=(
                    "年度",
                    "经费负责人",
                    "上年结转",
                    "本年拨入",
                    "本年支出",
                    "结余用于公益和帮扶",
                    "余额",
                    "报销（批/元）",
                ),
                rows=[
                    [
                        str(a.year),
                        a.responsible_name or DASH,
                        _money(a.carried_in),
                        _money(a.allocated),
                        _money(a.spent),
                        _money(a.surplus_spent),
                        _money(a.balance),
                        f"{batches[a.year][0]}/{_money(batches[a.year][1])}" if a.year in batches else "0/0.00",
                    ]
                    for a in accounts
                ],
                empty="尚未开设工作经费账户。",
            ),
            Table(
                caption="支出类别（元）",
                headers=("年度", "支出"),
                rows=[
                    [str(year), "；".join(f"{labels.get(c, c)} {_money(s)}" for c, s in spent)]
                    for year, spent in sorted(categories.items())
                ],
                empty="无支出。",
            ),
        ],
    )


def _yearly(batches: QuerySet[Reimbursement]) -> Iterable[tuple[int, int, Decimal]]:
    from django.db.models.functions import ExtractYear

    return (
        batches.annotate(y=ExtractYear("date"))
        .values("y")
        .annotate(n=Count("pk"), t=Sum("total"))
        .values_list("y", "n", "t")
        .order_by()
    )


def _team_tasks(*, user: User | AnonymousUser, team: Team) -> Section:
    tasks = scoping.restrict(AnnualTask.objects.all(), user).filter(team=team).order_by("year", "kind", "deadline")
    return Section(
        key="tasks",
        title="八、年度帮扶任务清单",
        basis="第七条",
        tables=[
            Table(
                headers=("年度", "类别", "任务", "完成时限", "进度", "完成情况"),
                rows=[
                    [
                        str(t.year),
                        t.get_kind_display(),
                        t.title,
                        _d(t.deadline),
                        f"{t.progress}%",
                        f"已完成（{_d(t.done_on)}）" if t.done else (t.progress_note or "未完成"),
                    ]
                    for t in tasks
                ],
                empty="无任务清单。",
            )
        ],
    )
