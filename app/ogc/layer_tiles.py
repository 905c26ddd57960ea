"""Mapbox vector tiles of every layer (area types and indicators), built by PostGIS
(``ST_AsMVT``), with TileJSON documents, ETags and cache headers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app.access.viewer import Viewer
from app.areas import repository as area_repo
from app.areas import tile_repository as tile_repo
from app.areas.tiles import MAX_ZOOM, area_tile, display_level, etag_of
from app.errors import InvalidParameterError, NotFoundError
from app.maps.service import MapRequest, map_values
from app.ogc import service

MVT = "application/vnd.mapbox-vector-tile"


@dataclass(frozen=True)
class Tile:
    body: bytes
    etag: str
    max_age: int


def tile(
    session: Session,
    layer: str,
    z: int,
    x: int,
    y: int,
    viewer: Viewer,
    moment: str | None = None,
) -> Tile:
    """A layer's tile: an area type's (built ahead at low zooms), or an indicator's, whose
    features carry the map's value, status, colour and class for a period."""
    if not (0 <= z <= MAX_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z):
        raise InvalidParameterError(f"There is no tile {z}/{x}/{y} (zoom 0 to {MAX_ZOOM})")
    indicator, type_code = service.resolve_layer(session, layer, viewer)
    vintage = area_repo.latest_vintage(session, type_code)
    if vintage is None:
        raise NotFoundError(f"There are no areas of type {type_code!r}")
    if indicator is None:
        built = area_tile(session, type_code, vintage, z, x, y)
        return Tile(built.body, built.etag, 3600)
    period = service.period_at(session, viewer, indicator, type_code, moment)
    request = MapRequest(indicator.code, type_code, period)
    areas = map_values(session, viewer, request, indicator)["areas"]
    # Only the tile's areas' values go to the database (a nation's would be 3 MB to parse
    # for every tile); the map's classes are shared by every tile (app.snapshots).
    codes = tile_repo.codes_in_tile(session, type_code, vintage, z, x, y)
    values = json.dumps({code: areas[code] for code in codes if code in areas})
    body = tile_repo.build_tile(
        session, type_code, vintage, z, x, y, display_level(z), layer, values
    )
    return Tile(body, etag_of(body), 300)


def tilejson(session: Session, base: str, layer: str, viewer: Viewer) -> dict[str, Any]:
    document = service.collection(session, base, layer, viewer)
    indicator, _ = service.resolve_layer(session, layer, viewer)
    minx, miny, maxx, maxy = document["extent"]["spatial"]["bbox"][0]
    fields = {"code": "String", "name": "String"}
    if indicator is not None:
        fields.update(
            {"value": "Number", "status": "String", "colour": "String", "class": "Number",
             "period": "String", "fit": "Number"}
        )  # fmt: skip
    return {
        "tilejson": "3.0.0",
        "name": document["title"],
        "tiles": [f"{base}/tiles/{layer}/{{z}}/{{x}}/{{y}}.mvt"],
        "minzoom": 0,
        "maxzoom": MAX_ZOOM,
        "bounds": [minx, miny, maxx, maxy],
        "vector_layers": [{"id": layer, "fields": fields, "minzoom": 0, "maxzoom": MAX_ZOOM}],
    }
