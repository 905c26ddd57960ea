"""Similar areas: the areas of one type in the same city-own IMD quintile.

A profile compares each value with the city and with the other areas of its deprivation
group, so that "worse than the city" can be told from "worse than places like it".
Disclosure control protects each group's total as it protects the city's
(:mod:`app.observations.disclosure`), so both read the groups from here: the newest
vintage's areas of the type, ranked by their latest IMD rank (or score) with the rule of
:mod:`app.deprivation`, cut into fifths of the city's own areas (not England's).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy.orm import Session

from app.areas import repository as area_repo
from app.deprivation import DEPRIVATION, deprivation_groups, deprivation_rank_of
from app.indicators import repository as indicator_repo
from app.observations import values as values_repo
from app.observations.derivation import values_sql
from app.snapshots import cached

GROUPS = 5
FIFTHS = (
    "most deprived fifth",
    "second most deprived fifth",
    "middle fifth",
    "second least deprived fifth",
    "least deprived fifth",
)
ACRONYMS = {"oa", "lsoa", "msoa", "lad", "lac"}


@dataclass(frozen=True)
class SimilarGroups:
    """The IMD quintile of each ranked area of a type (0 = the most deprived fifth)."""

    type_code: str
    source: str  # the indicator the areas were ranked by (imd_rank or imd_score)
    edition: str  # its period, "2019"
    group_of: dict[int, int]  # area id -> group
    code_of: dict[int, str]  # area id -> code

    def group(self, area_id: int) -> int | None:
        return self.group_of.get(area_id)

    def members(self, group: int) -> list[str]:
        """The codes of the group's areas."""
        return sorted(self.code_of[a] for a, g in self.group_of.items() if g == group)

    def describe(self, group: int, others: int, type_name: str) -> str:
        """ "the 68 other LSOAs in the city's most deprived fifth (IMD 2019)"."""
        return (
            f"the {others} other {plural(self.type_code, type_name, others)} in the city's "
            f"{FIFTHS[group]} (IMD {self.edition})"
        )


@dataclass(frozen=True)
class NoGroups:
    """Why a type's areas have no deprivation groups."""

    why: str


def similar_groups(session: Session, type_code: str) -> SimilarGroups | NoGroups:
    """The IMD quintiles of ``type_code``'s areas (worked out once per database state)."""
    return cached(session, ("similar-groups", type_code), lambda: _groups(session, type_code))


def _groups(session: Session, type_code: str) -> SimilarGroups | NoGroups:
    # In id order, as the analysis ranks them, so that ties fall the same way.
    areas = sorted(area_repo.areas_of_type(session, type_code), key=lambda a: int(a.id))
    ids = [int(a.id) for a in areas]
    for code, sign in DEPRIVATION:
        indicator = indicator_repo.indicator(session, code)
        query = None
        if indicator is not None:
            query = values_sql(session, indicator, values_repo.ValueFilter(type_code), "g_", [])
        rows = [] if query is None else values_repo.fetch(session, query)
        if not rows or not ids:
            continue
        newest = max(r.period_start for r in rows)
        at = {int(r.area_id): r for r in rows if r.period_start == newest and r.value is not None}
        latest = np.array([float(at[i].value) if i in at else np.nan for i in ids])
        rank = deprivation_rank_of(latest, sign)
        if rank is None:
            continue
        group = deprivation_groups(rank, GROUPS)
        return SimilarGroups(
            type_code,
            code,
            str(next(iter(at.values())).period),
            {i: int(g) for i, g in zip(ids, group.tolist(), strict=True) if g >= 0},
            {int(a.id): str(a.code) for a in areas},
        )
    return NoGroups(f"{type_code} areas have no IMD rank or score for most of the city")


def plural(type_code: str, type_name: str, n: int) -> str:
    """ "LSOAs", "electoral wards": what ``n`` areas of the type are called."""
    word = type_code.upper() if type_code in ACRONYMS else type_name.lower()
    return word if n == 1 else f"{word}s"
