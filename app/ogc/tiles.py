"""Mapbox vector tiles of every layer (area types and indicators), built by PostGIS
(``ST_AsMVT``), with TileJSON documents, ETags and cache headers."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.agencies.service import Principal
from app.errors import InvalidParameterError
from app.maps.service import MapRequest, map_values
from app.ogc import service

MAX_ZOOM = 16
MVT = "application/vnd.mapbox-vector-tile"


@dataclass(frozen=True)
class Tile:
    body: bytes
    etag: str
    max_age: int


def _level(z: int) -> int:
    """Coarser display geometries when zoomed out (coverage-simplified, no slivers)."""
    return 3 if z < 9 else 2 if z < 11 else 1 if z < 13 else 0


def tile(
    session: Session,
    layer: str,
    z: int,
    x: int,
    y: int,
    principal: Principal | None,
    moment: str | None = None,
) -> Tile:
    if not (0 <= z <= MAX_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z):
        raise InvalidParameterError(f"There is no tile {z}/{x}/{y} (zoom 0 to {MAX_ZOOM})")
    indicator, type_code = service.resolve_layer(session, layer, principal)
    props: dict[str, Any] = {}
    if indicator is not None:
        period = service.period_at(session, principal, indicator, type_code, moment)
        props = map_values(session, principal, MapRequest(indicator.code, type_code, period))[
            "areas"
        ]
    # Indicator layers: areas without a value say so ("no data"); MVT drops nulls.
    status = "COALESCE(m.props->>'status', 'no data')" if indicator is not None else "NULL::text"
    level = _level(z)
    geom = "d.geom" if level else "a.geom"
    join = "JOIN area_display d ON d.area_id = a.id AND d.level = :level" if level else ""
    row = session.execute(
        text(
            f"""
            WITH bounds AS (SELECT ST_TileEnvelope(:z, :x, :y) AS merc),
            m(code, props) AS (SELECT key, value FROM jsonb_each(CAST(:props AS jsonb))),
            features AS (
                SELECT ST_AsMVTGeom(ST_Transform({geom}, 3857), b.merc, 4096, 64, true) AS geom,
                       a.code, a.name,
                       (m.props->>'value')::double precision AS value,
                       {status} AS status, m.props->>'colour' AS colour,
                       (m.props->>'class')::integer AS class, m.props->>'period' AS period
                FROM area a {join} CROSS JOIN bounds b
                LEFT JOIN m ON m.code = a.code
                WHERE a.type_code = :t
                  AND a.vintage = (SELECT max(vintage) FROM area WHERE type_code = :t)
                  AND a.geom && ST_Transform(b.merc, 4326)
            )
            SELECT ST_AsMVT(features, :layer, 4096, 'geom') FROM features
            WHERE geom IS NOT NULL
            """
        ),
        {
            "z": z,
            "x": x,
            "y": y,
            "t": type_code,
            "level": level,
            "layer": layer,
            "props": json.dumps(props),
        },
    ).scalar_one()
    body = bytes(row or b"")
    return Tile(body, hashlib.sha256(body).hexdigest()[:32], 300 if indicator else 3600)


def tilejson(
    session: Session, base: str, layer: str, principal: Principal | None
) -> dict[str, Any]:
    document = service.collection(session, base, layer, principal)
    indicator, _ = service.resolve_layer(session, layer, principal)
    minx, miny, maxx, maxy = document["extent"]["spatial"]["bbox"][0]
    fields = {"code": "String", "name": "String"}
    if indicator is not None:
        fields.update(
            {"value": "Number", "status": "String", "colour": "String", "class": "Number",
             "period": "String"}
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
