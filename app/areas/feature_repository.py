"""SQL for areas as GeoJSON, built by PostGIS as text and streamed (Python never rebuilds
coordinates object by object): Features of a query, pages of them with a map's
properties merged in, counts, and each type's extent."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Row, text
from sqlalchemy.orm import Session


def _feature_sql(geom: str, precision: int) -> str:
    """SQL for one RFC 7946 Feature as JSON text.

    The geometry is spliced in as text so that it is never parsed back into a JSON
    value; to_json() quotes the id safely.
    """
    return f"""
    '{{"type":"Feature","id":' || to_json(a.code)::text
    || ',"geometry":' || ST_AsGeoJSON({geom}, {int(precision)})
    || ',"properties":' || json_build_object(
        'code', a.code, 'name', a.name, 'type', a.type_code, 'vintage', a.vintage,
        'parent', p.code, 'area_km2', round(a.area_km2::numeric, 4),
        'population', a.population
    )::text || '}}'
    """


@dataclass(frozen=True)
class AreaQuery:
    """Which areas a GeoJSON request selects (already validated)."""

    type_code: str
    vintage: int
    bbox: tuple[float, float, float, float] | None = None
    parent_ids: tuple[int, ...] | None = None
    level: int = 0
    precision: int = 9
    srid: int = 4326  # output coordinates (OGC API Part 2: crs=)
    bbox_srid: int = 4326  # the bbox's coordinates (bbox-crs=)
    code: str | None = None  # property equality filters (OGC API queryables)
    name: str | None = None
    limit: int | None = None  # a page (OGC API items)
    offset: int = 0


def feature_select(query: AreaQuery) -> tuple[str, dict[str, Any]]:
    """SQL returning one RFC 7946 Feature (as text) per row, ordered by code."""
    where, params = _area_where(query)
    joins = "LEFT JOIN area p ON p.id = a.parent_id"
    geom = "a.geom"
    if query.level:
        joins += " JOIN area_display d ON d.area_id = a.id AND d.level = :level"
        params["level"] = query.level
        geom = "d.geom"
    if query.srid != 4326:
        geom = f"ST_Transform({geom}, {int(query.srid)})"
    if query.limit is not None or query.offset:
        # Choose the page's areas first: otherwise every skipped row's GeoJSON is built
        # before the sort and the offset throw it away.
        joins += (
            f" JOIN (SELECT a.id FROM area a WHERE {where} "
            "ORDER BY a.code LIMIT :page_limit OFFSET :page_offset) page ON page.id = a.id"
        )
        params.update(page_limit=query.limit, page_offset=query.offset)
    sql = (
        f"SELECT {_feature_sql(geom, query.precision)} AS feature "
        f"FROM area a {joins} WHERE {where} ORDER BY a.code"
    )
    return sql, params


def count_select(query: AreaQuery) -> tuple[str, dict[str, Any]]:
    """SQL counting the areas a query matches, whatever its page (no GeoJSON built)."""
    where, params = _area_where(query)
    return f"SELECT count(*) FROM area a WHERE {where}", params


def _area_where(query: AreaQuery) -> tuple[str, dict[str, Any]]:
    """The WHERE clause (on ``area a``) of a query's filters, and its parameters."""
    params: dict[str, Any] = {"type_code": query.type_code, "vintage": query.vintage}
    where = ["a.type_code = :type_code", "a.vintage = :vintage"]
    if query.bbox is not None:
        envelope = "ST_MakeEnvelope(:minx, :miny, :maxx, :maxy, :bbox_srid)"
        if query.bbox_srid != 4326:
            envelope = f"ST_Transform({envelope}, 4326)"
        params["bbox_srid"] = query.bbox_srid
        where.append(f"a.geom && {envelope} AND ST_Intersects(a.geom, {envelope})")
        params.update(zip(("minx", "miny", "maxx", "maxy"), query.bbox, strict=True))
    for column in ("code", "name"):
        wanted = getattr(query, column)
        if wanted is not None:
            where.append(f"a.{column} = :eq_{column}")
            params[f"eq_{column}"] = wanted
    if query.parent_ids is not None:
        where.append(
            "a.id IN (WITH RECURSIVE below(id) AS ("
            " SELECT id FROM area WHERE parent_id = ANY(:parent_ids)"
            " UNION SELECT c.id FROM area c JOIN below b ON c.parent_id = b.id)"
            " SELECT id FROM below)"
        )
        params["parent_ids"] = list(query.parent_ids)
    return " AND ".join(where), params


def features(session: Session, query: AreaQuery) -> list[str]:
    """Every Feature text of the query, read in the session."""
    sql, params = feature_select(query)
    return [str(f) for f in session.execute(text(sql), params).scalars()]


def stream_features(engine: Engine, query: AreaQuery, batch_rows: int) -> Iterator[list[str]]:
    """Yield batches of Feature texts from a server-side cursor on its own connection.

    The streaming response outlives the request's session, so it reads on a connection
    of its own, which it always returns to the pool.
    """
    sql, params = feature_select(query)
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, max_row_buffer=batch_rows).execute(
            text(sql), params
        )
        for batch in result.scalars().partitions(batch_rows):
            yield list(batch)


def one_feature(session: Session, area_id: int, precision: int, level: int = 0) -> str | None:
    geom = "d.geom" if level else "a.geom"
    join = " JOIN area_display d ON d.area_id = a.id AND d.level = :level" if level else ""
    sql = (
        f"SELECT {_feature_sql(geom, precision)} FROM area a "
        f"LEFT JOIN area p ON p.id = a.parent_id{join} WHERE a.id = :id"
    )
    value = session.execute(text(sql), {"id": area_id, "level": level}).scalar_one_or_none()
    return None if value is None else str(value)


# ----------------------------------------------------------- features with a map's properties


def features_with_properties(
    session: Session,
    type_code: str,
    vintage: int,
    level: int,
    precision: int,
    properties: dict[str, dict[str, Any]],
    missing: dict[str, Any],
    limit: int | None = None,
    offset: int = 0,
    srid: int = 4326,
    equals: dict[str, str] | None = None,
) -> list[str]:
    """One RFC 7946 Feature (as text) per area of the type and vintage, by code, with
    ``properties[code]`` merged into its properties (``missing`` for areas without)."""
    geom = "d.geom" if level else "a.geom"
    join = "JOIN area_display d ON d.area_id = a.id AND d.level = :level" if level else ""
    if srid != 4326:
        geom = f"ST_Transform({geom}, {int(srid)})"
    rows = session.execute(
        text(
            f"""
            WITH m(code, props) AS (
                SELECT key, value FROM jsonb_each(CAST(:props AS jsonb))
            )
            SELECT '{{"type":"Feature","id":' || to_json(a.code)::text
                   || ',"geometry":' || ST_AsGeoJSON({geom}, {int(precision)})
                   || ',"properties":' || (
                        jsonb_build_object('code', a.code, 'name', a.name,
                                           'type', a.type_code)
                        || COALESCE(m.props, CAST(:missing AS jsonb)))::text
                   || '}}'
            FROM area a {join}
            LEFT JOIN m ON m.code = a.code
            WHERE a.type_code = :t AND a.vintage = :v {_equals_sql(equals)}
            ORDER BY a.code
            LIMIT :limit OFFSET :offset
            """
        ),
        {
            "t": type_code,
            "v": vintage,
            "level": level,
            "props": json.dumps(properties),
            "missing": json.dumps(missing),
            "limit": limit,
            "offset": offset,
            **{f"eq_{k}": v for k, v in (equals or {}).items()},
        },
    )
    return [str(r[0]) for r in rows]


def page_codes(
    session: Session,
    type_code: str,
    vintage: int,
    limit: int | None,
    offset: int,
    equals: dict[str, str] | None,
) -> list[str]:
    """The codes of a page of :func:`features_with_properties` (same order, filters and paging)."""
    rows = session.execute(
        text(
            "SELECT a.code FROM area a WHERE a.type_code = :t AND a.vintage = :v "
            f"{_equals_sql(equals)} ORDER BY a.code LIMIT :limit OFFSET :offset"
        ),
        {"t": type_code, "v": vintage, "limit": limit, "offset": offset,
         **{f"eq_{k}": v for k, v in (equals or {}).items()}},
    )  # fmt: skip
    return [str(r[0]) for r in rows]


def count_of_type(session: Session, type_code: str, vintage: int, equals: dict[str, str]) -> int:
    return int(
        session.execute(
            text(
                "SELECT count(*) FROM area a WHERE a.type_code = :t AND a.vintage = :v "
                + _equals_sql(equals)
            ),
            {"t": type_code, "v": vintage, **{f"eq_{k}": v for k, v in equals.items()}},
        ).scalar_one()
    )


EQUALITY_COLUMNS = ("code", "name")


def _equals_sql(equals: dict[str, str] | None) -> str:
    """``AND a.code = :eq_code`` ... for the property filters given (names are checked)."""
    parts = []
    for column in equals or {}:
        if column not in EQUALITY_COLUMNS:
            raise ValueError(f"no filter on {column!r}")
        parts.append(f"AND a.{column} = :eq_{column}")
    return " ".join(parts)


# ----------------------------------------------------------------------------- extents


def type_extents(session: Session) -> Sequence[Row[Any]]:
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
