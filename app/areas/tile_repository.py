"""SQL of area vector tiles: Mapbox vector tiles built by ``ST_AsMVT`` from an area
type's display geometries, and the tiles built ahead into ``area_tile``."""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import Row, text
from sqlalchemy.orm import Session

EXTENT = 4096
BUFFER = 64

# Indicator layers join each area's map properties (a JSON object by area code).
_VALUES_CTE = ", m(code, props) AS (SELECT key, value FROM jsonb_each(CAST(:props AS jsonb)))"
_VALUES_JOIN = " LEFT JOIN m ON m.code = a.code"
_VALUE_COLUMNS = """,
               (m.props->>'value')::double precision AS value,
               COALESCE(m.props->>'status', 'no data') AS status,
               m.props->>'colour' AS colour, (m.props->>'class')::integer AS class,
               m.props->>'period' AS period"""


class TileRange(NamedTuple):
    """Tiles ``x0..x1`` by ``y0..y1`` (inclusive) at zoom ``z``."""

    z: int
    x0: int
    x1: int
    y0: int
    y1: int


def _tiles_sql(level: int, with_values: bool) -> str:
    """Every tile of a range with its MVT (empty where no area reaches it)."""
    geom = "d.geom" if level else "a.geom"
    join = " JOIN area_display d ON d.area_id = a.id AND d.level = :level" if level else ""
    return f"""
        WITH tiles AS (
            SELECT x, y, ST_TileEnvelope(:z, x, y) AS merc
            FROM generate_series(CAST(:x0 AS integer), CAST(:x1 AS integer)) AS x,
                 generate_series(CAST(:y0 AS integer), CAST(:y1 AS integer)) AS y
        ){_VALUES_CTE if with_values else ""}
        SELECT t.x, t.y, m_.body FROM tiles t CROSS JOIN LATERAL (
            SELECT ST_AsMVT(f, :layer, {EXTENT}, 'geom') AS body FROM (
                SELECT ST_AsMVTGeom(ST_Transform({geom}, 3857), t.merc, {EXTENT}, {BUFFER}, true)
                       AS geom, a.code, a.name{_VALUE_COLUMNS if with_values else ""}
                FROM area a{join}{_VALUES_JOIN if with_values else ""}
                WHERE a.type_code = :t AND a.vintage = :v
                  AND a.geom && ST_Transform(t.merc, 4326)
            ) f WHERE f.geom IS NOT NULL
        ) m_
    """


def _params(
    type_code: str, vintage: int, tiles: TileRange, level: int, layer: str
) -> dict[str, Any]:
    return {"t": type_code, "v": vintage, "level": level, "layer": layer, **tiles._asdict()}


def build_tile(
    session: Session,
    type_code: str,
    vintage: int,
    z: int,
    x: int,
    y: int,
    level: int,
    layer: str,
    props_json: str | None = None,
) -> bytes:
    """One tile, built now; with ``props_json`` its features carry an indicator's map
    properties (value, status, colour, class, period)."""
    params = _params(type_code, vintage, TileRange(z, x, x, y, y), level, layer)
    if props_json is not None:
        params["props"] = props_json
    row = session.execute(text(_tiles_sql(level, props_json is not None)), params).one()
    return bytes(row.body)


def codes_in_tile(
    session: Session, type_code: str, vintage: int, z: int, x: int, y: int
) -> list[str]:
    """The codes of the areas whose boxes reach a tile (those :func:`build_tile` considers)."""
    rows = session.execute(
        text(
            "SELECT a.code FROM area a WHERE a.type_code = :t AND a.vintage = :v "
            "AND a.geom && ST_Transform(ST_TileEnvelope(:z, :x, :y), 4326)"
        ),
        {"t": type_code, "v": vintage, "z": z, "x": x, "y": y},
    )
    return [str(r[0]) for r in rows]


def store_tiles(
    session: Session, type_code: str, vintage: int, tiles: TileRange, level: int
) -> int:
    """Build a range of an area type's tiles into ``area_tile``; how many were stored."""
    result = session.execute(
        text(
            "INSERT INTO area_tile (type_code, z, x, y, body, etag) "
            f"SELECT :t, :z, b.x, b.y, b.body, md5(b.body) FROM ({_tiles_sql(level, False)}) b "
            "ON CONFLICT (type_code, z, x, y) DO UPDATE "
            "SET body = EXCLUDED.body, etag = EXCLUDED.etag"
        ),
        _params(type_code, vintage, tiles, level, type_code),
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def stored_tile(session: Session, type_code: str, z: int, x: int, y: int) -> Row[Any] | None:
    """A tile built ahead (body and etag), or None."""
    return session.execute(
        text(
            "SELECT body, etag FROM area_tile WHERE type_code = :t AND z = :z AND x = :x AND y = :y"
        ),
        {"t": type_code, "z": z, "x": x, "y": y},
    ).first()


def delete_stored_tiles(session: Session, type_code: str) -> None:
    session.execute(text("DELETE FROM area_tile WHERE type_code = :t"), {"t": type_code})


def mercator_extent(
    session: Session, type_code: str, vintage: int
) -> tuple[float, float, float, float] | None:
    """The type's bounding box in Web Mercator metres (minx, miny, maxx, maxy)."""
    row = session.execute(
        text(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM ("
            "  SELECT ST_Transform(ST_SetSRID(ST_Extent(geom)::geometry, 4326), 3857) AS e"
            "  FROM area WHERE type_code = :t AND vintage = :v) s"
        ),
        {"t": type_code, "v": vintage},
    ).one()
    if row[0] is None:
        return None
    minx, miny, maxx, maxy = (float(v) for v in row)
    return minx, miny, maxx, maxy
