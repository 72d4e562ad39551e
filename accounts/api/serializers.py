from __future__ import annotations

from rest_framework import serializers

from ..models import Role, User


class AccountCreateSerializer(serializers.Serializer[User]):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    role = serializers.ChoiceField(choices=Role.choices)
    scope = serializers.CharField(max_length=20)


class AccountSerializer(serializers.ModelSerializer[User]):
    scope = serializers.CharField(source="scope_code", read_only=True)
    scope_name = serializers.CharField(source="scope_label", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "role", "scope", "scope_name", "is_active", "last_login"]
