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
            SELECT t.code, t.name, t.description, v.vintage, x.n,
                   ST_XMin(x.box) AS minx, ST_YMin(x.box) AS miny,
                   ST_XMax(x.box) AS maxx, ST_YMax(x.box) AS maxy
            FROM area_type t
            JOIN (SELECT type_code, max(vintage) AS vintage FROM area GROUP BY type_code) v
              ON v.type_code = t.code
            CROSS JOIN LATERAL (
                SELECT count(*) AS n, ST_Extent(a.geom) AS box FROM area a
                WHERE a.type_code = t.code AND a.vintage = v.vintage
            ) x
            ORDER BY t.code
            """
        )
    ).all()


def count_features(session: Session, query: AreaQuery) -> int:
    """How many areas the query matches, whatever its page."""
    sql, params = count_select(query)
    return int(session.execute(text(sql), params).scalar_one())
