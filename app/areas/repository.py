"""SQL about areas: their types and vintages, codes and names, writing them, parents.
Their GeoJSON is :mod:`.feature_repository`'s and their tiles :mod:`.tile_repository`'s."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Row, text
from sqlalchemy.orm import Session

from app.bulk import copy_into_temp

# ----------------------------------------------------------------------------- area types


def area_types(session: Session) -> Sequence[Row[Any]]:
    """Every area type with its parent, children and per-vintage counts."""
    # Joins rather than a subquery per type: without fresh statistics (just after an
    # import) the planner multiplies a per-type scan of the areas by hundreds of guessed
    # types, crosses jit_above_cost, and JIT compilation took 0.3-0.8 s of the map's first
    # paint, for a 50 ms query.
    return session.execute(
        text(
            """
            WITH counts AS (
                SELECT type_code, vintage, count(*) AS n FROM area GROUP BY type_code, vintage
            ), sources AS (
                SELECT type_code, vintage, array_agg(source ORDER BY source) AS sources
                FROM (SELECT DISTINCT type_code, vintage, source FROM area
                      WHERE source IS NOT NULL) s
                GROUP BY type_code, vintage
            ), vintages AS (
                SELECT c.type_code,
                       json_agg(json_build_object('vintage', c.vintage, 'count', c.n,
                                                  'sources', COALESCE(s.sources, '{}'))
                                ORDER BY c.vintage) AS vintages
                FROM counts c LEFT JOIN sources s USING (type_code, vintage)
                GROUP BY c.type_code
            ), children AS (
                SELECT parent_code, array_agg(code ORDER BY code) AS children
                FROM area_type WHERE parent_code IS NOT NULL GROUP BY parent_code
            )
            SELECT t.code, t.name, t.parent_code, t.description,
                   COALESCE(ch.children, '{}') AS children, COALESCE(v.vintages, '[]') AS vintages
            FROM area_type t
            LEFT JOIN vintages v ON v.type_code = t.code
            LEFT JOIN children ch ON ch.parent_code = t.code
            ORDER BY t.code
            """
        )
    ).all()


def types_with_areas(session: Session) -> set[str]:
    """The area types that hold areas (of any vintage)."""
    return {str(t) for t in session.execute(text("SELECT DISTINCT type_code FROM area")).scalars()}


def area_type_exists(session: Session, code: str) -> bool:
    return (
        session.execute(text("SELECT 1 FROM area_type WHERE code = :c"), {"c": code}).first()
        is not None
    )


def area_type_name(session: Session, code: str) -> str:
    """The type's display name ("Lower layer super output area"), or its code."""
    name = session.execute(text("SELECT name FROM area_type WHERE code = :c"), {"c": code})
    return str(name.scalar_one_or_none() or code)


def area_type_codes(session: Session) -> list[str]:
    return list(session.execute(text("SELECT code FROM area_type ORDER BY code")).scalars())


def descendant_types(session: Session, type_code: str) -> list[str]:
    """Area types below ``type_code`` in the hierarchy, nearest first."""
    rows = session.execute(
        text(
            """
            WITH RECURSIVE down(code, depth) AS (
                SELECT code, 1 FROM area_type WHERE parent_code = :t
                UNION
                SELECT t.code, d.depth + 1 FROM area_type t JOIN down d ON t.parent_code = d.code
                WHERE d.depth < 50
            )
            SELECT code FROM down ORDER BY depth
            """
        ),
        {"t": type_code},
    )
    return [str(c) for c in rows.scalars()]


def area_type_ancestors(session: Session, code: str) -> list[str]:
    """The chain of parent types above ``code``, nearest first."""
    rows = session.execute(
        text(
            """
            WITH RECURSIVE up(code, depth) AS (
                SELECT parent_code, 1 FROM area_type WHERE code = :code
                UNION
                SELECT t.parent_code, up.depth + 1 FROM area_type t JOIN up ON t.code = up.code
                WHERE up.depth < 50
            )
            SELECT code FROM up WHERE code IS NOT NULL ORDER BY depth
            """
        ),
        {"code": code},
    )
    return [str(c) for c in rows.scalars()]


def upsert_area_type(session: Session, code: str, name: str, parent_code: str | None) -> None:
    """Create the type, or set its parent when one is given (the hierarchy is data)."""
    session.execute(
        text(
            """
            INSERT INTO area_type (code, name, parent_code) VALUES (:code, :name, :parent)
            ON CONFLICT (code) DO UPDATE
               SET parent_code = COALESCE(EXCLUDED.parent_code, area_type.parent_code)
            """
        ),
        {"code": code, "name": name, "parent": parent_code},
    )


def latest_vintage(session: Session, type_code: str) -> int | None:
    value = session.execute(
        text("SELECT max(vintage) FROM area WHERE type_code = :t"), {"t": type_code}
    ).scalar_one()
    return None if value is None else int(value)


def has_vintage(session: Session, type_code: str, vintage: int) -> bool:
    return (
        session.execute(
            text("SELECT 1 FROM area WHERE type_code = :t AND vintage = :v LIMIT 1"),
            {"t": type_code, "v": vintage},
        ).first()
        is not None
    )


# ----------------------------------------------------------------------------- areas


def find_areas_by_code(session: Session, code: str) -> Sequence[Row[Any]]:
    """Every (type, vintage) holding ``code`` (id, code, name, type_code, vintage), newest
    vintage first."""
    return session.execute(
        text(
            "SELECT id, code, name, type_code, vintage FROM area WHERE code = :code "
            "ORDER BY vintage DESC, type_code"
        ),
        {"code": code},
    ).all()


def area_codes(session: Session, type_code: str, vintage: int) -> dict[str, int]:
    rows = session.execute(
        text("SELECT code, id FROM area WHERE type_code = :t AND vintage = :v"),
        {"t": type_code, "v": vintage},
    )
    return {str(code): int(id_) for code, id_ in rows}


def area_names(session: Session, type_code: str, vintage: int) -> dict[str, str]:
    """Names by code, in code order."""
    rows = session.execute(
        text("SELECT code, name FROM area WHERE type_code = :t AND vintage = :v ORDER BY code"),
        {"t": type_code, "v": vintage},
    )
    return {str(code): str(name) for code, name in rows}


def total_area_km2(session: Session, type_code: str, vintage: int) -> float:
    value = session.execute(
        text("SELECT COALESCE(sum(area_km2), 0) FROM area WHERE type_code = :t AND vintage = :v"),
        {"t": type_code, "v": vintage},
    ).scalar_one()
    return float(value)


def area_geometries_wkb(session: Session, type_code: str, vintage: int) -> Sequence[Row[Any]]:
    return session.execute(
        text(
            "SELECT id, ST_AsBinary(geom) AS wkb FROM area "
            "WHERE type_code = :t AND vintage = :v ORDER BY id"
        ),
        {"t": type_code, "v": vintage},
    ).all()


def upsert_areas(
    session: Session,
    type_code: str,
    vintage: int,
    source: str | None,
    rows: Iterable[tuple[str, str, int | None, bytes]],
) -> tuple[int, int]:
    """Insert or update (code, name, population, WKB) rows of one type and vintage.

    Returns (inserted, updated). Updating in place keeps area ids, so parents, children
    and anything that refers to an area survive a re-import.
    """
    copy_into_temp(
        session, "area_stage", "code text, name text, population integer, wkb bytea", rows
    )
    result = session.execute(
        text(
            """
            INSERT INTO area AS a (type_code, code, name, vintage, geom, area_km2, population,
                                   source)
            SELECT :t, s.code, s.name, :v, g.geom,
                   -- ONS publishes areas measured on the British National Grid; we
                   -- match its figures in Great Britain and measure geodesically elsewhere.
                   CASE WHEN g.geom @ ST_MakeEnvelope(-9, 49.8, 2.1, 61, 4326)
                        THEN ST_Area(ST_Transform(g.geom, 27700))
                        ELSE ST_Area(g.geom::geography) END / 1e6,
                   s.population, :source
            FROM area_stage s
            CROSS JOIN LATERAL (
                -- RFC 7946 winding: exterior rings counterclockwise, holes clockwise
                SELECT ST_ForcePolygonCCW(ST_SetSRID(ST_GeomFromWKB(s.wkb), 4326)) AS geom
            ) g
            ON CONFLICT (type_code, code, vintage) DO UPDATE
               SET name = EXCLUDED.name, geom = EXCLUDED.geom, area_km2 = EXCLUDED.area_km2,
                   -- a file without populations does not forget the ones known
                   population = COALESCE(EXCLUDED.population, a.population),
                   source = EXCLUDED.source, updated_at = now()
            RETURNING (xmax = 0) AS inserted
            """
        ),
        {"t": type_code, "v": vintage, "source": source},
    )
    flags = [bool(row.inserted) for row in result]
    inserted = sum(flags)
    return inserted, len(flags) - inserted


def replace_display_geometries(
    session: Session, rows: Iterable[tuple[int, int, bytes]], area_ids: Sequence[int]
) -> None:
    """Replace the display versions of ``area_ids`` with (area_id, level, WKB) rows."""
    session.execute(
        text("DELETE FROM area_display WHERE area_id = ANY(:ids)"), {"ids": list(area_ids)}
    )
    copy_into_temp(session, "display_stage", "area_id bigint, level smallint, wkb bytea", rows)
    session.execute(
        text(
            "INSERT INTO area_display (area_id, level, geom) "
            "SELECT area_id, level, "
            "ST_ForcePolygonCCW(ST_Multi(ST_SetSRID(ST_GeomFromWKB(wkb), 4326))) "
            "FROM display_stage"
        )
    )


# ----------------------------------------------------------------------------- parents


def assign_parents_spatially(
    session: Session, type_code: str, vintage: int, parent_type: str, parent_vintage: int
) -> Sequence[Row[Any]]:
    """Give each child the parent holding most of its area.

    Returns per child: code, parent code, the share of its area in that parent, and the
    runner-up parent and its share (for the straddling report). Shares are planar ratios,
    which is exact enough for ranking and reporting within one city.
    """
    session.execute(
        text("UPDATE area SET parent_id = NULL WHERE type_code = :t AND vintage = :v"),
        {"t": type_code, "v": vintage},
    )
    return session.execute(
        text(
            """
            WITH shares AS (
                SELECT c.id AS child_id, c.code AS child_code, p.id AS parent_id,
                       p.code AS parent_code,
                       ST_Area(ST_Intersection(c.geom, p.geom))
                         / NULLIF(ST_Area(c.geom), 0) AS share
                FROM area c
                JOIN area p ON p.type_code = :pt AND p.vintage = :pv
                           AND c.geom && p.geom AND ST_Intersects(c.geom, p.geom)
                WHERE c.type_code = :t AND c.vintage = :v
            ), ranked AS (
                SELECT *, row_number() OVER (PARTITION BY child_id
                                             ORDER BY share DESC NULLS LAST) AS rank
                FROM shares
            ), best AS (
                SELECT r1.child_id, r1.child_code, r1.parent_id, r1.parent_code, r1.share,
                       r2.parent_code AS runner_up, r2.share AS runner_up_share
                FROM ranked r1
                LEFT JOIN ranked r2 ON r2.child_id = r1.child_id AND r2.rank = 2
                WHERE r1.rank = 1 AND r1.share > 0
            ), updated AS (
                UPDATE area a SET parent_id = b.parent_id FROM best b
                WHERE a.id = b.child_id RETURNING a.id
            )
            SELECT c.code AS child_code, b.parent_code, b.share, b.runner_up,
                   b.runner_up_share
            FROM area c LEFT JOIN best b ON b.child_id = c.id
            WHERE c.type_code = :t AND c.vintage = :v
            ORDER BY c.code
            """
        ),
        {"t": type_code, "v": vintage, "pt": parent_type, "pv": parent_vintage},
    ).all()


def parent_ids(session: Session) -> dict[int, int]:
    """Every area's parent, by id (areas with none are left out)."""
    rows = session.execute(text("SELECT id, parent_id FROM area WHERE parent_id IS NOT NULL"))
    return {int(i): int(p) for i, p in rows}


def set_parents(session: Session, child_to_parent: dict[int, int | None]) -> None:
    session.execute(
        text(
            "UPDATE area a SET parent_id = m.parent_id FROM "
            "unnest(CAST(:children AS bigint[]), CAST(:parents AS bigint[])) "
            "AS m(child_id, parent_id) WHERE a.id = m.child_id"
        ),
        {"children": list(child_to_parent), "parents": list(child_to_parent.values())},
    )


def count_areas_with_source(session: Session, source: str) -> int:
    return int(
        session.execute(
            text("SELECT count(*) FROM area WHERE source = :s"), {"s": source}
        ).scalar_one()
    )


def current_areas_by_code(session: Session, codes: Sequence[str]) -> Sequence[Row[Any]]:
    """For each code: (code, id, type_code) of the newest vintage of each type holding it."""
    return session.execute(
        text(
            """
            SELECT DISTINCT ON (code, type_code) code, id, type_code
            FROM area WHERE code = ANY(:codes)
            ORDER BY code, type_code, vintage DESC
            """
        ),
        {"codes": list(codes)},
    ).all()


def refresh_statistics(session: Session) -> None:
    """Fresh planner statistics for the areas and their overlays after an import.

    Autovacuum would get there in a minute, but not in a database copied from a
    template, and the first analysis after an import must not plan with guesses."""
    session.execute(text("ANALYZE area, area_overlay, area_fit"))


def areas_of_type(session: Session, type_code: str) -> Sequence[Row[Any]]:
    """The newest vintage's areas of one type, in code order: id, code, name, area_km2."""
    return session.execute(
        text(
            "SELECT id, code, name, area_km2 FROM area WHERE type_code = :t AND vintage = "
            "(SELECT max(vintage) FROM area WHERE type_code = :t) ORDER BY code"
        ),
        {"t": type_code},
    ).all()


def area_geometries(session: Session, area_ids: Sequence[int]) -> list[bytes]:
    """The areas' boundaries as WKB (EPSG:4326), in the order of ``area_ids``."""
    rows = session.execute(
        text(
            "SELECT a.id, ST_AsBinary(a.geom) AS wkb FROM area a "
            "JOIN unnest(CAST(:ids AS bigint[])) WITH ORDINALITY u(id, n) ON u.id = a.id "
            "ORDER BY u.n"
        ),
        {"ids": list(area_ids)},
    ).all()
    return [bytes(r.wkb) for r in rows]
