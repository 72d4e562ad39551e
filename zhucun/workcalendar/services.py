"""Writes of the working calendar: the seed from ``chinesecalendar``, provincial staff's edits of the
holiday and 调休 table, publishing a year, and the warning when next year's table is missing
(docs/decisions/0085). Keyword-only, typed, atomic, audited in the same transaction."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from zhucun import scoping, workcalendar
from zhucun.audit import audit_record, snapshot, update_audited
from zhucun.models import Notification, WorkCalendarDay, WorkCalendarYear
from zhucun.notifications import notify

from .signals import work_calendar_changed

if TYPE_CHECKING:
    from accounts.models import User

#: the first year a table can be entered for (the library's tables start in 2004)
FIRST_YEAR = 2004
#: the action whose roles keep the table and are warned when it is missing (zhucun/scoping.py)
MANAGE_ACTION = "calendar.manage"

#: chinesecalendar's English holiday names → the names of the State Council's notices
_LIBRARY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def _region_code() -> str:
    """The table is the province's: its audit events carry the province's code (audit.view scoping)."""
    return str(settings.ZHUCUN_PROVINCE_CODE)


def last_enterable_year(today: dt.date | None = None) -> int:
    """Next year is the last one with a published arrangement (the State Council publishes one year ahead)."""
    return (today or timezone.localdate()).year + 1


def _changed(dates: list[dt.date]) -> None:
    """After commit: drop this process's cached years and tell listeners which dates changed."""

    def send() -> None:
        workcalendar.cache_clear()
        work_calendar_changed.send(sender=WorkCalendarDay, dates=sorted(set(dates)))

    transaction.on_commit(send, robust=True)


def _validate_day(*, day: dt.date, kind: str, name: str, exclude_pk: int | None = None) -> None:
    errors: dict[str, list[str]] = {}
    last = last_enterable_year()
    if not FIRST_YEAR <= day.year <= last:
        errors["date"] = [f"只能录入{FIRST_YEAR}年至{last}年的日期（国务院办公厅每年公布下一年的安排）。"]
    else:
        same_day = WorkCalendarDay.objects.filter(date=day)
        taken = (same_day.exclude(pk=exclude_pk) if exclude_pk is not None else same_day).first()
        if taken is not None:
            errors["date"] = [f"{day:%Y-%m-%d}已有安排（{taken.name}，{taken.get_kind_display()}），请修改那一条。"]
    if kind not in WorkCalendarDay.Kind.values:
        errors["kind"] = ["类型应为「放假」或「调休上班」。"]
    elif kind == WorkCalendarDay.Kind.MAKEUP_WORKDAY and day.weekday() < 5:
        errors["kind"] = ["调休上班日应为周六或周日；周一至周五本来就是工作日，无需录入。"]
    name = name.strip()
    if not name:
        errors["name"] = ["请填写节日名称，如：元旦、春节、国庆节。"]
    elif len(name) > 50:
        errors["name"] = ["节日名称不能超过50个字。"]
    if errors:
        raise ValidationError(errors)


def _year_row(year: int) -> WorkCalendarYear:
    """The year's marker, created unpublished when staff enter its first day."""
    row, _ = WorkCalendarYear.objects.select_for_update().get_or_create(year=year)
    return row


@transaction.atomic
def work_calendar_day_add(*, actor: User, date: dt.date, kind: str, name: str) -> WorkCalendarDay:
    """Enter one holiday or 调休 working day (for a published year too: notices are amended)."""
    _validate_day(day=date, kind=kind, name=name)
    _year_row(date.year)
    day = WorkCalendarDay.objects.create(date=date, kind=kind, name=name.strip())
    audit_record(actor=actor, action="calendar.day_add", obj=day, after=snapshot(day), region_code=_region_code())
    _changed([date])
    return day


def _locked_day(day_id: int) -> WorkCalendarDay:
    day = WorkCalendarDay.objects.select_for_update().filter(pk=day_id).first()
    if day is None:
        raise Http404("未找到该日期的安排，可能已被删除。请刷新后重试。")
    return day


@transaction.atomic
def work_calendar_day_change(*, actor: User, day_id: int, date: dt.date, kind: str, name: str) -> WorkCalendarDay:
    """Correct a day: its date, whether it is off or worked, its holiday's name."""
    day = _locked_day(day_id)
    _validate_day(day=date, kind=kind, name=name, exclude_pk=day.pk)
    _year_row(date.year)
    old_date = day.date
    update_audited(
        actor=actor,
        action="calendar.day_change",
        obj=day,
        changes={"date": date, "kind": kind, "name": name.strip()},
        region_code=_region_code(),
    )
    _changed([old_date, date])
    return day


@transaction.atomic
def work_calendar_day_delete(*, actor: User, day_id: int) -> None:
    """Remove a day from the table: it becomes an ordinary weekday or weekend day again."""
    day = _locked_day(day_id)
    audit_record(actor=actor, action="calendar.day_delete", obj=day, before=snapshot(day), region_code=_region_code())
    old_date = day.date
    day.delete()
    _changed([old_date])


def _check_year(year: int) -> None:
    last = last_enterable_year()
    if not FIRST_YEAR <= year <= last:
        raise ValidationError({"year": [f"只能处理{FIRST_YEAR}年至{last}年的安排。"]})


@transaction.atomic
def work_calendar_year_publish(*, actor: User, year: int, source: str, note: str = "") -> WorkCalendarYear:
    """Mark a year's table complete: its deadlines stop being provisional and the warning stops."""
    _check_year(year)
    errors: dict[str, list[str]] = {}
    if not source.strip():
        errors["source"] = ["请写明依据，如：国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔…〕…号）。"]
    elif len(source.strip()) > 200:
        errors["source"] = ["依据不能超过200个字。"]
    if len(note.strip()) > 500:
        errors["note"] = ["说明不能超过500个字。"]
    row = _year_row(year)
    if row.published_at is not None:
        errors["year"] = [
            f"{year}年的安排已于{timezone.localtime(row.published_at):%Y-%m-%d}发布；如需更正，直接修改日期即可。"
        ]
    elif not WorkCalendarDay.objects.filter(date__year=year, kind=WorkCalendarDay.Kind.HOLIDAY).exists():
        errors["year"] = [f"{year}年还没有录入任何放假日期。请先按国务院办公厅的通知录入放假和调休上班日期，再发布。"]
    if errors:
        raise ValidationError(errors)
    update_audited(
        actor=actor,
        action="calendar.year_publish",
        obj=row,
        changes={"published_at": timezone.now(), "published_by": actor, "source": source.strip(), "note": note.strip()},
        region_code=_region_code(),
    )
    transaction.on_commit(workcalendar.cache_clear, robust=True)
    return row


@transaction.atomic
def work_calendar_year_unpublish(*, actor: User, year: int, note: str) -> WorkCalendarYear:
    """Withdraw a publication made in error: the year's deadlines are provisional again."""
    _check_year(year)
    row = _year_row(year)
    errors: dict[str, list[str]] = {}
    if row.published_at is None:
        errors["year"] = [f"{year}年的安排尚未发布，无需撤销。"]
    if not note.strip():
        errors["note"] = ["请写明撤销发布的原因。"]
    elif len(note.strip()) > 500:
        errors["note"] = ["说明不能超过500个字。"]
    if errors:
        raise ValidationError(errors)
    update_audited(
        actor=actor,
        action="calendar.year_unpublish",
        obj=row,
        changes={"published_at": None, "published_by": None, "note": note.strip()},
        region_code=_region_code(),
    )
    transaction.on_commit(workcalendar.cache_clear, robust=True)
    return row


def _library_tables() -> dict[int, list[tuple[dt.date, str, str]]]:
    """Every day ``chinesecalendar`` knows, by year: (date, kind, Chinese name)."""
    from chinese_calendar import constants

    def chinese(value: Any) -> str:
        english = getattr(value, "value", value)
        return _LIBRARY_NAMES.get(str(english), str(english))

    years: dict[int, list[tuple[dt.date, str, str]]] = defaultdict(list)
    for day, holiday in constants.holidays.items():
        years[day.year].append((day, WorkCalendarDay.Kind.HOLIDAY, chinese(holiday)))
    for day, holiday in constants.workdays.items():
        years[day.year].append((day, WorkCalendarDay.Kind.MAKEUP_WORKDAY, f"{chinese(holiday)}调休上班"))
    return dict(years)


@transaction.atomic
def work_calendar_seed_from_library() -> list[int]:
    """Publish, from the ``chinesecalendar`` package, every year it knows that the table has no
    marker for yet. Idempotent, and it never touches a year staff have started: after an upgrade of
    the package, only years new to the table are added. Runs after every ``migrate``
    (zhucun/apps.py) and as ``manage.py seed_work_calendar``. Returns the years added."""
    from importlib.metadata import version

    tables = _library_tables()
    known = set(WorkCalendarYear.objects.filter(year__in=list(tables)).values_list("year", flat=True))
    new_years = sorted(set(tables) - known)
    if not new_years:
        return []
    source = f"chinesecalendar {version('chinesecalendar')}（国务院办公厅历年部分节假日安排的通知）"
    now = timezone.now()
    rows = WorkCalendarYear.objects.bulk_create(
        [WorkCalendarYear(year=year, published_at=now, source=source) for year in new_years]
    )
    taken = set(WorkCalendarDay.objects.filter(date__year__in=new_years).values_list("date", flat=True))
    WorkCalendarDay.objects.bulk_create(
        [
            WorkCalendarDay(date=day, kind=kind, name=name)
            for year in new_years
            for day, kind, name in tables[year]
            if day not in taken
        ]
    )
    for row in rows:
        if row.pk is None:  # bulk_create fills keys on PostgreSQL and SQLite ≥ 3.35; fetch otherwise
            row.pk = WorkCalendarYear.objects.get(year=row.year).pk
        audit_record(
            actor=None,
            action="calendar.seed",
            obj=row,
            after={**snapshot(row), "days": len(tables[row.year])},
            region_code=_region_code(),
        )
    transaction.on_commit(workcalendar.cache_clear, robust=True)
    workcalendar.cache_clear()
    return new_years


@transaction.atomic
def work_calendar_warn_missing(*, today: dt.date | None = None) -> int:
    """From October 1, while next year's table is not published (and all year while this year's is
    not), tell the staff who keep the table — once per year and recipient, however often the job runs.
    Returns how many notifications were written."""
    today = today or timezone.localdate()
    years = workcalendar.years_missing(today)
    if not years:
        return 0
    # Lock the recipients so two overlapping runs cannot both find "not yet notified".
    recipients = list(
        get_user_model()
        .objects.select_for_update()
        .filter(role__in=scoping.ROLE_ACTIONS[MANAGE_ACTION], is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    sent = 0
    for year in years:
        title, url = missing_year_title(year), reverse("work-calendar-year", args=[year])
        told = set(
            Notification.objects.filter(recipient_id__in=recipients, title=title, url=url).values_list(
                "recipient_id", flat=True
            )
        )
        untold = [pk for pk in recipients if pk not in told]
        if untold:
            notify(recipient_ids=untold, title=title, body=missing_year_body(year), url=url)
            sent += len(untold)
    return sent


def missing_year_title(year: int) -> str:
    return f"{year}年节假日和调休安排尚未发布，请及时录入"


def missing_year_body(year: int) -> str:
    return (
        f"在发布之前，{year}年的请假答复期限和销假检查暂按周一至周五计算，元旦、春节、国庆等假日会被当作工作日。"
        f"国务院办公厅发布{year}年部分节假日安排的通知后，请在「节假日与调休」中录入放假和调休上班日期，核对后点击「发布」。"
    )
