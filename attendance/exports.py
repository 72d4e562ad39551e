"""The month's attendance register (考勤登记表) as a print-ready xlsx."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

from cadres.idnumbers import mask_id_number
from cadres.models import Region
from zhucun.audit import audit_export
from zhucun.exports.xlsx import RowCounter, write_table, xlsx_response

from .selectors import attendance_month, month_bounds

MARKS = {"present": "√", "leave": "假", "outside": "外", "absent": "×", "upcoming": "", "none": ""}


def attendance_register(*, user: Any, region: Region, month: dt.date) -> HttpResponse:
    first, last = month_bounds(month)
    rows = attendance_month(user=user, region=region, month=first, today=timezone.localdate())
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    headers = [
        "乡镇",
        "村",
        "姓名",
        "职务",
        "身份证号",
        *[str(day.day) for day in days],
        "在村天数",
        "请假天数",
        "满25天",
    ]
    table = (
        [
            row.cadre.team.village.parent.name if row.cadre.team.village.parent else "",
            row.cadre.team.village.name,
            row.cadre.name,
            row.cadre.get_role_display(),
            mask_id_number(row.cadre.id_number),  # masked for every role (decision 0062)
            *[MARKS[row.days[day]] for day in days],
            row.days_present,
            float(row.days_on_leave),
            "是" if row.meets_25_days else "否",
        ]
        for row in rows
    )
    title = f"{region.name} {first:%Y年%m月} 驻村干部考勤登记表（√在村 假请假 ×缺勤 外不在范围）"
    counted = RowCounter(table)
    data = write_table(
        title=title,
        headers=headers,
        rows=counted,
        widths=[10, 10, 8, 12, 20, *[3] * len(days), 8, 8, 6],
    )
    filename = f"attendance-{region.code}-{first:%Y-%m}.xlsx"
    audit_export(
        user=user,
        kind="attendance.signin",
        title=title,
        params={"region": region.code, "month": f"{first:%Y-%m}"},
        rows=counted.count,
        filename=filename,
    )
    return xlsx_response(data, filename)
