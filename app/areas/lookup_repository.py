"""SQL about boundary-change lookups (``vintage_link``): replacing one, and reading the
populations a lookup without ``to_share`` needs."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.orm import Session

# (from_area_id, to_area_id, change, share, to_share)
LinkValues = tuple[int, int, str, float, float]


def delete_links(session: Session, type_code: str, from_vintage: int, to_vintage: int) -> int:
    """Remove the lookup from ``from_vintage`` to ``to_vintage`` of a type; how many rows."""
    result = session.execute(
        text(
            """
            DELETE FROM vintage_link l USING area f, area t
            WHERE f.id = l.from_area_id AND t.id = l.to_area_id
              AND f.type_code = :t AND f.vintage = :fv AND t.type_code = :t AND t.vintage = :tv
            """
        ),
        {"t": type_code, "fv": from_vintage, "tv": to_vintage},
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def insert_links(session: Session, links: Sequence[LinkValues]) -> None:
    """Insert links in one statement (arrays unnested server-side)."""
    if not links:
        return
    columns = list(zip(*links, strict=True))
    session.execute(
        text(
            """
            INSERT INTO vintage_link (from_area_id, to_area_id, change, share, to_share)
            SELECT * FROM unnest(CAST(:f AS bigint[]), CAST(:t AS bigint[]),
                                 CAST(:c AS text[]), CAST(:s AS float8[]), CAST(:ts AS float8[]))
            """
        ),
        {
            "f": list(columns[0]),
            "t": list(columns[1]),
            "c": list(columns[2]),
            "s": list(columns[3]),
            "ts": list(columns[4]),
        },
    )


def populations(session: Session, area_ids: Sequence[int]) -> dict[int, int | None]:
    """Each area's population (None where unknown)."""
    rows = session.execute(
        text("SELECT id, population FROM area WHERE id = ANY(CAST(:ids AS bigint[]))"),
        {"ids": list(area_ids)},
    ).all()
    return {int(r.id): None if r.population is None else int(r.population) for r in rows}


def converted_from(session: Session) -> dict[int, tuple[int, ...]]:
    """The older areas each area of a newer vintage is converted from, by id."""
    rows = session.execute(
        text("SELECT to_area_id, from_area_id FROM vintage_link ORDER BY to_area_id, from_area_id")
    )
    found: dict[int, list[int]] = {}
    for to_id, from_id in rows:
        found.setdefault(int(to_id), []).append(int(from_id))
    return {k: tuple(v) for k, v in found.items()}
