"""The rules of training, each in one place (第十三条4, 第十五条3).

* who organizes: an organization department (province, city, county: 第十三条4 做好本级驻村干部教育
  培训工作) or a township (第十五条3 组织相关培训);
* what each may organize: the departments rotation training (轮训) and on-site observation (现场观摩,
  第十三条4 注重与现场观摩交流结合), a township its township training;
* whom each may enrol: a province or city department the cadres of its own level (本级驻村干部: those
  whose dispatching unit it assesses, 第十二条 谁选派谁管理); a county every cadre serving in the county,
  whatever their level (县级对各级驻村干部统筹轮训); a township the cadres serving in the township;
* the yearly rotation duty (每年至少对驻村干部轮训1次): a cadre in post is trained this year when they
  attended a rotation training that started this year; a province or city department answers for its
  own level's cadres, a county for every cadre serving in the county (docs/decisions/0131).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import Q

from zhucun import scoping

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

ROTATION, OBSERVATION, TOWNSHIP = "rotation", "observation", "township"
#: kinds each organizer level may hold
KINDS_BY_LEVEL = {
    "province": (ROTATION, OBSERVATION),
    "city": (ROTATION, OBSERVATION),
    "county": (ROTATION, OBSERVATION),
    "township": (TOWNSHIP,),
}
#: no event is longer than this: a typo guard on the end date
MAX_DAYS = 60
LEVEL_NAMES = {"province": "省委组织部", "city": "市委组织部", "county": "县委组织部", "township": "乡镇党委"}


@dataclasses.dataclass(frozen=True)
class Organizer:
    level: str
    region_code: str


def organizer_of(user: User | AnonymousUser) -> Organizer | None:
    """The body the user organizes training for: their department or township, in their own region
    (a region lent by a grant is inspected, not trained)."""
    role = getattr(user, "role", "")
    level = {"province_org": "province", "city_org": "city", "county_org": "county", "township": "township"}.get(role)
    region = getattr(user, "region_id", None)
    if not getattr(user, "is_authenticated", False) or level is None or not region:
        return None
    return Organizer(level=level, region_code=str(region))


def enrollable_q(organizer: Organizer) -> Q:
    """The cadres (a ``Cadre`` filter) the organizer may enrol, in post."""
    if organizer.level in ("county", "township"):
        where = Q(team__village__code__startswith=organizer.region_code)
    else:
        where = scoping.assessed_units_q(organizer.level, organizer.region_code, prefix="unit__")
    return where & Q(status="active")


def clean_event(*, organizer: Organizer, kind: str, start: dt.date, end: dt.date, today: dt.date) -> None:
    errors: dict[str, list[str]] = {}
    allowed = KINDS_BY_LEVEL[organizer.level]
    if kind not in allowed:
        labels = {
            ROTATION: "rotation（轮训）",
            OBSERVATION: "observation（现场观摩）",
            TOWNSHIP: "township（乡镇培训）",
        }
        errors["kind"] = [
            f"{LEVEL_NAMES[organizer.level]}举办的培训类别应为：{'、'.join(labels[k] for k in allowed)}。"
        ]
    if end < start:
        errors["end"] = ["结束日期不能早于开始日期。"]
    elif (end - start).days >= MAX_DAYS:
        errors["end"] = [f"一次培训不超过 {MAX_DAYS} 天，请核对结束日期。"]
    if start > today + dt.timedelta(days=366):
        errors["start"] = ["开始日期应在一年以内，请核对年份。"]
    if errors:
        raise ValidationError(errors)


def is_organizer_of(user: User | AnonymousUser, event: Any) -> bool:
    organizer = organizer_of(user)
    return organizer is not None and (organizer.level, organizer.region_code) == (
        event.organizer_level,
        event.region_code,
    )


def rotation_year_q(year: int, prefix: str = "") -> Q:
    """Attendances (through ``prefix``) of a rotation training that started in ``year``."""
    return Q(**{f"{prefix}event__kind": ROTATION, f"{prefix}event__start__year": year})


def duty_cadres_q(department: tuple[str, str]) -> Q:
    """The cadres a department answers for in the yearly rotation duty (module docstring)."""
    level, region = department
    if level == "county":
        return Q(team__village__code__startswith=region)
    return scoping.assessed_units_q(level, region, prefix="unit__")
