"""Matrix entries of the file (第十五条2 统一规范管理档案, decision 0132).

Whoever sees the cadre or the team by scope and keeps or reads files — organization departments, the
township, the dispatching unit — opens it and downloads it; a cadre (who sees the team-mates) does not
read their files (403); out of scope is 404.
"""

from __future__ import annotations

from django.urls import reverse

from .common import REGIONAL, Case, scoped

READERS = REGIONAL | {"unit"}

MATRIX: dict[str, Case] = {
    "archive-cadre": Case(
        "get", lambda w, t: reverse("archive-cadre", args=[w.leaders[t or ""].pk]), scoped(READERS), api=False
    ),
    "archive-cadre-download": Case(
        "get", lambda w, t: reverse("archive-cadre-download", args=[w.leaders[t or ""].pk]), scoped(READERS), api=False
    ),
    "archive-team": Case(
        "get", lambda w, t: reverse("archive-team", args=[w.teams[t or ""].pk]), scoped(READERS), api=False
    ),
    "archive-team-download": Case(
        "get", lambda w, t: reverse("archive-team-download", args=[w.teams[t or ""].pk]), scoped(READERS), api=False
    ),
}

EXTRA: dict[str, Case] = {}
