"""An officer's drawn patch: one GeoJSON geometry read and checked, framework-free.

The patch arrives as RFC 7946 GeoJSON (longitude/latitude, EPSG:4326): a Polygon or
MultiPolygon geometry, or a Feature or FeatureCollection holding exactly one. Unlike a
boundary file it is not repaired: a drawn shape that crosses itself is the officer's to
redraw, so it is refused with GEOS's reason and where.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import shapely
from shapely.errors import GEOSException
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from geodata.errors import GeodataError
from geodata.repair import to_multipolygon

MAX_VERTICES = 50_000
POLYGONAL = ("Polygon", "MultiPolygon")


class PatchGeometryError(GeodataError):
    """A drawn patch that cannot be a custom area (the message says why)."""

    code = "patch_geometry"


def read_patch(geojson: object, *, max_vertices: int = MAX_VERTICES) -> shapely.MultiPolygon:
    """The patch of a GeoJSON object as a MultiPolygon in EPSG:4326.

    Raises :class:`PatchGeometryError` for anything but one valid, non-empty polygon or
    multipolygon in longitude/latitude with at most ``max_vertices`` vertices.
    """
    geometry = _geometry_member(geojson)
    kind = geometry.get("type")
    if kind not in POLYGONAL:
        raise PatchGeometryError(
            f"A patch must be a Polygon or MultiPolygon; got {kind!r}",
            hint="draw an area, not a line or a point",
        )
    try:
        parsed: BaseGeometry = shape(dict(geometry))
    except (GEOSException, ValueError, TypeError, IndexError, AttributeError) as exc:
        raise PatchGeometryError(f"The {kind}'s coordinates cannot be read: {exc}") from exc
    if parsed.is_empty:
        raise PatchGeometryError(f"The {kind} is empty")
    coords = shapely.get_coordinates(parsed)
    if len(coords) > max_vertices:
        raise PatchGeometryError(
            f"The {kind} has {len(coords):,} vertices; at most {max_vertices:,} are accepted",
            hint="simplify it first",
        )
    if not all(math.isfinite(v) for v in coords.flat):
        raise PatchGeometryError("The coordinates must be finite numbers")
    lon, lat = abs(coords[:, 0]), abs(coords[:, 1])
    if not ((lon <= 180).all() and (lat <= 90).all()):
        raise PatchGeometryError(
            "The coordinates are not longitude/latitude",
            hint="send RFC 7946 GeoJSON (EPSG:4326), longitude first",
        )
    if not parsed.is_valid:
        raise PatchGeometryError(
            f"The {kind} is not a valid polygon: {explain_validity(parsed)}",
            hint="a ring must not cross itself or another ring",
        )
    return to_multipolygon(parsed)


def _geometry_member(geojson: object) -> Mapping[str, Any]:
    """The one geometry of a geometry, Feature or one-feature FeatureCollection."""
    if not isinstance(geojson, Mapping):
        raise PatchGeometryError("The geometry must be a GeoJSON object")
    kind = geojson.get("type")
    if kind == "FeatureCollection":
        features = geojson.get("features")
        if not isinstance(features, list) or len(features) != 1:
            raise PatchGeometryError("A FeatureCollection must hold exactly one feature")
        return _geometry_member(features[0])
    if kind == "Feature":
        return _geometry_member(geojson.get("geometry"))
    return geojson
