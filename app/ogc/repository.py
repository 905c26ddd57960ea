"""SQL for OGC API Features: collection extents, counts and pages of area Features."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, text
from sqlalchemy.orm import Session

from app.areas.repository import AreaQuery, count_select


def area_collections(session: Session) -> Sequence[Row[Any]]:
    """Each area type with areas: newest vintage, count and extent (lon/lat)."""
    return session.execute(
        text(
            """
            SELECT t.code, t.name, t.description, v.vintage, count(a.id) AS n,
                   ST_XMin(ST_Extent(a.geom)) AS minx, ST_YMin(ST_Extent(a.geom)) AS miny,
                   ST_XMax(ST_Extent(a.geom)) AS maxx, ST_YMax(ST_Extent(a.geom)) AS maxy
            FROM area_type t
            JOIN (SELECT type_code, max(vintage) AS vintage FROM area GROUP BY type_code) v
              ON v.type_code = t.code
            JOIN area a ON a.type_code = t.code AND a.vintage = v.vintage
            GROUP BY t.code, t.name, t.description, v.vintage
            ORDER BY t.code
            """
        )
    ).all()


def count_features(session: Session, query: AreaQuery) -> int:
    """How many areas the query matches, whatever its page."""
    sql, params = count_select(query)
    return int(session.execute(text(sql), params).scalar_one())
