"""Writes of the shared infrastructure: policy profile versions (docs/decisions/0005, 0056)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zhucun.audit import audit_record, snapshot
from zhucun.models import PolicyProfileVersion
from zhucun.policy import HEBEI_2018

if TYPE_CHECKING:
    from accounts.models import User


def validate_policy_version(
    *, name: str, effective_from: dt.date | None, overrides: Any, today: dt.date | None = None
) -> dict[str, list[str]]:
    """The reasons a new version would be refused, by field (empty: acceptable).

    A version is never backdated: decisions already taken (leave routed, findings, grades) were taken
    under the profile then in force, and a version that reached back would rewrite their grounds
    without anyone deciding again. A correction is therefore a new version from today or later; on the
    same date the newer version wins (``profile_on`` orders by date, then id)."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if not (name or "").strip():
        errors["name"] = ["请填写版本名称，例如「2021年全国模板」。"]
    if effective_from is None:
        errors["effective_from"] = ["请填写生效日期（YYYY-MM-DD）。"]
    elif effective_from < today:
        errors["effective_from"] = [
            f"生效日期不能早于今天（{today:%Y-%m-%d}）：已作出的决定按当时的参数，更正请新增从今天或以后生效的版本。"
        ]
    elif effective_from.year > 2100:
        errors["effective_from"] = ["生效日期应在 2100 年以前。"]
    if not isinstance(overrides, dict) or not overrides:
        errors["overrides"] = ['请以 JSON 对象填写要调整的参数，例如 {"term_years": 2}。']
    else:
        try:
            HEBEI_2018.with_overrides(overrides)
        except (ValueError, TypeError, ArithmeticError) as exc:
            known = "、".join(sorted(HEBEI_2018.__dataclass_fields__))
            errors["overrides"] = [f"参数无法识别或取值不合法（{exc}）。可调整的参数：{known}。"]
    return errors


@transaction.atomic
def policy_version_add(
    *, actor: User | None, name: str, effective_from: dt.date, overrides: dict[str, Any], basis: str = ""
) -> PolicyProfileVersion:
    """Add a dated version of the policy profile — the only way the numbers change (rows are never
    edited or deleted; the database refuses it: zhucun/append_only.py)."""
    errors = validate_policy_version(name=name, effective_from=effective_from, overrides=overrides)
    if errors:
        raise ValidationError(errors)
    version = PolicyProfileVersion.objects.create(
        name=name.strip(),
        effective_from=effective_from,
        overrides=overrides,
        basis=(basis or "").strip(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(actor=actor, action="policy.version_add", obj=version, after=snapshot(version))
    return version
