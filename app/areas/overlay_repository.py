"""SQL of overlays: how each area of a type that does not nest is made of the finest
type's areas (:mod:`app.areas.overlay` settles which types and why)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import CursorResult, Row, text
from sqlalchemy.orm import Session


def type_sizes(session: Session) -> Sequence[Row[Any]]:
    """Each type's newest vintage: (type_code, vintage, areas, mean km2)."""
    return session.execute(
        text(
            """
            SELECT a.type_code, a.vintage, count(*) AS n, avg(a.area_km2) AS mean_km2
            FROM area a
            JOIN (SELECT type_code, max(vintage) AS vintage FROM area GROUP BY type_code) v
              ON v.type_code = a.type_code AND v.vintage = a.vintage
            GROUP BY a.type_code, a.vintage
            """
        )
    ).all()


def type_sizes_by_code(session: Session) -> dict[str, Row[Any]]:
    return {str(r.type_code): r for r in type_sizes(session)}


def best_by_majority(session: Session, type_code: str) -> None:
    """Make a small area the best fit of each area of ``type_code`` that holds most of it."""
    session.execute(
        text(
            "UPDATE area_overlay SET best = share > 0.5 "
            "WHERE target_id IN (SELECT id FROM area WHERE type_code = :t)"
        ),
        {"t": type_code},
    )


def clear_overlay(session: Session, type_code: str) -> None:
    """Forget every overlay of ``type_code``'s areas (of any vintage)."""
    params = {"t": type_code}
    areas = "SELECT id FROM area WHERE type_code = :t"
    session.execute(text(f"DELETE FROM area_overlay WHERE target_id IN ({areas})"), params)
    session.execute(text(f"DELETE FROM area_fit WHERE area_id IN ({areas})"), params)


def write_overlay(
    session: Session,
    source: tuple[str, int],
    target: tuple[str, int],
    *,
    min_share: float,
    renormalise_above: float,
    whole_share: float,
    population_indicator: str,
) -> tuple[int, str]:
    """Overlay ``target``'s areas (type, vintage) on ``source``'s and write their links
    and fits. Returns (links written, the basis of the shares).

    A source area's share in a target is the part of its area inside it (areas are
    valid, so the intersection is safe); slivers under ``min_share`` (boundaries drawn
    at different scales) are dropped, and when what is left covers at least
    ``renormalise_above`` of the source its shares are scaled to sum to one. A source
    area's population is its own (``area.population``) or else the latest value of the
    population indicator; with neither anywhere, its area stands in.
    """
    params = {
        "st": source[0], "sv": source[1], "tt": target[0], "tv": target[1],
        "min_share": min_share, "renorm": renormalise_above, "whole": whole_share,
        "pop": population_indicator,
    }  # fmt: skip
    session.execute(
        text(
            """
            CREATE TEMP TABLE overlay_pairs ON COMMIT DROP AS
            WITH raw AS (
                SELECT t.id AS target_id, s.id AS source_id,
                       CASE WHEN ST_CoveredBy(s.geom, t.geom) THEN 1.0
                            ELSE ST_Area(ST_Intersection(s.geom, t.geom))
                                 / NULLIF(ST_Area(s.geom), 0) END AS share
                FROM area s
                JOIN area t ON t.geom && s.geom AND ST_Intersects(t.geom, s.geom)
                WHERE s.type_code = :st AND s.vintage = :sv
                  AND t.type_code = :tt AND t.vintage = :tv
            ), kept AS (
                SELECT r.*, sum(r.share) OVER (PARTITION BY r.source_id) AS covered
                FROM raw r WHERE r.share >= :min_share
            )
            SELECT target_id, source_id,
                   LEAST(1.0, CASE WHEN covered >= :renorm THEN share / covered
                                   ELSE share END) AS share
            FROM kept
            """
        ),
        params,
    )
    population = session.execute(
        text(
            """
            SELECT count(*) FILTER (WHERE a.population IS NOT NULL) AS own,
                   count(o.area_id) AS indicator
            FROM area a
            LEFT JOIN (SELECT DISTINCT area_id FROM observation
                       WHERE indicator_code = :pop AND superseded_at IS NULL) o
              ON o.area_id = a.id
            WHERE a.type_code = :st AND a.vintage = :sv
            """
        ),
        params,
    ).one()
    basis = (
        "populations"
        if population.own or population.indicator
        else "areas (no population is loaded)"
    )
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        text(
            """
            WITH people AS (
                SELECT a.id, COALESCE(a.population::float8, latest.value, a.area_km2) AS n
                FROM area a
                LEFT JOIN LATERAL (
                    SELECT o.value FROM observation o
                    WHERE o.indicator_code = :pop AND o.area_id = a.id
                      AND o.superseded_at IS NULL AND o.value IS NOT NULL
                    ORDER BY o.period_start DESC LIMIT 1
                ) latest ON true
                WHERE a.type_code = :st AND a.vintage = :sv
            )
            INSERT INTO area_overlay (target_id, source_id, share, best, people)
            SELECT p.target_id, p.source_id, p.share,
                   p.target_id = first_value(p.target_id) OVER (
                       PARTITION BY p.source_id ORDER BY p.share DESC, p.target_id),
                   pe.n
            FROM overlay_pairs p JOIN people pe ON pe.id = p.source_id
            """
        ),
        params,
    )
    links = int(result.rowcount or 0)
    session.execute(
        text(
            """
            INSERT INTO area_fit (area_id, source_type, source_vintage, fit, basis)
            SELECT l.target_id, :st, :sv,
                   COALESCE(sum(l.people) FILTER (WHERE l.share >= :whole)
                            / NULLIF(sum(l.share * l.people), 0), 0),
                   CAST(:basis AS text)
            FROM area_overlay l JOIN area t ON t.id = l.target_id
            WHERE t.type_code = :tt AND t.vintage = :tv
            GROUP BY l.target_id
            """
        ),
        {**params, "basis": basis},
    )
    session.execute(text("DROP TABLE overlay_pairs"))
    return links, basis


def overlaid_types(session: Session) -> dict[str, list[str]]:
    """Each type with an overlay: the types it is overlaid on, the finest first."""
    rows = session.execute(
        text(
            """
            WITH pairs AS (
                SELECT DISTINCT t.type_code AS target, f.source_type AS source
                FROM area_fit f JOIN area t ON t.id = f.area_id
            )
            SELECT p.target, p.source,
                   (SELECT count(*) FROM area s WHERE s.type_code = p.source) AS n
            FROM pairs p
            """
        )
    )
    found: dict[str, list[tuple[int, str]]] = {}
    for target, source, n in rows:
        found.setdefault(str(target), []).append((-int(n), str(source)))
    return {t: [s for _, s in sorted(sources)] for t, sources in found.items()}


def overlay_links(session: Session) -> Sequence[Row[Any]]:
    """Every link: (target_id, source_id, source_type, share, best, people)."""
    return session.execute(
        text(
            "SELECT l.target_id, l.source_id, s.type_code AS source_type, l.share, l.best, "
            "l.people FROM area_overlay l JOIN area s ON s.id = l.source_id "
            "ORDER BY l.target_id, l.source_id"
        )
    ).all()
