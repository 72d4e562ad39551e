"""Written half-year reports drafted by the system (第九条4 the unit's, 第十三条5 the city's and county's):
what the system knows of the period — attendance, leave, absence findings, work logs, funds spent, last
year's grades, the body's own duties — so nothing is typed twice; the body adds its narrative and files
it (duties/services.py ``report_file``). A filed report keeps its facts as filed; it is downloaded as
.docx (python-docx) and printed from its page.

Every figure is one aggregate query over all the cadres concerned — never a query per cadre."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from accounts.roles import Role
from cadres.models import Cadre, Team

from .catalogue import BodyType
from .models import Obligation

#: per-cadre rows are listed up to this many cadres (a unit's report); a city's report gives totals
MAX_CADRE_ROWS = 200


def title_for(obligation: Obligation) -> str:
    if obligation.body_type == BodyType.UNIT:
        return f"{obligation.body_name}关于{obligation.period_label}驻村帮扶工作情况的报告"
    return f"{obligation.body_name}关于{obligation.period_label}驻村干部帮扶工作情况的报告"


def recipient_for(obligation: Obligation) -> str:
    """To whom the report goes: the unit's same-level department (第九条4), the department one level up
    (第十三条5: 逐级向省市党委组织部报告)."""
    from .catalogue import level_above

    above = level_above(obligation)
    if above is None:
        return ""
    role, code = above
    from cadres.models import Region

    if role == Role.PROVINCE_ORG:
        return "省委组织部"
    name = Region.objects.filter(code=code).values_list("name", flat=True).first() or code
    return f"{name}委组织部"


def _cadres(obligation: Obligation, start: dt.date, end: dt.date) -> QuerySet[Cadre]:
    serving = Cadre.objects.filter(term_start__lte=end, term_end__gte=start)
    if obligation.body_type == BodyType.UNIT:
        return serving.filter(unit_id=obligation.unit_id)
    return serving.filter(team__village__code__startswith=obligation.region_code)


def facts_for(obligation: Obligation, *, today: dt.date | None = None) -> dict[str, Any]:
    """The period's facts as JSON-safe data (stored with the filed report)."""
    from assessment.models import GRADE_LABELS, AssessmentResult
    from attendance.models import AbsenceFinding, SignIn, WorkLog
    from funding.models import LedgerEntry
    from leave.selectors import approved_leave_days

    today = today or timezone.localdate()
    start, end = obligation.period_start, min(obligation.period_end, today)
    if end < start:
        end = start
    cadres = _cadres(obligation, start, end)
    rows = list(cadres.select_related("team__village").order_by("team__village_id", "role", "name"))
    ids = cadres.values("pk")
    present = dict(
        SignIn.objects.filter(cadre_id__in=ids, date__range=(start, end), status__in=["ok", "late"])
        .values("cadre_id")
        .annotate(n=Count("id"))
        .values_list("cadre_id", "n")
    )
    findings: dict[int, dict[str, int]] = {}
    for cadre_id, status, n in (
        AbsenceFinding.objects.filter(cadre_id__in=ids, date__range=(start, end))
        .values("cadre_id", "status")
        .annotate(n=Count("id"))
        .values_list("cadre_id", "status", "n")
    ):
        findings.setdefault(cadre_id, {})[status] = n
    leave = {
        cadre_id: sum(days.values(), Decimal(0))
        for cadre_id, days in approved_leave_days(cadre_ids=ids, start=start, end=end).items()
    }
    team_ids = {c.team_id for c in rows}
    teams = Team.objects.filter(pk__in=team_ids)
    logs = WorkLog.objects.filter(team__in=teams, date__range=(start, end)).aggregate(
        n=Count("id"), checked=Count("id", filter=Q(checked_at__isnull=False))
    )
    spent = LedgerEntry.objects.filter(account__team__in=teams, kind="expense", date__range=(start, end)).aggregate(
        total=Sum("amount")
    )["total"] or Decimal(0)
    grades = dict(
        AssessmentResult.objects.filter(subject_type="cadre", cadre_id__in=ids, round__year=start.year - 1)
        .values("grade")
        .annotate(n=Count("id"))
        .values_list("grade", "n")
    )
    duties = dict(
        Obligation.objects.filter(body_key=obligation.body_key, body_type=obligation.body_type, year=obligation.year)
        .filter(due__lte=end)
        .exclude(pk=obligation.pk)
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    cadre_rows: list[dict[str, Any]] = []
    total_days = total_present = 0
    for c in rows:
        first, last = max(start, c.term_start), min(end, c.term_end)
        days = max(0, (last - first).days + 1)
        total_days += days
        total_present += present.get(c.pk, 0)
        if len(cadre_rows) < MAX_CADRE_ROWS:
            cadre_rows.append(
                {
                    "name": c.name,
                    "role": c.get_role_display(),
                    "village": c.team.village.name,
                    "days": days,
                    "present": present.get(c.pk, 0),
                    "rate": _rate(present.get(c.pk, 0), days),
                    "leave_days": str(leave.get(c.pk, Decimal(0))),
                    "findings_confirmed": findings.get(c.pk, {}).get("confirmed", 0),
                    "findings_pending": findings.get(c.pk, {}).get("pending", 0),
                }
            )
    return {
        "title": title_for(obligation),
        "recipient": recipient_for(obligation),
        "body": obligation.body_name,
        "period": obligation.period_label,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "teams": len(team_ids),
        "cadres": len(rows),
        "present_days": total_present,
        "days_in_post": total_days,
        "attendance_rate": _rate(total_present, total_days),
        "leave_days": str(sum(leave.values(), Decimal(0))),
        "findings_confirmed": sum(f.get("confirmed", 0) for f in findings.values()),
        "findings_pending": sum(f.get("pending", 0) for f in findings.values()),
        "work_logs": logs["n"],
        "work_logs_checked": logs["checked"],
        "funds_spent": f"{spent:.2f}",
        "grades_year": start.year - 1,
        "grades": {GRADE_LABELS.get(grade, grade): n for grade, n in sorted(grades.items())},
        "duties_done": duties.get("done", 0),
        "duties_overdue": duties.get("overdue", 0),
        "duties_open": duties.get("open", 0),
        "cadre_rows": cadre_rows,
        "cadre_rows_truncated": len(rows) > len(cadre_rows),
    }


def _rate(present: int, days: int) -> str:
    return f"{present * 100 / days:.1f}%" if days else "—"


def summary_lines(facts: dict[str, Any]) -> list[str]:
    """The facts as the sentences of the report's first section."""
    grades = "、".join(f"{label} {n} 人" for label, n in facts.get("grades", {}).items()) or "暂无定档结果"
    return [
        f"本期（{facts['start']} 至 {facts['end']}）共有驻村工作队 {facts['teams']} 个、"
        f"驻村干部 {facts['cadres']} 名。",
        f"驻村干部在岗签到 {facts['present_days']} 人天，应在岗 {facts['days_in_post']} 人天，"
        f"签到率 {facts['attendance_rate']}；经批准请假 {facts['leave_days']} 天。",
        f"发现不在岗情形：已确认 {facts['findings_confirmed']} 次，待确认 {facts['findings_pending']} 次。",
        f"记录工作日志 {facts['work_logs']} 篇，其中已检查 {facts['work_logs_checked']} 篇。",
        f"驻村工作经费支出 {facts['funds_spent']} 元。",
        f"{facts['grades_year']} 年度驻村干部考核：{grades}。",
        f"本年度已到期的其他履职事项：已履行 {facts['duties_done']} 项，逾期 {facts['duties_overdue']} 项。",
    ]


CADRE_COLUMNS = ("姓名", "职务", "驻在村", "在岗天数", "签到天数", "签到率", "请假天数", "不在岗（确认/待确认）")


def cadre_cells(row: dict[str, Any]) -> list[str]:
    return [
        row["name"], row["role"], row["village"], str(row["days"]), str(row["present"]), row["rate"],
        row["leave_days"], f"{row['findings_confirmed']}/{row['findings_pending']}",
    ]  # fmt: skip


def docx_bytes(*, title: str, facts: dict[str, Any], narrative: str, filed_on: dt.date | None) -> bytes:
    """The report as a Word document (python-docx): title, addressee, the facts, the cadres' table,
    the narrative, the body and the date."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "FangSong"
    style.font.size = Pt(14)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋")
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(title)
    run.bold = True
    run.font.size = Pt(20)
    if facts.get("recipient"):
        document.add_paragraph(f"{facts['recipient']}：")
    document.add_paragraph("一、基本情况（系统数据）").runs[0].bold = True
    for line in summary_lines(facts):
        document.add_paragraph(line)
    rows = facts.get("cadre_rows") or []
    if rows:
        table = document.add_table(rows=1, cols=len(CADRE_COLUMNS))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, CADRE_COLUMNS, strict=True):
            cell.text = text
        for row in rows:
            for cell, text in zip(table.add_row().cells, cadre_cells(row), strict=True):
                cell.text = text
        if facts.get("cadre_rows_truncated"):
            document.add_paragraph(f"（仅列出前 {MAX_CADRE_ROWS} 名驻村干部。）")
    document.add_paragraph("二、工作情况、存在问题和下一步打算").runs[0].bold = True
    for paragraph in narrative.splitlines():
        if paragraph.strip():
            document.add_paragraph(paragraph.strip())
    signature = document.add_paragraph(facts.get("body", ""))
    signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if filed_on is not None:
        date_line = document.add_paragraph(f"{filed_on.year}年{filed_on.month}月{filed_on.day}日")
        date_line.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
