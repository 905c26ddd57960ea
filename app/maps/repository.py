"""SQL for maps: each area's Feature with the map's properties merged in by PostGIS."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session


def map_features(
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
    """The codes of a page of :func:`map_features` (same order, filters and paging)."""
    rows = session.execute(
        text(
            "SELECT a.code FROM area a WHERE a.type_code = :t AND a.vintage = :v "
            f"{_equals_sql(equals)} ORDER BY a.code LIMIT :limit OFFSET :offset"
        ),
        {"t": type_code, "v": vintage, "limit": limit, "offset": offset,
         **{f"eq_{k}": v for k, v in (equals or {}).items()}},
    )  # fmt: skip
    return [str(r[0]) for r in rows]


def count_areas(session: Session, type_code: str, vintage: int, equals: dict[str, str]) -> int:
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
