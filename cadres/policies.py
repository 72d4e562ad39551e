"""Rules of the regulation about a cadre's dispatch."""

from __future__ import annotations

import datetime as dt

from zhucun.policy import profile_on


def term_end_for(term_start: dt.date) -> dt.date:
    """第三条: a cadre dispatched in 2018 serves ``term_years`` (3) years in the village. The term ends
    the day before the same date ``term_years`` later (2018-07-01 → 2021-06-30); 29 February maps to
    28 February."""
    years = profile_on(term_start).term_years
    try:
        anniversary = term_start.replace(year=term_start.year + years)
    except ValueError:  # 29 February into a non-leap year
        anniversary = term_start.replace(year=term_start.year + years, day=28) + dt.timedelta(days=1)
    return anniversary - dt.timedelta(days=1)
