"""Similar areas: the areas of one type in the same city-own IMD quintile.

A profile compares each value with the city and with the other areas of its deprivation
group, so that "worse than the city" can be told from "worse than places like it".
Disclosure control protects each group's total as it protects the city's
(:mod:`app.observations.disclosure`), so both read the groups from here: the city's own
ranking of the type's areas (:func:`app.observations.deprivation.city_ranking`, the one
the gap view and the analysis use), cut into fifths of the city's areas (not England's).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.observations.deprivation import city_ranking
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
    ranking = city_ranking(session, type_code)
    if ranking is None:
        return NoGroups(f"{type_code} areas have no IMD rank or score for most of the city")
    groups = {area: ranking.group_of(area, GROUPS) for area in ranking.rank}
    return SimilarGroups(
        type_code,
        ranking.indicator,
        ranking.period,
        {area: group for area, group in groups.items() if group is not None},
        dict(ranking.codes),
    )


def plural(type_code: str, type_name: str, n: int) -> str:
    """ "LSOAs", "electoral wards": what ``n`` areas of the type are called."""
    word = type_code.upper() if type_code in ACRONYMS else type_name.lower()
    return word if n == 1 else f"{word}s"
