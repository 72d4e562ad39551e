"""API token authentication that reads the account's cadre, team and village with the token.

The phone's busiest request is the morning sign-in (22,000 cadres in one window, SPEC.md "Scale");
it needs the cadre behind the account and the village's geofence. This reads the token, the user, the
cadre, the team and the village in one query, so a sign-in is that query and its INSERT
(docs/performance.md, B1). For an official's account the outer joins find nothing.

The query is written once per process from the models' metadata instead of being compiled by the ORM
on every request: compiling a five-table ``select_related`` was half the CPU of a sign-in (py-spy,
docs/performance.md). Every column is read and converted as the ORM would (tests/accounts check the
objects equal those the ORM loads), so nothing is deferred and nothing is stale.

Tokens are per device and expire after ``ZHUCUN_TOKEN_IDLE_DAYS`` without use (issue 10 item 3,
decision 0046). Knowing when a token was last used must not cost the sign-in a query: ``last_used`` is
refreshed at most once per ``ZHUCUN_TOKEN_TOUCH_MINUTES``, and on PostgreSQL the refresh is a
data-modifying CTE of the lookup itself (``WITH touched AS (UPDATE …) SELECT …``: one round trip; the
SELECT sees the row as it was before the UPDATE, which is what the expiry check needs). Elsewhere
(SQLite: ``make run``) the refresh is a separate UPDATE, once per interval per device.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connections, models
from django.http import HttpRequest
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.request import Request

from cadres.models import Cadre, Region, Team

from .models import ApiToken, User
from .tokens import digest_of

Converter = Callable[[Any, Any, Any], Any]
Column = tuple[Any, list[Converter]]  # the column expression and its converters


def _column(model: type[models.Model], name: str | None = None) -> str:
    """The column of ``model``'s field ``name`` (its primary key by default)."""
    field = model._meta.pk if name is None else model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column
    return field.column


@functools.cache
def _chain() -> tuple[tuple[type[models.Model], str, str | None], ...]:
    """(model, alias, join) from the token to the village: each joined on the previous one's FK."""

    def join(kind: str, alias: str, model: type[models.Model], parent: str, foreign_key: str) -> str:
        return f'{kind} JOIN {{table}} {alias} ON "{alias}"."{_column(model)}" = "{parent}"."{foreign_key}"'

    return (
        (ApiToken, "t", None),
        (User, "u", join("INNER", "u", User, "t", _column(ApiToken, "user"))),
        (Cadre, "c", join("LEFT", "c", Cadre, "u", _column(User, "cadre"))),
        (Team, "m", join("LEFT", "m", Team, "c", _column(Cadre, "team"))),
        (Region, "v", join("LEFT", "v", Region, "m", _column(Team, "village"))),
    )


@functools.cache
def _query(alias: str) -> tuple[str, tuple[tuple[type[models.Model], list[str], list[Column]], ...]]:
    """The SQL and, per model, its attribute names and each column's converters (for database
    ``alias``), built once per process."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    columns: list[str] = []
    parts: list[tuple[type[models.Model], list[str], list[Column]]] = []
    joins: list[str] = []
    for model, table_alias, join in _chain():
        fields = list(model._meta.concrete_fields)
        columns += [f'"{table_alias}".{quote(_column(model, field.name))}' for field in fields]
        converters: list[Column] = []
        for field in fields:
            column = field.get_col(table_alias)
            converters.append((column, connection.ops.get_db_converters(column) + column.get_db_converters(connection)))
        parts.append((model, [field.attname for field in fields], converters))
        table = quote(model._meta.db_table)
        joins.append(f"{table} t" if join is None else join.format(table=table))
    digest = quote(_column(ApiToken, "digest"))
    sql = f'SELECT {", ".join(columns)} FROM {" ".join(joins)} WHERE "t".{digest} = %s'  # noqa: S608 (identifiers from the models' metadata; the digest is a parameter)
    if connection.vendor == "postgresql":
        table = quote(ApiToken._meta.db_table)
        last_used = quote(_column(ApiToken, "last_used"))
        touch = (
            f"WITH touched AS (UPDATE {table} SET {last_used} = %s "  # noqa: S608 (identifiers from metadata)
            f"WHERE {digest} = %s AND {last_used} < %s AND {last_used} >= %s) "
        )
        sql = touch + sql
    return sql, tuple(parts)


def _touch_in_lookup(alias: str) -> bool:
    return connections[alias].vendor == "postgresql"


def _instance(
    model: type[models.Model], names: list[str], columns: list[Column], values: Sequence[Any], alias: str
) -> Any:
    connection = connections[alias]
    converted = []
    for value, (column, converters) in zip(values, columns, strict=True):
        for convert in converters:
            value = convert(value, column, connection)
        converted.append(value)
    return model.from_db(alias, names, converted)


def idle_limit() -> dt.timedelta:
    return dt.timedelta(days=settings.ZHUCUN_TOKEN_IDLE_DAYS)


def touch_interval() -> dt.timedelta:
    return dt.timedelta(minutes=settings.ZHUCUN_TOKEN_TOUCH_MINUTES)


def token_with_cadre(key: str, *, using: str = "default", now: dt.datetime | None = None) -> ApiToken | None:
    """The token with its user, and the user's cadre, team and village when it has them. One query
    (on PostgreSQL also when ``last_used`` is due for a refresh). ``last_used`` is as it was before
    this use, for the expiry check."""
    now = now or timezone.now()
    digest = digest_of(key)
    sql, parts = _query(using)
    params: list[Any] = [digest]
    if _touch_in_lookup(using):
        # Refresh a live token whose last use is older than the interval; never revive an expired one.
        params = [now, digest, now - touch_interval(), now - idle_limit(), digest]
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    objects: list[Any] = []
    start = 0
    for model, names, converters in parts:
        values = row[start : start + len(names)]
        start += len(names)
        pk_index = names.index(model._meta.pk.attname)
        objects.append(None if values[pk_index] is None else _instance(model, names, converters, values, using))
    token, user, cadre, team, village = objects
    ApiToken._meta.get_field("user").set_cached_value(token, user)
    if cadre is not None:
        User._meta.get_field("cadre").set_cached_value(user, cadre)
        Cadre._meta.get_field("team").set_cached_value(cadre, team)
        if team is not None:
            Team._meta.get_field("village").set_cached_value(team, village)
    return token


class CadreTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>`` against the device tokens (accounts.models.ApiToken)."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        now = timezone.now()
        token = token_with_cadre(key, now=now)
        if token is None:
            raise exceptions.AuthenticationFailed("登录凭证无效或已注销，请重新登录。")
        if token.last_used < now - idle_limit():
            ApiToken.objects.filter(pk=token.pk).delete()
            days = settings.ZHUCUN_TOKEN_IDLE_DAYS
            raise exceptions.AuthenticationFailed(f"登录已过期（超过 {days} 天未使用），请重新登录。")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("账号已停用，请联系管理员。")
        if not _touch_in_lookup("default") and token.last_used < now - touch_interval():
            ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        return token.user, token


def signed_in(request: HttpRequest | Request) -> User:
    """The account behind a request that passed ``login_required`` or DRF's ``IsAuthenticated``: the
    actor every service is called with. Anyone else is refused (403), never passed on as a user."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied("请先登录。")
    return user
