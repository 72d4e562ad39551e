"""API token authentication that reads the account's cadre, team and village with the token.

The phone's busiest request is the morning sign-in (22,000 cadres in one window, SPEC.md "Scale");
it needs the cadre behind the account and the village's geofence. This reads the token, the user, the
cadre, the team and the village in one query, so a sign-in is that query and its INSERT
(docs/performance.md, B1). For an official's account the outer joins find nothing.

The query is written once per process from the models' metadata instead of being compiled by the ORM
on every request: compiling a five-table ``select_related`` was half the CPU of a sign-in (py-spy,
docs/performance.md). Every column is read and converted as the ORM would (tests/accounts check the
objects equal those the ORM loads), so nothing is deferred and nothing is stale.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections, models
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from cadres.models import Cadre, Region, Team

from .models import User

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
        (Token, "t", None),
        (User, "u", join("INNER", "u", User, "t", _column(Token, "user"))),
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
    key = quote(_column(Token))
    sql = f'SELECT {", ".join(columns)} FROM {" ".join(joins)} WHERE "t".{key} = %s'  # noqa: S608 (identifiers from the models' metadata; the key is a parameter)
    return sql, tuple(parts)


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


def token_with_cadre(key: str, *, using: str = "default") -> Token | None:
    """The token with its user, and the user's cadre, team and village when it has them. One query."""
    sql, parts = _query(using)
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [key])
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
    Token._meta.get_field("user").set_cached_value(token, user)
    if cadre is not None:
        User._meta.get_field("cadre").set_cached_value(user, cadre)
        Cadre._meta.get_field("team").set_cached_value(cadre, team)
        if team is not None:
            Team._meta.get_field("village").set_cached_value(team, village)
    return token


class CadreTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        token = token_with_cadre(key)
        if token is None:
            raise exceptions.AuthenticationFailed("登录凭证无效，请重新登录。")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("账号已停用，请联系管理员。")
        return token.user, token
