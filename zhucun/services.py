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


# --- Notification preferences (issue 15, decision 0151) ------------------------------------------------

#: The fields of the account that say where the channels reach the person.
ADDRESS_FIELDS = ("mobile", "email", "wecom_userid", "dingtalk_userid")


@transaction.atomic
def notification_preferences_update(
    *,
    actor: User,
    channels: list[str],
    quiet_enabled: bool,
    quiet_start: dt.time | None,
    quiet_end: dt.time | None,
    digest: bool,
    mobile: str = "",
    email: str = "",
    wecom_userid: str = "",
    dingtalk_userid: str = "",
) -> Any:
    """The person's own choices: the enabled channels they receive on (``channels``; the others of the
    deployment are muted), quiet hours, digest or each at once, and their addresses. Bad input → a
    Chinese error per field, nothing written."""
    from django.core.validators import validate_email

    from accounts.models import User
    from zhucun import channels as channel_registry
    from zhucun.channels.sms import is_mobile
    from zhucun.models import ChannelPreference

    enabled = channel_registry.enabled_codes()
    errors: dict[str, list[str]] = {}
    unknown = [code for code in channels if code not in enabled]
    if unknown:
        errors["channels"] = [f"没有这个接收渠道：{'、'.join(unknown)}。可选：{'、'.join(enabled) or '（未启用）'}。"]
    if quiet_enabled and (quiet_start is None or quiet_end is None):
        errors["quiet_start"] = ["请填写免打扰的开始和结束时间，例如 22:00 至 07:00。"]
    elif quiet_enabled and quiet_start == quiet_end:
        errors["quiet_end"] = ["免打扰的开始和结束时间不能相同。"]
    mobile, email = (mobile or "").strip(), (email or "").strip()
    wecom_userid, dingtalk_userid = (wecom_userid or "").strip(), (dingtalk_userid or "").strip()
    if mobile and not is_mobile(mobile):
        errors["mobile"] = ["请填写11位手机号，例如 13800138000。"]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = ["请填写有效的电子邮件地址，例如 name@example.cn。"]
    for field, value, label in (
        ("wecom_userid", wecom_userid, "企业微信"),
        ("dingtalk_userid", dingtalk_userid, "钉钉"),
    ):
        if len(value) > 64 or any(ch.isspace() for ch in value):
            errors[field] = [f"{label}账号应为通讯录中的 UserID（不含空格，64 个字符以内）。"]
    if errors:
        raise ValidationError(errors)

    user = User.objects.select_for_update().get(pk=actor.pk)
    preference = ChannelPreference.objects.select_for_update().filter(user=user).first()
    created = preference is None
    if preference is None:
        preference = ChannelPreference(user=user)
    fields = ("muted", "quiet_enabled", "quiet_start", "quiet_end", "digest")
    before = {
        **({} if created else snapshot(preference, fields)),
        **{name: getattr(user, name) for name in ADDRESS_FIELDS},
    }
    # Channels of the deployment not chosen are muted; muted channels it does not enable stay muted.
    kept = [code for code in (preference.muted or []) if code not in enabled]
    preference.muted = sorted({*kept, *(code for code in enabled if code not in channels)})
    preference.quiet_enabled = quiet_enabled
    if quiet_start is not None:
        preference.quiet_start = quiet_start
    if quiet_end is not None:
        preference.quiet_end = quiet_end
    preference.digest = digest
    preference.save()
    user.mobile, user.email, user.wecom_userid, user.dingtalk_userid = mobile, email, wecom_userid, dingtalk_userid
    user.save(update_fields=list(ADDRESS_FIELDS))
    audit_record(
        actor=actor,
        action="notification.preferences_update",
        obj=preference,
        before=before,
        after={**snapshot(preference, fields), **{name: getattr(user, name) for name in ADDRESS_FIELDS}},
        region_code=_region_code_of(user),
    )
    return preference


def _region_code_of(user: User) -> str:
    """The org-tree key of a person's own record: their region, their team's village, their unit's region."""
    if user.region_id:
        return str(user.region_id)
    if user.cadre_id and user.cadre is not None and user.cadre.team_id:
        return str(user.cadre.team.village_id)
    if user.unit_id and user.unit is not None:
        return str(user.unit.region_id or "")
    return ""
