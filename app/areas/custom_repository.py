"""SQL of custom areas (:mod:`app.areas.custom` holds the rules): who made each patch and
who may see it, the patch's boundary made of small areas, and where the city lies."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, text
from sqlalchemy.orm import Session

# The fit and the small areas are the finest type's (:small), which values come from.
CUSTOM_COLUMNS = """
    c.area_id, c.type_code, a.code, c.name, c.owner_id, c.owner, c.agency, c.sharing,
    c.made_from, c.created_at, a.vintage, a.area_km2,
    (SELECT f.fit FROM area_fit f WHERE f.area_id = a.id AND f.source_type = :small) AS fit,
    (SELECT count(*) FROM area_overlay l JOIN area s ON s.id = l.source_id
     WHERE l.target_id = a.id AND s.type_code = :small) AS small_areas
"""


def custom_types(session: Session) -> dict[str, tuple[int, str]]:
    """Every custom area's type: (owner id, sharing)."""
    rows = session.execute(text("SELECT type_code, owner_id, sharing FROM custom_area"))
    return {str(t): (int(o), str(s)) for t, o, s in rows}


def is_custom_type(session: Session, type_code: str) -> bool:
    found = session.execute(
        text("SELECT 1 FROM custom_area WHERE type_code = :t"), {"t": type_code}
    ).first()
    return found is not None


def custom_areas(session: Session, small_type: str) -> Sequence[Row[Any]]:
    """Every custom area, newest first, with its fit and small areas of ``small_type``."""
    return session.execute(
        text(
            f"SELECT {CUSTOM_COLUMNS} FROM custom_area c JOIN area a ON a.id = c.area_id "
            "ORDER BY c.created_at DESC, c.area_id DESC"
        ),
        {"small": small_type},
    ).all()


def custom_area(session: Session, code: str, small_type: str) -> Row[Any] | None:
    return session.execute(
        text(
            f"SELECT {CUSTOM_COLUMNS} FROM custom_area c JOIN area a ON a.id = c.area_id "
            "WHERE a.code = :code"
        ),
        {"code": code, "small": small_type},
    ).first()


def insert_custom_area(
    session: Session,
    *,
    type_code: str,
    code: str,
    name: str,
    owner_id: int,
    sharing: str,
    made_from: str,
) -> None:
    """Record who made the area ``code`` of ``type_code`` (the owner's name and agency
    as their account has them now)."""
    session.execute(
        text(
            """
            INSERT INTO custom_area (area_id, type_code, name, owner_id, owner, agency,
                                     sharing, made_from)
            SELECT a.id, :t, :name, u.id, u.username, ag.name, :sharing, :made_from
            FROM area a, app_user u LEFT JOIN agency ag ON ag.id = u.agency_id
            WHERE a.type_code = :t AND a.code = :code AND u.id = :owner
            """
        ),
        {"t": type_code, "code": code, "name": name, "owner": owner_id, "sharing": sharing,
         "made_from": made_from},
    )  # fmt: skip


def delete_custom_type(session: Session, type_code: str) -> None:
    """Forget a custom area: its type goes, and with it (cascading) its area, record,
    overlay, fit, display geometries and tiles."""
    session.execute(text("DELETE FROM area_type WHERE code = :t"), {"t": type_code})


def small_areas_by_code(
    session: Session, type_code: str, vintage: int, codes: Sequence[str]
) -> dict[str, int]:
    """The ids of the areas of ``type_code`` and ``vintage`` among ``codes``."""
    rows = session.execute(
        text(
            "SELECT code, id FROM area WHERE type_code = :t AND vintage = :v AND code = ANY(:codes)"
        ),
        {"t": type_code, "v": vintage, "codes": list(codes)},
    )
    return {str(code): int(id_) for code, id_ in rows}


def union_wkb(session: Session, area_ids: Sequence[int]) -> bytes:
    """The union of the areas' boundaries, polygons only, as WKB (EPSG:4326)."""
    wkb = session.execute(
        text(
            "SELECT ST_AsBinary(ST_Multi(ST_CollectionExtract(ST_UnaryUnion(ST_Collect(geom)), "
            "3))) FROM area WHERE id = ANY(:ids)"
        ),
        {"ids": list(area_ids)},
    ).scalar_one()
    return bytes(wkb)


def placement(session: Session, wkb: bytes, type_code: str, vintage: int) -> Row[Any]:
    """Where a drawn patch lies against the areas of ``type_code`` (the city): whether
    the city's bounding box holds it, the share of it the areas cover, and both sizes
    in km² (on the British National Grid, as areas are measured)."""
    return session.execute(
        text(
            """
            WITH patch AS (SELECT ST_SetSRID(ST_GeomFromWKB(:wkb), 4326) AS g),
            city AS (
                SELECT ST_SetSRID(ST_Extent(geom)::geometry, 4326) AS box,
                       sum(area_km2) AS km2
                FROM area WHERE type_code = :t AND vintage = :v
            )
            SELECT ST_CoveredBy(p.g, c.box) AS inside,
                   ST_Area(ST_Transform(p.g, 27700)) / 1e6 AS km2,
                   c.km2 AS city_km2,
                   COALESCE((SELECT sum(ST_Area(ST_Intersection(a.geom, p.g)))
                             FROM area a
                             WHERE a.type_code = :t AND a.vintage = :v AND a.geom && p.g
                               AND ST_Intersects(a.geom, p.g)), 0)
                   / NULLIF(ST_Area(p.g), 0) AS covered
            FROM patch p, city c
            """
        ),
        {"wkb": wkb, "t": type_code, "v": vintage},
    ).one()


def small_areas_near(
    session: Session, type_code: str, vintage: int, lon: float, lat: float, n: int
) -> list[str]:
    """The codes of the area of ``type_code`` nearest a point (holding it, where one
    does) and of its neighbours nearest it, ``n`` in all: a patch of adjacent areas."""
    rows = session.execute(
        text(
            """
            WITH p AS (SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) AS g),
            centre AS (
                SELECT a.id, a.code, a.geom FROM area a, p
                WHERE a.type_code = :t AND a.vintage = :v
                ORDER BY a.geom <-> p.g, a.code LIMIT 1
            )
            SELECT code FROM centre
            UNION ALL (
                SELECT a.code FROM area a, centre c, p
                WHERE a.type_code = :t AND a.vintage = :v AND a.id <> c.id
                  AND ST_Intersects(a.geom, c.geom)
                ORDER BY a.geom <-> p.g, a.code LIMIT :more
            )
            """
        ),
        {"t": type_code, "v": vintage, "lon": lon, "lat": lat, "more": n - 1},
    )
    return [str(code) for code in rows.scalars()]


def custom_area_named(session: Session, name: str, owner_id: int) -> str | None:
    """The code of the owner's custom area of that name, if any."""
    code = session.execute(
        text(
            "SELECT a.code FROM custom_area c JOIN area a ON a.id = c.area_id "
            "WHERE c.name = :name AND c.owner_id = :owner"
        ),
        {"name": name, "owner": owner_id},
    ).scalar_one_or_none()
    return None if code is None else str(code)
