"""Area types the finest areas do not nest in, and how their areas are made of them.

Wards, named neighbourhoods, local area committees and custom patches are drawn without
regard to LSOAs, so their values cannot be summed up the hierarchy. Each of their areas
is instead *overlaid* on the finest type (the type with the most areas: LSOAs, or OAs
where they are loaded): the share of every overlapping small area's population inside
it, which small area it is the best fit of, and its **degree of fit**, the share of its
population covered by whole small areas. :mod:`app.observations.carried` carries values
along these links; :mod:`app.observations.disclosure` protects them.

Overlays are worked out again whenever areas are imported, so they always describe the
newest vintage of each type against the newest vintage of the finest.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.areas import custom_repository as custom_repo
from app.areas import overlay_repository as repo
from app.areas import repository as area_repo
from app.snapshots import cached

# Slivers below this share of a small area are boundaries generalised differently (a
# super-generalised LSOA against a generalised ward differs by a few per cent at edges).
MIN_SHARE = 0.05
# When the kept shares cover this much of a small area, they are scaled to sum to one
# (what is missing is slivers); below it the area reaches beyond the overlaid type.
RENORMALISE_ABOVE = 0.9
# A small area with this share inside an area counts as wholly inside it (what is left
# of it elsewhere is slivers).
WHOLE_SHARE = 1 - MIN_SHARE
# Values whose fit is below this are flagged as rough estimates.
LOW_FIT = 0.8
POPULATION_INDICATOR = "population"


@dataclass(frozen=True)
class OverlayReport:
    type_code: str
    vintage: int
    source_type: str
    source_vintage: int
    links: int
    basis: str


def finest_type(session: Session) -> tuple[str, int] | None:
    """The (type, newest vintage) with the most areas (the smaller on a tie)."""
    sizes = repo.type_sizes(session)
    if not sizes:
        return None
    best = max(sizes, key=lambda r: (int(r.n), -float(r.mean_km2 or 0)))
    return str(best.type_code), int(best.vintage)


def rebuild_overlays(session: Session) -> list[OverlayReport]:
    """Overlay every type that the finest does not nest in on the finest type and on
    each type it nests in (OAs, LSOAs, MSOAs), so that values are carried from the
    finest type that holds them."""
    sources = overlay_sources(session)
    if sources is None:
        return []
    chain, sources_at = sources
    reports = []
    for type_code, row in sorted(repo.type_sizes_by_code(session).items()):
        repo.clear_overlay(session, type_code)
        if type_code not in chain:
            reports += _overlay(session, (type_code, int(row.vintage)), sources_at)
    return reports


def overlay_type(session: Session, type_code: str) -> list[OverlayReport]:
    """Overlay one type (a custom area's, just made) as :func:`rebuild_overlays` would."""
    sources = overlay_sources(session)
    vintage = area_repo.latest_vintage(session, type_code)
    repo.clear_overlay(session, type_code)
    if sources is None or vintage is None or type_code in sources[0]:
        return []
    return _overlay(session, (type_code, vintage), sources[1])


def overlay_sources(session: Session) -> tuple[list[str], list[tuple[str, int]]] | None:
    """The finest type and the types it nests in (the chain), and of them the (type,
    newest vintage) values are carried from; None without areas."""
    finest = finest_type(session)
    if finest is None:
        return None
    sizes = repo.type_sizes_by_code(session)
    chain = [finest[0], *area_repo.area_type_ancestors(session, finest[0])]
    # A type of one area (the city) carries nothing anywhere.
    sources = [(t, int(sizes[t].vintage)) for t in chain if t in sizes and int(sizes[t].n) > 1]
    return chain, sources


def _overlay(
    session: Session, target: tuple[str, int], sources: list[tuple[str, int]]
) -> list[OverlayReport]:
    reports = []
    for source in sources:
        links, basis = repo.write_overlay(
            session,
            source,
            target,
            min_share=MIN_SHARE,
            renormalise_above=RENORMALISE_ABOVE,
            whole_share=WHOLE_SHARE,
            population_indicator=POPULATION_INDICATOR,
        )
        reports.append(OverlayReport(*target, *source, links, basis))
    if custom_repo.is_custom_type(session, target[0]):
        # A patch may overlap every other patch and area: best fit there is a small area
        # mostly inside it, not the one patch of its type it overlaps most.
        repo.best_by_majority(session, target[0])
    return reports


def overlaid_types(session: Session) -> dict[str, list[str]]:
    """Each overlaid type: the types its values may be carried from, finest first."""
    return cached(session, ("overlaid-types",), lambda: repo.overlaid_types(session))


def estimated_from(derived_from: str) -> str:
    """ "estimated from LSOAs" (carried to a type they do not nest in) or "converted from
    LSOAs" (across a boundary change), from a value's ``derived_from``."""
    source = derived_from.split(" (")[0].split(" ")[0]
    source = source.upper() if len(source) <= 5 else source
    how = "converted from" if "(converted)" in derived_from else "estimated from"
    return f"{how} {source}s"
