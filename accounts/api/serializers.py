from __future__ import annotations

from typing import Any

from django.core.validators import ProhibitNullCharactersValidator
from rest_framework import serializers

from ..models import Role, User


class UsernameField(serializers.CharField):
    """The service judges usernames (accounts/usernames.py), so a NUL byte gets the same precise
    Chinese message as every other control character instead of DRF's generic one."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)]


class AccountCreateSerializer(serializers.Serializer[User]):
    username = UsernameField(max_length=200, help_text="英文字母、数字、_ . - 或汉字；大写字母按小写保存")
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    role = serializers.ChoiceField(
        choices=Role.choices, help_text="只能是比调用者低的角色（如县委组织部：乡镇党委、派出单位、驻村干部），否则 400"
    )
    scope = serializers.CharField(max_length=20)


class AccountSerializer(serializers.ModelSerializer[User]):
    scope = serializers.CharField(source="scope_code", read_only=True)
    scope_name = serializers.CharField(source="scope_label", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "role", "scope", "scope_name", "is_active", "last_login"]


class TokenLoginSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(max_length=200)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})
    device = serializers.CharField(
        max_length=120, required=False, allow_blank=True, help_text="设备名称（如「张三的手机」），显示在登录设备列表中"
    )


class TokenSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(read_only=True)
