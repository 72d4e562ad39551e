"""Password validators with Chinese messages (issue 10 item 4).

Django's own messages are translated only while a Chinese locale is active, which is not the case on
the command line (``create_account`` printed "This password is too short"), and the plural forms
were not translated at all. These subclasses keep Django's checks and say in Chinese what is wrong
and what to do, wherever validation runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import password_validation as django_validators
from django.core.exceptions import ValidationError

if TYPE_CHECKING:
    from accounts.models import User


class MinimumLengthValidator(django_validators.MinimumLengthValidator):
    def validate(self, password: str, user: User | None = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(f"密码太短，至少 {self.min_length} 个字符，请加长后重试。", code="password_too_short")

    def get_help_text(self) -> str:
        return f"密码至少 {self.min_length} 个字符。"


class UserAttributeSimilarityValidator(django_validators.UserAttributeSimilarityValidator):
    """Refuses a password too close to the username (or name, email): ``longzhou99`` for ``longzhou99``."""

    def validate(self, password: str, user: User | None = None) -> None:
        try:
            super().validate(password, user)
        except ValidationError:
            raise ValidationError(
                "密码与用户名太相似，容易被猜到，请换一个与用户名无关的密码。", code="password_too_similar"
            ) from None

    def get_help_text(self) -> str:
        return "密码不能与用户名太相似。"


class CommonPasswordValidator(django_validators.CommonPasswordValidator):
    def validate(self, password: str, user: User | None = None) -> None:
        if password.lower().strip() in self.passwords:
            raise ValidationError("这个密码太常见，容易被猜到，请换一个。", code="password_too_common")

    def get_help_text(self) -> str:
        return "密码不能是常见密码。"


class NumericPasswordValidator(django_validators.NumericPasswordValidator):
    def validate(self, password: str, user: User | None = None) -> None:
        if password.isdigit():
            raise ValidationError("密码不能全是数字，请加入字母或符号。", code="password_entirely_numeric")

    def get_help_text(self) -> str:
        return "密码不能全是数字。"
