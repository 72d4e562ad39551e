from __future__ import annotations

from typing import Any

from rest_framework import serializers

from zhucun import scoping

from ..idnumbers import mask_id_number, mask_phone
from ..models import Cadre, Region, Team, Unit


class RegionSerializer(serializers.ModelSerializer[Region]):
    parent = serializers.CharField(source="parent_id", allow_null=True, read_only=True)  # type: ignore[assignment]

    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent", "is_poor_village", "latitude", "longitude", "geofence_radius_m"]


class VillageBriefSerializer(serializers.ModelSerializer[Region]):
    class Meta:
        model = Region
        fields = ["code", "name"]


class UnitBriefSerializer(serializers.ModelSerializer[Unit]):
    class Meta:
        model = Unit
        fields = ["id", "name", "level"]


class TeamSerializer(serializers.ModelSerializer[Team]):
    village = VillageBriefSerializer(read_only=True)
    unit = UnitBriefSerializer(read_only=True)
    township = serializers.SerializerMethodField()
    county = serializers.SerializerMethodField()
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Team
        fields = ["id", "village", "unit", "township", "county", "member_count"]

    def get_township(self, team: Team) -> dict[str, str] | None:
        township = team.village.parent
        return {"code": township.code, "name": township.name} if township else None

    def get_county(self, team: Team) -> dict[str, str] | None:
        county = team.village.parent.parent if team.village.parent else None
        return {"code": county.code, "name": county.name} if county else None


class TeamBriefSerializer(serializers.ModelSerializer[Team]):
    village = VillageBriefSerializer(read_only=True)

    class Meta:
        model = Team
        fields = ["id", "village"]


class CadreSerializer(serializers.ModelSerializer[Cadre]):
    """身份证号 masked for everyone (the county office reveals one by an audited action, decision 0062);
    手机号 masked unless the caller's role needs it (zhucun.scoping actions)."""

    team = TeamBriefSerializer(read_only=True)
    unit = UnitBriefSerializer(read_only=True)
    id_number = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()

    class Meta:
        model = Cadre
        fields = [
            "id",
            "name",
            "gender",
            "role",
            "status",
            "team",
            "unit",
            "id_number",
            "phone",
            "term_start",
            "term_end",
        ]

    def _can(self, action: str) -> bool:
        request: Any = self.context.get("request")
        return bool(request) and scoping.can(request.user, action)

    def get_id_number(self, cadre: Cadre) -> str:
        return mask_id_number(cadre.id_number)

    def get_phone(self, cadre: Cadre) -> str:
        return cadre.phone if self._can("cadre.view_phone") else mask_phone(cadre.phone)
