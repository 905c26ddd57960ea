"""What the public may see of an indicator's values: disclosure control that survives
differencing.

Hiding each small count on its own is not enough: a published MSOA value minus its
published LSOAs gives back the one LSOA hidden among them. So the values of an
indicator in a period are protected together, across every area type at once, by
primary and complementary suppression (:mod:`.suppression`) over these sum relations:

- an area's value is the sum of the values of the areas directly below it, one
  relation per type below (the nearest area above that has a value stands in for a
  parent without one);
- "every area of a type together" (the city benchmark of profiles and OGC fields) is
  the sum of that type's values: it is never a cell, so its members are hidden for it,
  and it is withheld where even that cannot protect them (:meth:`Disclosure.hides_total`);

Relations come from :data:`RELATION_SOURCES`. Values carried to a type the small areas
do not nest in (:mod:`app.observations.carried`) are protected by what they are made of:
one carried by best fit is the sum of its small areas, a relation like any other; one
carried by population shares is a weighted sum, hidden wherever any small area it
shares is hidden, so that it is only ever a combination of published values. A custom
area (:mod:`app.areas.custom`) is in no relation: patches overlap each other and every
other type, and two may differ by one small area, so each of its values, however
carried, is hidden wherever any small area it is made of is (and the custom area's
type total with it), and defining patches changes nothing anyone else sees.

The areas of a type in one city-own IMD quintile together (the "similar areas" of
profiles, :mod:`.similar`) are no relation here: a group's total is withheld wherever one
of its members is hidden (:meth:`Disclosure.hides_similar`), so that it only ever adds up
published values. Protecting it as a relation is not enough: its hidden members, each
relation protected on its own, can hold a ward's hidden members and one more, and the
group less the ward gives that one back (``tests/partners/test_similar_areas.py``). The
gap view's groups by the city's own deprivation ranking (:mod:`.deprivation`: the most
deprived fifth or tenth, the rest, and the tenths of its slope index) are the same kind
of union and are kept the same way: withheld in a period wherever any area of the
ranked type is hidden in it (:meth:`Disclosure.hides_groups`).

A value computed from others (a rate from a count and a population) is hidden wherever
one of its inputs is, and takes the highest of their thresholds; so a derived indicator
never shows what its inputs hide.

The pattern of a period depends only on that period's values, so the mask of one
period (a map) is the same as that period's part of the mask of all periods (a
profile). Masks are worked out once per database state (:mod:`app.snapshots`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from sqlalchemy.orm import Session

from app.access import policy
from app.access.viewer import Viewer
from app.areas import custom
from app.areas import lookup_repository as lookup_repo
from app.areas import overlay_repository as overlay_repo
from app.areas import repository as area_repo
from app.indicators import repository as indicator_repo
from app.indicators.indicator import Apportionment, Indicator
from app.observations import values as sql
from app.observations.carried import ESTIMATED
from app.observations.conversion import CONVERTED
from app.observations.deprivation import BANDS, city_ranking
from app.observations.derivation import values_sql
from app.observations.similar import SimilarGroups, similar_groups
from app.observations.suppression import Relation, suppress
from app.snapshots import cached

Cell = tuple[int, str]  # (area id, period)
Total = tuple[str, str, str]  # ("every", area type, period)
Key = Cell | Total


@dataclass(frozen=True)
class Cells:
    """The counts behind an indicator's values in some periods, at every area type."""

    counts: dict[Cell, float]
    type_of: dict[int, str]
    parent_of: dict[int, int]
    # Cells carried from small areas: the small areas each is made of.
    carried: dict[Cell, tuple[int, ...]] = field(default_factory=dict)
    carried_whole: bool = False  # by best fit: each is exactly the sum of its small areas
    # Cells converted from an older vintage: the older areas each is made of.
    converted: dict[Cell, tuple[int, ...]] = field(default_factory=dict)
    # Each area's tenth of its type by the city's deprivation ranking (0 = most deprived).
    band_of: dict[int, int] = field(default_factory=dict)
    # Each area's city-own IMD quintile, where its type has them (profiles' similar areas).
    similar_of: dict[int, int] = field(default_factory=dict)
    # Custom areas' cells: the small areas each is made of. They are in no relation.
    apart: dict[Cell, tuple[int, ...]] = field(default_factory=dict)


RelationSource = Callable[[Cells], Iterable[Relation[Key]]]


def hierarchy_relations(cells: Cells) -> Iterable[Relation[Key]]:
    """Each area with a value is the sum of the areas below it, one relation per type."""
    groups: dict[tuple[Cell, str], list[Key]] = defaultdict(list)
    for area, period in cells.counts:
        parent = cells.parent_of.get(area)
        while parent is not None and (parent, period) not in cells.counts:
            parent = cells.parent_of.get(parent)
        if parent is not None:
            groups[((parent, period), cells.type_of[area])].append((area, period))
    for (total, _), members in groups.items():
        yield Relation(total, tuple(members))


def type_total_relations(cells: Cells) -> Iterable[Relation[Key]]:
    """Every area of a type together, in each period."""
    groups: dict[Total, list[Key]] = defaultdict(list)
    for area, period in cells.counts:
        groups[("every", cells.type_of[area], period)].append((area, period))
    for total, members in groups.items():
        yield Relation(total, tuple(members), cell_total=False)


def carried_relations(cells: Cells) -> Iterable[Relation[Key]]:
    """A value carried by best fit is the sum of its small areas."""
    if not cells.carried_whole:
        return
    for (area, period), sources in cells.carried.items():
        members = tuple((s, period) for s in sources)
        if (area, period) in cells.counts and all(m in cells.counts for m in members):
            yield Relation((area, period), members)


RELATION_SOURCES: list[RelationSource] = [
    hierarchy_relations,
    type_total_relations,
    carried_relations,
]


@dataclass(frozen=True)
class Mask:
    """The cells hidden from the public, and the type totals and similar-area groups
    withheld from them."""

    cells: frozenset[Cell]
    totals: frozenset[tuple[str, str]]  # (area type, period)
    types: frozenset[tuple[str, str]]  # (area type, period) of every hidden cell
    # (area type, period) where the gap's groups by deprivation are withheld
    bands: frozenset[tuple[str, str]] = frozenset()
    groups: frozenset[tuple[str, int, str]] = frozenset()  # (type, quintile, period) hiding one


NOTHING_HIDDEN = Mask(frozenset(), frozenset(), frozenset())


@dataclass(frozen=True)
class Disclosure:
    """What one viewer may not see of one indicator's values (``mask`` None: nothing
    is hidden from them)."""

    mask: Mask | None

    def hides(self, row: Any) -> bool:
        """Whether the value of ``row`` (with ``area_id`` and ``period``) is hidden."""
        return self.mask is not None and (row.area_id, row.period) in self.mask.cells

    def hides_any(self, rows: Iterable[Any]) -> bool:
        return self.mask is not None and any(self.hides(r) for r in rows)

    def hides_total(self, type_code: str, period: str) -> bool:
        """Whether "every area of ``type_code`` together" in ``period`` is withheld."""
        return self.mask is not None and (type_code, period) in self.mask.totals

    def hides_groups(self, type_code: str, period: str) -> bool:
        """Whether the totals of groups of ``type_code``'s areas by deprivation (the
        gap's most deprived fifth or tenth, the rest) in ``period`` are withheld."""
        return self.mask is not None and (type_code, period) in self.mask.bands

    def hides_similar(self, type_code: str, group: int, period: str) -> bool:
        """Whether the similar areas of IMD quintile ``group`` (0 = the most deprived
        fifth) of ``type_code`` in ``period`` are withheld: wherever one of them is hidden."""
        if self.mask is None:
            return False
        return (type_code, group, period) in self.mask.groups

    def hides_at(self, type_code: str | None, period: str) -> bool:
        """Whether anything is hidden at ``type_code`` (None: at any type) in ``period``,
        a cell or the type's total."""
        if self.mask is None:
            return False
        found = self.mask.types | self.mask.totals
        return any(p == period and type_code in (None, t) for t, p in found)


SEES_ALL = Disclosure(None)


def for_viewer(
    session: Session,
    viewer: Viewer,
    indicator: Indicator,
    start_from: date | None = None,
    start_to: date | None = None,
) -> Disclosure:
    """What ``viewer`` may not see of ``indicator`` in the periods starting between
    ``start_from`` and ``start_to`` (every period when both are None)."""
    if policy.sees_small_counts(viewer):
        return SEES_ALL
    return Disclosure(public_mask(session, indicator, start_from, start_to))


def effective_threshold(session: Session, indicator: Indicator) -> int | None:
    """The indicator's disclosure threshold, or the highest of its inputs' if higher."""
    found = [indicator.disclosure_threshold]
    found += [effective_threshold(session, part) for part in _inputs(session, indicator)]
    present = [t for t in found if t]
    return max(present) if present else None


def public_mask(
    session: Session,
    indicator: Indicator,
    start_from: date | None = None,
    start_to: date | None = None,
) -> Mask:
    key = ("public-mask", indicator.code, start_from, start_to)
    return cached(session, key, lambda: _mask(session, indicator, start_from, start_to))


def _inputs(session: Session, indicator: Indicator) -> list[Indicator]:
    if not indicator.derived:
        return []
    codes = [c for c in (indicator.numerator, indicator.denominator) if c is not None]
    parts = indicator_repo.indicators_by_code(session, codes)
    return [parts[c] for c in codes if c in parts]


def _mask(
    session: Session, indicator: Indicator, start_from: date | None, start_to: date | None
) -> Mask:
    forced: set[Cell] = set()
    for part in _inputs(session, indicator):
        forced |= public_mask(session, part, start_from, start_to).cells
    threshold = effective_threshold(session, indicator)
    if not threshold and not forced:
        return NOTHING_HIDDEN
    cells = _cells(session, indicator, start_from, start_to)
    relations = [r for source in RELATION_SOURCES for r in source(cells)]
    hidden: set[Cell] = set()
    withheld: set[tuple[str, str]] = set()
    for period, (counts, rels) in _by_period(cells.counts, relations).items():
        found = suppress(counts, rels, threshold, (c for c in forced if c[1] == period))
        hidden.update(cast(frozenset[Cell], found.cells))  # totals that are no cell go to .totals
        withheld.update((str(total[1]), period) for total in found.totals)
    # A weighted sum is published only where all it is made of is.
    shared_out = [*cells.converted.items()]
    if not cells.carried_whole:
        shared_out += cells.carried.items()
    hidden.update(
        cell for cell, sources in shared_out if any((s, cell[1]) in hidden for s in sources)
    )
    # A custom area (which may overlap any other, and differ from another by one small
    # area) is published only where every small area it is made of is: it only ever adds
    # up published values, and it changes no one else's pattern.
    kept_apart = {cell for cell, sources in cells.apart.items()
                  if not sources or any((s, cell[1]) in hidden for s in sources)}  # fmt: skip
    hidden |= kept_apart
    withheld.update((cells.type_of[area], period) for area, period in kept_apart)
    types = {(cells.type_of[area], period) for area, period in hidden}
    groups = {(cells.type_of[area], cells.similar_of[area], period)
              for area, period in hidden if area in cells.similar_of}  # fmt: skip
    bands = {(cells.type_of[area], period) for area, period in hidden if area in cells.band_of}
    return Mask(
        frozenset(hidden), frozenset(withheld), frozenset(types), frozenset(bands),
        frozenset(groups),
    )  # fmt: skip


def _cells(
    session: Session, indicator: Indicator, start_from: date | None, start_to: date | None
) -> Cells:
    counts: dict[Cell, float] = {}
    type_of: dict[int, str] = {}
    carried: dict[Cell, tuple[int, ...]] = {}
    whole = indicator.carried_by is Apportionment.BEST_FIT
    made_of = carried_sources(session, best_fit=whole)
    converted: dict[Cell, tuple[int, ...]] = {}
    older = cached(session, ("converted-from",), lambda: lookup_repo.converted_from(session))
    band_of: dict[int, int] = {}
    similar_of: dict[int, int] = {}
    apart: dict[Cell, tuple[int, ...]] = {}
    for type_code in area_repo.area_type_codes(session):
        is_custom = custom.is_custom_type(session, type_code)
        groups = similar_groups(session, type_code)
        if isinstance(groups, SimilarGroups):
            similar_of.update(groups.group_of)
        f = sql.ValueFilter(type_code, None, start_from, start_to)
        values = values_sql(session, indicator, f, "m_", [])
        if values is None:
            continue
        ranking = city_ranking(session, type_code)
        if ranking is not None:
            band_of.update((i, ranking.group_of(i, BANDS) or 0) for i in ranking.rank)
        for row in sql.fetch(session, values):
            cell = (int(row.area_id), str(row.period))
            if row.fit is not None and str(row.derived_from).endswith(CONVERTED):
                converted[cell] = older.get(cell[0], ())
            elif row.fit is not None:
                source_type = str(row.derived_from).removesuffix(ESTIMATED)
                carried[cell] = made_of.get((cell[0], source_type), ())
            if is_custom:
                apart[cell] = carried.pop(cell, ())
                type_of[cell[0]] = type_code
                continue
            count = indicator.count_behind(row.value, row.numerator, row.denominator)
            if count is not None:
                counts[cell] = float(count)
                type_of[cell[0]] = type_code
    return Cells(
        counts, type_of, area_parents(session), carried, whole, converted, band_of, similar_of,
        apart,
    )  # fmt: skip


def carried_sources(session: Session, *, best_fit: bool) -> dict[tuple[int, str], tuple[int, ...]]:
    """The small areas each overlaid area is made of, per type of small area (the
    best-fit ones only, or every one it shares)."""

    def load() -> dict[tuple[int, str], tuple[int, ...]]:
        found: dict[tuple[int, str], list[int]] = defaultdict(list)
        for link in overlay_repo.overlay_links(session):
            if link.best or not best_fit:
                found[(int(link.target_id), str(link.source_type))].append(int(link.source_id))
        return {k: tuple(v) for k, v in found.items()}

    return cached(session, ("carried-sources", best_fit), load)


def area_parents(session: Session) -> dict[int, int]:
    return cached(session, ("area-parents",), lambda: area_repo.parent_ids(session))


def _by_period(
    counts: dict[Cell, float], relations: Sequence[Relation[Key]]
) -> dict[str, tuple[dict[Key, float], list[Relation[Key]]]]:
    out: dict[str, tuple[dict[Key, float], list[Relation[Key]]]] = {}
    for (area, period), count in counts.items():
        out.setdefault(period, ({}, []))[0][(area, period)] = count
    for rel in relations:
        period = str(rel.total[-1])
        if period in out:
            out[period][1].append(rel)
    return out
