"""The city's own deprivation ranking of an area type's areas: who is in the most deprived
fifth or tenth of the city.

One ranking serves the analysis's gap findings, the gap view (``/api/gaps``), the map's
outline of the most deprived areas and the disclosure control (each tenth of the city's
areas by deprivation is a total that the gap publishes, :mod:`.disclosure`), so that they
all speak of the same areas.

The ranking is the city's own: IMD rank (1 = most deprived in England) or, failing
that, IMD score (higher = more deprived), ordered among the city's areas of the type and
cut into equal numbers of areas. England's deciles (``imd_decile``) are not used: in a
deprived city England's most deprived tenth can be a quarter of its areas.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.areas import repository as area_repo
from app.indicators import repository as indicator_repo
from app.observations import values as values_repo
from app.observations.derivation import values_sql
from app.snapshots import cached

# Deprivation per area, best first: the indicator and the sign that makes smaller more
# deprived (IMD rank: 1 is the most deprived; IMD score: higher is more deprived).
DEPRIVATION = (("imd_rank", 1.0), ("imd_score", -1.0))
# The ranking is used only where the newest period covers this share of the areas.
COVERAGE = 0.9
# Each tenth of the city's areas is a total the disclosure control protects: the fifths
# and tenths the gap view publishes (and its slope index, built on them) are unions of
# tenths, since position x 5 // n == (position x 10 // n) // 2.
BANDS = 10
GROUP_WORDS = {5: "fifth", 10: "tenth"}


@dataclass(frozen=True)
class Ranking:
    """The city's ranking of one area type's areas (newest vintage) by deprivation.

    ``rank`` maps an area id to its rank among the city's ranked areas (1 = most
    deprived); areas without a value are left out. ``ids`` are the type's areas in id
    order (the analysis's panel rows); ``codes`` their codes, by id."""

    type_code: str
    indicator: str  # imd_rank | imd_score
    indicator_title: str
    period: str
    rank: dict[int, int]
    ids: tuple[int, ...]
    codes: dict[int, str]

    @property
    def areas(self) -> int:
        """The type's areas (ranked or not)."""
        return len(self.ids)

    def group_of(self, area_id: int, groups: int) -> int | None:
        """The area's group (0 = the most deprived ``1/groups`` of the ranked areas), as
        :func:`app.analysis.stats.gap.deprivation_groups` cuts them; None when unranked."""
        rank = self.rank.get(area_id)
        return None if rank is None else (rank - 1) * groups // len(self.rank)

    def most_deprived(self, groups: int) -> list[str]:
        """The codes of the most deprived group's areas, most deprived first."""
        ordered = sorted(self.rank, key=self.rank.__getitem__)
        return [self.codes[i] for i in ordered if self.group_of(i, groups) == 0]


def city_ranking(session: Session, type_code: str) -> Ranking | None:
    """The city's deprivation ranking at ``type_code``, or None where no deprivation
    indicator covers the type (reused while the database is unchanged)."""
    return cached(session, ("deprivation-ranking", type_code), lambda: _ranking(session, type_code))


def _ranking(session: Session, type_code: str) -> Ranking | None:
    areas = sorted(area_repo.areas_of_type(session, type_code), key=lambda r: int(r.id))
    ids = tuple(int(r.id) for r in areas)
    codes = {int(r.id): str(r.code) for r in areas}
    if not ids:
        return None
    for code, sign in DEPRIVATION:
        indicator = indicator_repo.indicator(session, code)
        query = None
        if indicator is not None:
            query = values_sql(session, indicator, values_repo.ValueFilter(type_code), "d_", [])
        if indicator is None or query is None:
            continue
        rows = [r for r in values_repo.fetch(session, query) if int(r.area_id) in codes]
        if not rows:
            continue
        newest = max(r.period_start for r in rows)
        latest = {
            int(r.area_id): float(r.value)
            for r in rows
            if r.period_start == newest and r.value is not None
        }
        if len(latest) < COVERAGE * len(ids):
            continue
        # Ties keep the order of the ids, as the analysis's stable sort did.
        position = {area: n for n, area in enumerate(ids)}
        order = sorted(latest, key=lambda i: (sign * latest[i], position[i]))
        period = next(str(r.period) for r in rows if r.period_start == newest)
        return Ranking(
            type_code,
            code,
            str(indicator.title),
            period,
            {area: n for n, area in enumerate(order, start=1)},
            ids,
            codes,
        )
    return None
