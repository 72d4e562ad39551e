"""How the leave pages name a leave's period and the person who decided a step (issue 15 item 11)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from accounts.models import Role

if TYPE_CHECKING:
    from accounts.models import User
    from leave.models import LeaveRequest

register = template.Library()


@register.filter
def period(leave: LeaveRequest) -> SafeString:
    """The leave's period, each end kept on one line: 11月30日 下午 / 11月30日 全天 / 11月30日 上午 至
    12月3日 下午."""
    parts = leave.period_parts()
    if len(parts) == 1:
        return format_html('<span class="zc-nowrap">{}</span>', parts[0])
    return format_html('<span class="zc-nowrap">{}</span> 至 <span class="zc-nowrap">{}</span>', *parts)


#: the office of an account of each role, from its region's name (行唐县 → 行唐县委组织部)
_REGION_OFFICES = {
    Role.PROVINCE_ORG: "{}委组织部",
    Role.CITY_ORG: "{}委组织部",
    Role.COUNTY_ORG: "{}委组织部",
    Role.TOWNSHIP: "{}党委",
}


def signer_label(user: User | None) -> str:
    """Who decided, as an office and a person (行唐县委组织部 张三; 甲村驻村工作队 李四), never a login
    name. The person is the account's name (last and first name) or the cadre's; an account without a
    name shows its office alone. The account's ``region``, ``unit`` and ``cadre__team__village`` are
    expected selected (``leave.selectors.leave_requests``)."""
    if user is None:
        return ""
    person = f"{user.last_name}{user.first_name}".strip()
    office = ""
    if user.role in _REGION_OFFICES and user.region is not None:
        office = _REGION_OFFICES[Role(user.role)].format(user.region.name)
    elif user.role == Role.UNIT and user.unit is not None:
        office = user.unit.name
    elif user.role == Role.CADRE and user.cadre is not None:
        office = f"{user.cadre.team.village.name}驻村工作队"
        person = person or user.cadre.name
    label = " ".join(part for part in (office, person) if part)
    if not label and user.role in Role.values:
        label = Role(user.role).label
    return label


@register.filter
def signer(user: Any) -> str:
    """``{{ step.decided_by|signer }}`` (``signer_label``)."""
    return signer_label(user)
