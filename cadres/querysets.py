"""Read-side query shapes of the organization model: the joins a page needs. Scoping is not here: every
read goes through ``zhucun.scoping.restrict(queryset, user)``."""

from __future__ import annotations

from typing import Any, Self

from django.db import models


class RegionQuerySet(models.QuerySet[Any]):
    pass


class UnitQuerySet(models.QuerySet[Any]):
    pass


class TeamQuerySet(models.QuerySet[Any]):
    def with_list_data(self) -> Self:
        """Everything a team list row shows, in a fixed number of queries."""
        return self.select_related("village__parent__parent__parent", "unit").annotate(
            member_count=models.Count("cadres", filter=models.Q(cadres__status="active"))
        )


class CadreQuerySet(models.QuerySet[Any]):
    def with_list_data(self) -> Self:
        """Everything a cadre list row shows — the village's township, county and city (its region path)
        among it — in a fixed number of queries."""
        return self.select_related("team__village__parent__parent__parent", "unit")
