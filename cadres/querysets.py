"""Read-side query shapes of the organization model. Scoping itself lives in zhucun/scoping.py;
these querysets only add the ``restrict`` hook and the joins a page needs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.db import models

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


class ScopedQuerySet(models.QuerySet[Any]):
    """A queryset that can restrict itself to what a user may see (NetBox's RestrictedQuerySet)."""

    def restrict(self, user: AbstractBaseUser | AnonymousUser) -> Self:
        from zhucun.scoping import restrict

        return restrict(self, user)


class RegionQuerySet(ScopedQuerySet):
    pass


class UnitQuerySet(ScopedQuerySet):
    pass


class TeamQuerySet(ScopedQuerySet):
    def with_list_data(self) -> Self:
        """Everything a team list row shows, in a fixed number of queries."""
        return self.select_related("village__parent__parent__parent", "unit").annotate(
            member_count=models.Count("cadres", filter=models.Q(cadres__status="active"))
        )


class CadreQuerySet(ScopedQuerySet):
    def with_list_data(self) -> Self:
        return self.select_related("team__village__parent__parent", "unit")

    def active(self) -> Self:
        return self.filter(status="active")
