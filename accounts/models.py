"""Accounts: every user has exactly one role bound to one scope (API.md "Accounts").

Regional roles are bound to a region (province, city, county or township); ``unit`` accounts to a
dispatching unit; ``cadre`` accounts to a cadre. The organization department of a level is the set
of its ``*_org`` accounts; the county 驻村工作办公室 sits inside the county organization department
(第十四条1) and is represented by ``county_org`` accounts (docs/decisions/0002-org-bodies.md).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from guardian.models import UserObjectPermissionBase

from cadres.models import Region

# Defined in accounts/roles.py; importable from here as before.
from .roles import ADMIN_ROLES as ADMIN_ROLES
from .roles import Role as Role
from .usernames import normalize_username, validate_username

#: The region level each regional role is bound to.
REGION_LEVEL_OF_ROLE = {
    Role.PROVINCE_ORG: Region.Level.PROVINCE,
    Role.CITY_ORG: Region.Level.CITY,
    Role.COUNTY_ORG: Region.Level.COUNTY,
    Role.TOWNSHIP: Region.Level.TOWNSHIP,
}

#: The region levels an administrator may be bound to.
ADMIN_REGION_LEVELS = frozenset({Region.Level.PROVINCE, Region.Level.CITY, Region.Level.COUNTY})


class UserManager(DjangoUserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> User:
        """Login looks the account up by its canonical username: ``LONGZHOU`` finds ``longzhou``."""
        return self.get(**{self.model.USERNAME_FIELD: normalize_username(username or "")})


def _username_validator(value: str) -> None:
    validate_username(value)


class User(AbstractUser):
    """A person who logs in. ``role`` with exactly one of ``region``/``unit``/``cadre`` is its scope."""

    # Canonical (accounts/usernames.py): the admin's forms validate with the same rules as the services.
    username = models.CharField(
        "用户名",
        max_length=150,
        unique=True,
        help_text="英文字母、数字、下划线、点、连字符或汉字；大写字母按小写保存。",
        validators=[_username_validator],
        error_messages={"unique": "该用户名已被使用，请换一个。"},
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices, blank=True)
    region = models.ForeignKey(
        Region, verbose_name="管辖区划", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "cadres.Unit", verbose_name="派出单位", null=True, blank=True, on_delete=models.PROTECT, related_name="accounts"
    )
    cadre = models.OneToOneField(
        "cadres.Cadre", verbose_name="驻村干部", null=True, blank=True, on_delete=models.PROTECT, related_name="account"
    )
    # Where the delivery channels reach the person (issue 15, decision 0150). A cadre without ``mobile``
    # gets SMS on the roster's phone; ``email`` (AbstractUser) is the e-mail address.
    mobile = models.CharField("手机号", max_length=11, blank=True, help_text="接收短信通知的手机号。")
    wecom_userid = models.CharField("企业微信账号", max_length=64, blank=True, help_text="企业微信通讯录中的 UserID。")
    dingtalk_userid = models.CharField("钉钉账号", max_length=64, blank=True, help_text="钉钉通讯录中的 userid。")
    # A temporary password set by the organization department (issue 15 item 7, decision 0173): the
    # next sign-in must choose a new one before anything else (accounts/middleware.py).
    must_change_password = models.BooleanField("须修改密码", default=False)

    objects: ClassVar[UserManager] = UserManager()

    class Meta:
        verbose_name = "账号"
        verbose_name_plural = "账号"
        constraints = [
            # Rows written around the services (a shell, a raw bulk insert) still cannot make a case twin.
            models.UniqueConstraint(Lower("username"), name="user_username_ci_unique"),
            models.CheckConstraint(
                name="user_scope_matches_role",
                condition=(
                    models.Q(role="", region__isnull=True, unit__isnull=True, cadre__isnull=True)
                    | models.Q(
                        role__in=[
                            Role.PROVINCE_ORG,
                            Role.CITY_ORG,
                            Role.COUNTY_ORG,
                            Role.TOWNSHIP,
                            Role.SYSTEM_ADMIN,
                            Role.SECURITY_ADMIN,
                            Role.AUDIT_ADMIN,
                        ],
                        region__isnull=False,
                        unit__isnull=True,
                        cadre__isnull=True,
                    )
                    | models.Q(role=Role.UNIT, unit__isnull=False, region__isnull=True, cadre__isnull=True)
                    | models.Q(role=Role.CADRE, cadre__isnull=False, region__isnull=True, unit__isnull=True)
                ),
            ),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A new password or a deactivation ends every device's token, whichever path saved it (a
        service, the admin, a shell). Sessions end by themselves: Django checks the password hash
        stored in each session, and refuses inactive users."""
        password_changed = getattr(self, "_password", None) is not None and not self._state.adding
        super().save(*args, **kwargs)
        if password_changed or not self.is_active:
            ApiToken.objects.filter(user=self).delete()

    @classmethod
    def normalize_username(cls, username: Any) -> Any:
        """Used by ``create_user`` and the admin's forms (AbstractUser.clean): one canonical form."""
        return normalize_username(username) if isinstance(username, str) else username

    @property
    def scope_label(self) -> str:
        if self.region_id:
            return self.region.name if self.region else ""
        if self.unit_id and self.unit:
            return self.unit.name
        if self.cadre_id and self.cadre:
            return self.cadre.name
        return ""

    @property
    def scope_code(self) -> str:
        """The API's ``scope``: region code, unit id or cadre id as a string."""
        if self.region_id:
            return str(self.region_id)
        if self.unit_id:
            return str(self.unit_id)
        if self.cadre_id:
            return str(self.cadre_id)
        return ""


class RegionGrant(UserObjectPermissionBase):
    """An explicit grant on one region, through django-guardian's direct-foreign-key permission model
    (no generic-key scans, TOOLCHAIN.md): e.g. a county's inspectors lent another county's teams
    for a 交叉检查 (第十三条2) until ``valid_until``. Scoping reads live grants as extra regions."""

    content_object = models.ForeignKey(Region, verbose_name="区划", on_delete=models.CASCADE, related_name="grants")
    valid_until = models.DateField("有效期至", null=True, blank=True)
    reason = models.CharField("事由", max_length=200, blank=True)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = "区划授权"
        verbose_name_plural = "区划授权"


class ApiToken(models.Model):
    """An API token of one device (a cadre's phone, a client): several per account, each listed with
    when it was last used and revocable on its own (issue 10 item 3, decision 0046). A cadre's browser
    signed in with 记住本机 is a device too (``kind`` browser, decision 0172): listed and revoked the
    same way, and deleting its row ends its session.

    Only the SHA-256 digest of the key is stored: a copy of the table logs nobody in. The key itself
    (40 hex characters, ``Authorization: Token <key>``) is shown once, in the login response. A token
    unused for ``ZHUCUN_TOKEN_IDLE_DAYS`` is refused and deleted; ``last_used`` is refreshed at most
    once per ``ZHUCUN_TOKEN_TOUCH_MINUTES``, inside the lookup statement on PostgreSQL
    (accounts/authentication.py), so using a token costs no extra query.
    """

    class Kind(models.TextChoices):
        TOKEN = "token", "应用"
        # 记住本机 (issue 15 item 7, decision 0172): a cadre's long browser session on their own phone.
        BROWSER = "browser", "浏览器（记住本机）"

    digest = models.CharField("凭证摘要", max_length=64, unique=True, editable=False)
    user = models.ForeignKey(User, verbose_name="账号", on_delete=models.CASCADE, related_name="api_tokens")
    device = models.CharField("设备", max_length=120, blank=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.TOKEN)
    # A remembered browser: its session, which ends when the row is deleted (accounts/receivers.py),
    # and when the session ends by itself.
    session_key = models.CharField("会话", max_length=40, blank=True, editable=False)
    expires_at = models.DateTimeField("有效期至", null=True, blank=True)
    created_at = models.DateTimeField("登录时间", default=timezone.now)
    created_ip = models.GenericIPAddressField("登录地址", null=True, blank=True)
    last_used = models.DateTimeField("最近使用", default=timezone.now)

    class Meta:
        verbose_name = "登录设备"
        verbose_name_plural = "登录设备"
        ordering = ["-last_used", "-id"]

    def __str__(self) -> str:
        return f"{self.device or '未命名设备'}（{self.created_at:%Y-%m-%d}）"


class PasswordResetRequest(models.Model):
    """One request for an SMS code to reset a forgotten password (issue 15 item 7, decision 0173).

    A row is written for every request, whether or not the username or phone named an account, so
    the rate limits count both (per address, per account) and nothing in the answer tells them apart.
    The code itself is never stored: ``code_digest`` is an HMAC of it keyed with SECRET_KEY (a copy of
    the table alone cannot try the million codes offline). It is made and sent by the task
    ``accounts.send_reset_code``, expires ``RESET_CODE_MINUTES`` after it was sent, allows
    ``RESET_CODE_ATTEMPTS`` wrong entries and is used once."""

    user = models.ForeignKey(
        User, verbose_name="账号", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间", default=timezone.now, db_index=True)
    requested_ip = models.GenericIPAddressField("申请地址", null=True, blank=True)
    code_digest = models.CharField("验证码摘要", max_length=64, blank=True, editable=False)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    expires_at = models.DateTimeField("有效期至", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("错误次数", default=0)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = "找回密码申请"
        verbose_name_plural = "找回密码申请"
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["requested_ip", "requested_at"], name="reset_ip_time_idx")]

    def __str__(self) -> str:
        return f"{self.requested_at:%Y-%m-%d %H:%M}"
