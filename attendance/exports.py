"""The month's attendance register (考勤登记表) as a print-ready xlsx."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.http import HttpResponse
from django.utils import timezone

from cadres.idnumbers import mask_id_number
from cadres.models import Region
from zhucun.audit import audit_export
from zhucun.exports.xlsx import RowCounter, write_table, xlsx_response
from zhucun.policy import profile_on
from zhucun.workcalendar import month_bounds

from .selectors import attendance_month

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

#: Under the register: what its marks mean.
LEGEND = "说明：√ 在村　公 公务　假 请假　× 缺勤　外 不在签到范围"
MARKS = {"present": "√", "business": "公", "leave": "假", "outside": "外", "absent": "×", "upcoming": "", "none": ""}


def attendance_register(*, user: User | AnonymousUser, region: Region, month: dt.date) -> HttpResponse:
    first, last = month_bounds(month)
    today = timezone.localdate()
    rows = attendance_month(user=user, region=region, month=first, today=today)
    profile = profile_on(last if last < today else today)
    # 第五条 (or the profile's yearly minimum), prorated to the days in post (attendance/rules.py).
    verdict_header = (
        f"达到年度要求（{profile.min_days_in_village_per_year}天）"
        if profile.min_days_in_village_per_year
        else f"满{profile.min_days_in_village_per_month}天"
    )
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
        "公务天数",
        "应在村天数",
        verdict_header,
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
            row.days_on_business,
            row.verdict.required,
            "是" if row.meets_25_days else "否",
        ]
        for row in rows
    )
    title = f"{region.name} {first:%Y年%m月} 驻村干部考勤登记表"
    counted = RowCounter(table)
    data = write_table(
        title=title,
        headers=headers,
        rows=counted,
        widths=[10, 10, 8, 12, 20, *[3] * len(days), 8, 8, 8, 10, 10],
        sheet_name=f"{first:%Y年%m月}考勤登记表",  # the legend is under the table, not in the name
        notes=[LEGEND],
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
