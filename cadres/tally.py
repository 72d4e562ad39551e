"""Per-county tallies of teams and cadres in post (``CountyTally``, decision 0180).

Database triggers on the teams and the cadres keep them (migration 0007); this module rebuilds them
and checks them against the tables — the suite's check and the repair after a bulk load.
"""

from __future__ import annotations

from django.db import connection, transaction

#: Per county: its teams and its cadres in post, as the tables give them.
_COUNTED = """
    SELECT substr(t.village_id, 1, 6), count(*), coalesce(sum(c.n), 0)
      FROM cadres_team t
      LEFT JOIN (SELECT team_id, count(*) AS n FROM cadres_cadre WHERE status = 'active' GROUP BY team_id) c
        ON c.team_id = t.id
     GROUP BY 1
"""


@transaction.atomic
def rebuild() -> int:
    """Recount every county; returns the rows written. Two statements."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM cadres_county_tally")
        cursor.execute("INSERT INTO cadres_county_tally (county_code, teams, active_cadres) " + _COUNTED)
        return cursor.rowcount


def differences() -> list[tuple[str, tuple[int, int] | None, tuple[int, int] | None]]:
    """Counties whose tally differs from the tables: (county, kept, counted), a missing row counting as
    zero. Empty when the tallies are exact. Two queries."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT county_code, teams, active_cadres FROM cadres_county_tally")
        kept = {county: (int(teams), int(active)) for county, teams, active in cursor.fetchall()}
        cursor.execute(_COUNTED)
        counted = {county: (int(teams), int(active)) for county, teams, active in cursor.fetchall()}
    return [
        (county, kept.get(county), counted.get(county))
        for county in sorted(set(kept) | set(counted))
        if kept.get(county, (0, 0)) != counted.get(county, (0, 0))
    ]
