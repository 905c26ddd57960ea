"""Repairing invalid polygons without silently losing area.

``shapely.make_valid`` turns any geometry valid, but what it keeps depends on how it reads
the rings, and a boundary that loses a part is data loss nobody notices. So every repair is
measured: the area the feature was meant to have is compared with the area after repair, and
a repair that changes it by more than :data:`MAX_REPAIR_CHANGE_PCT` is refused unless forced.

"Meant to have" is the even-odd area of each polygon part: each of its rings is made a valid
polygon on its own and they are combined by symmetric difference (a region is inside if an
odd number of rings enclose it, as ESRI, the source of ONS boundaries, reads rings). A true
second part stored as a "hole lying outside the shell" (Sheffield LSOA E01008111 and 13 other
features upstream, see ``SOURCES.md``) therefore counts as area. Parts are then combined by
union, the area a MultiPolygon covers.

What GEOS 3.14's default ("linework") make_valid does, measured on real data:

* a part stored as a hole outside its shell is kept (R sf's s2 repair, and GEOS's
  ``method="structure"``, drop it: E01008111 shrank from 0.27 to 0.003 km²);
* overlapping parts of a MultiPolygon are combined even-odd: the overlap becomes a hole.
  Three national BSC LSOAs (E01018992, E01019228, E01024572) have a part nested inside
  another, and there the hole is right (the neighbouring LSOA fills it), but for parts that
  merely overlap it loses area. Such repairs change the area by more than the limit, so they
  are refused with a hint, and ``--force`` accepts them.

Areas are compared in EPSG:6933 (WGS 84 / NSIDC EASE-Grid 2.0 Global), an equal-area
projection: ratios and km² are true anywhere on Earth, and it is one vectorised coordinate
transform, whereas geodesic areas (pyproj.Geod) would need a Python call per ring.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cache

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

# Largest accepted change of area, in percent, for a repair to be applied without --force.
MAX_REPAIR_CHANGE_PCT = 0.1

EQUAL_AREA_CRS = "EPSG:6933"


@cache
def _to_equal_area() -> Transformer:
    # Built on first use, not at import.
    return Transformer.from_crs("EPSG:4326", EQUAL_AREA_CRS, always_xy=True)


@dataclass(frozen=True)
class RepairReport:
    """What repairing one invalid geometry did.

    Attributes
    ----------
    index : int
        Position of the feature in the file (0-based).
    code : str or None
        The feature's area code.
    reason : str
        Why the geometry was invalid (``shapely.validation.explain_validity``).
    area_before : float
        Even-odd area of the original rings, km².
    area_after : float
        Area after ``shapely.make_valid``, km².
    change_pct : float
        ``100 * (area_after - area_before) / area_before``.
    parts_before, parts_after : int
        Number of polygon parts before and after repair.
    accepted : bool
        Whether the repaired geometry is used (within the limit, or forced).
    hole_outside_shell : bool
        Whether a hole lies (mostly) outside its shell: the sign of a multi-part polygon
        stored as one polygon.
    overlapping_parts : bool
        Whether parts overlap or nest; ``make_valid`` turns the overlap into a hole.
    lost_area_held_by : tuple of str
        Codes of other features of the same file that cover the area the repair removed;
        when they cover it, the removed area was an enclave drawn as a nested part, and
        the repair is accepted (see :func:`accept_enclaves`).
    """

    index: int
    code: str | None
    reason: str
    area_before: float
    area_after: float
    change_pct: float
    parts_before: int
    parts_after: int
    accepted: bool
    hole_outside_shell: bool = False
    overlapping_parts: bool = False
    lost_area_held_by: tuple[str, ...] = ()

    def describe(self) -> str:
        """One line for reports and logs."""
        state = "repaired" if self.accepted else "refused"
        text = (
            f"feature #{self.index} (code {self.code!r}) {state}: {self.reason}; "
            f"{self.area_before:.4f} km² -> {self.area_after:.4f} km² ({self.change_pct:+.3f}%), "
            f"{self.parts_before} -> {self.parts_after} part(s)"
        )
        if self.lost_area_held_by:
            text += (
                "; the area removed is held by "
                + ", ".join(self.lost_area_held_by)
                + " (an enclave drawn as a nested part)"
            )
        return text


def polygonal_parts(geometry: BaseGeometry | None) -> list[Polygon]:
    """Return the non-empty polygons of a geometry, flattening collections.

    Lines and points (what ``make_valid`` keeps of collapsed rings) are dropped.
    """
    if geometry is None or geometry.is_empty:
        return []
    if isinstance(geometry, Polygon):
        return [geometry]
    if isinstance(geometry, MultiPolygon):
        return [p for p in geometry.geoms if not p.is_empty]
    if isinstance(geometry, shapely.GeometryCollection):
        return [p for g in geometry.geoms for p in polygonal_parts(g)]
    return []


def to_multipolygon(geometry: BaseGeometry | None) -> MultiPolygon:
    """Return the polygonal content of a geometry as a MultiPolygon (possibly empty)."""
    if isinstance(geometry, MultiPolygon):
        return geometry
    return MultiPolygon(polygonal_parts(geometry))


def even_odd_geometry(geometry: BaseGeometry) -> BaseGeometry:
    """Return the area a possibly invalid polygon was meant to cover.

    Parameters
    ----------
    geometry : Polygon or MultiPolygon
        Possibly invalid.

    Returns
    -------
    shapely geometry
        A valid (Multi)Polygon: per part, the symmetric difference of its rings each made a
        valid polygon (the even-odd rule); the union of the parts.
    """
    parts: list[BaseGeometry] = []
    for part in polygonal_parts(geometry):
        region: BaseGeometry = Polygon()
        for ring in _rings(part):
            region = shapely.symmetric_difference(region, _ring_region(ring))
        parts.append(region)
    return shapely.union_all(parts) if parts else Polygon()


def has_overlapping_parts(geometry: BaseGeometry) -> bool:
    """Tell whether two parts of a MultiPolygon overlap (one nested in another included)."""
    shells = [_ring_region(part.exterior) for part in polygonal_parts(geometry)]
    if len(shells) < 2:
        return False
    tree = shapely.STRtree(shells)
    left, right = tree.query(shells, predicate="overlaps")
    if (left != right).any():
        return True
    left, right = tree.query(shells, predicate="contains")
    return bool((left != right).any())


def equal_area_km2(geometry: BaseGeometry) -> float:
    """Area in km² of a lon/lat (EPSG:4326) geometry, measured in equal-area EPSG:6933."""
    projected = shapely.transform(geometry, _project_equal_area)
    return float(projected.area) / 1e6


def repair_geometry(
    geometry: BaseGeometry,
    *,
    index: int,
    code: str | None,
    force: bool = False,
    make_valid: Callable[[BaseGeometry], BaseGeometry] = shapely.make_valid,
) -> tuple[MultiPolygon, RepairReport]:
    """Make an invalid lon/lat polygon valid and measure what that did to its area.

    Parameters
    ----------
    geometry : Polygon or MultiPolygon
        Invalid geometry in EPSG:4326.
    index : int
        Position of the feature, for the report.
    code : str or None
        Area code, for the report.
    force : bool, default False
        Accept the repair even when the area changes by more than
        :data:`MAX_REPAIR_CHANGE_PCT`.
    make_valid : callable, default shapely.make_valid
        The repair. Other repairs read rings differently: GEOS's ``method="structure"`` and
        s2 (R sf) drop a part stored as a hole outside its shell, which GEOS 3.14's default
        "linework" method keeps. The area check is the same whatever the repair.

    Returns
    -------
    (MultiPolygon, RepairReport)
        The repaired geometry (only its polygonal parts) and the report; ``report.accepted``
        tells whether the caller may use it.
    """
    repaired = to_multipolygon(make_valid(geometry))
    before = equal_area_km2(even_odd_geometry(geometry))
    after = equal_area_km2(repaired)
    if before > 0:
        change_pct = 100.0 * (after - before) / before
    else:
        change_pct = 0.0 if after == 0 else float("inf")
    within_limit = abs(change_pct) <= MAX_REPAIR_CHANGE_PCT
    report = RepairReport(
        index=index,
        code=code,
        reason=explain_validity(geometry),
        area_before=before,
        area_after=after,
        change_pct=change_pct,
        parts_before=len(polygonal_parts(geometry)),
        parts_after=len(repaired.geoms),
        accepted=within_limit or force,
        hole_outside_shell=has_hole_outside_shell(geometry),
        overlapping_parts=has_overlapping_parts(geometry),
    )
    return repaired, report


def has_hole_outside_shell(geometry: BaseGeometry) -> bool:
    """Tell whether any hole of any part lies mostly outside that part's shell."""
    for part in polygonal_parts(geometry):
        shell = _ring_region(part.exterior)
        for ring in part.interiors:
            hole = _ring_region(ring)
            if hole.area > 0 and hole.difference(shell).area > 0.5 * hole.area:
                return True
    return False


# --- helpers -------------------------------------------------------------------------------


def _rings(polygon: Polygon) -> list[shapely.LinearRing]:
    return [polygon.exterior, *polygon.interiors]


def _ring_region(ring: shapely.LinearRing) -> BaseGeometry:
    """The area a ring encloses, as a valid (Multi)Polygon (a bowtie gives two triangles)."""
    try:
        region = shapely.make_valid(Polygon(ring))
    except (ValueError, shapely.errors.GEOSException):
        # a ring too short to form a polygon encloses nothing
        return Polygon()
    return to_multipolygon(region)


def _project_equal_area(xy: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    x, y = _to_equal_area().transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


# Share of a repair's lost area that neighbours must cover for it to count as an enclave.
ENCLAVE_COVER = 0.999


def accept_enclaves(
    originals: Sequence[BaseGeometry],
    repaired: Sequence[MultiPolygon],
    reports: dict[int, RepairReport],
    codes: Sequence[str],
) -> dict[int, RepairReport]:
    """Accept refused repairs whose lost area belongs to other features of the file.

    ONS files draw some enclaves as a part nested inside another part rather than as a
    hole. ``make_valid`` reads the nesting as a hole, which looks like lost area, but if
    the other features of the same file cover that area, the hole is right: the area
    belongs to the neighbour. Such repairs are accepted and say who holds the area.

    Parameters
    ----------
    originals, repaired : sequences of geometries, EPSG:4326, aligned by feature index
    reports : dict of feature index -> RepairReport
        The repairs to reconsider (only refused ones are).
    codes : sequence of str
        Feature codes, aligned by index.

    Returns
    -------
    dict of feature index -> RepairReport
        ``reports`` with the enclave repairs now accepted.
    """
    refused = {i: r for i, r in reports.items() if not r.accepted}
    if not refused:
        return reports
    tree = shapely.STRtree(list(repaired))
    result = dict(reports)
    for index, report in refused.items():
        lost = shapely.difference(even_odd_geometry(originals[index]), repaired[index])
        if lost.is_empty or lost.area <= 0:
            continue
        holders = [int(j) for j in tree.query(lost, predicate="intersects") if int(j) != index]
        if not holders:
            continue
        covered = shapely.intersection(lost, shapely.union_all([repaired[j] for j in holders]))
        if covered.area >= ENCLAVE_COVER * lost.area:
            held_by = tuple(
                codes[j] for j in holders if shapely.intersection(lost, repaired[j]).area > 0
            )
            result[index] = replace(report, accepted=True, lost_area_held_by=held_by)
    return result
