"""Database conventions every app shares (the foundation: no app of its own is imported here).

The big tables carry the org-tree key they are filtered by (a region code, most often the 12-digit
``village_code``) and scoping is a prefix filter on it (``village_code LIKE '130125%'``). On PostgreSQL
such a filter uses a B-tree index under a non-C collation only with the pattern operator class; other
databases ignore ``opclasses``. Each index lists one operator class per column.
"""

from __future__ import annotations

#: The operator class of a region-code column a prefix filter reads.
PATTERN_OPS = "varchar_pattern_ops"

#: An index on a region code alone: ``models.Index(fields=["village_code"], opclasses=CODE_OPCLASSES)``.
CODE_OPCLASSES = [PATTERN_OPS]

#: An index on a region code then a date, the big tables' (``village_code``, ``date``) index.
PREFIX_OPCLASSES = [PATTERN_OPS, "date_ops"]


def prefix_range(field: str, prefix: str) -> dict[str, str]:
    """The filter ``field`` starts with ``prefix``, as a range (``field >= '13' AND field < '14'``): the
    same rows for codes of digits, read through the column's plain B-tree index — a foreign key's or a
    primary key's — which also yields them in code order, as a list paged in code order needs (the
    pattern index of a ``LIKE '13%'`` does not give that order). An empty prefix is no filter."""
    if not prefix:
        return {}
    return {f"{field}__gte": prefix, f"{field}__lt": prefix[:-1] + chr(ord(prefix[-1]) + 1)}
