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
