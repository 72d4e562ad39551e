"""Matrix entries of the leave app's routes (pages and API)."""

from __future__ import annotations

from .common import Case

MATRIX: dict[str, Case] = {}
EXTRA: dict[str, Case] = {}
