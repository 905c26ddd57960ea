"""SQL for finding a place: areas by part of their name or code (trigram-indexed, see
migration 0013), and postcodes with the areas that hold them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Row, text
from sqlalchemy.orm import Session

from app.bulk import copy_into_temp

# The newest vintage of each area type: the areas a map shows, and the ones found.
_NEWEST = "SELECT type_code, max(vintage) AS vintage FROM area GROUP BY type_code"


def search_areas(
    session: Session, literal: str, word: str, limit: int, hidden: Sequence[str] = ()
) -> Sequence[Row[Any]]:
    """Areas of the newest vintage of every type whose code or name holds ``literal``
    (a LIKE pattern's text, its wildcards escaped with a backslash), in any case.

    Ranked: the code, then the name, exactly; then a code or name that starts with it;
    then a name with a word that does (``word``, a regular expression); then the rest;
    within a rank shorter names first. Each row: type, type_name, code, name, vintage,
    match ("code" or "name"). Areas of the ``hidden`` types are left out.
    """
    return session.execute(
        text(
            rf"""
            WITH newest AS ({_NEWEST})
            SELECT a.type_code AS type, t.name AS type_name, a.code, a.name, a.vintage,
                   CASE WHEN a.code ILIKE :infix ESCAPE '\' THEN 'code' ELSE 'name' END
                       AS match
            FROM area a
            JOIN newest n ON n.type_code = a.type_code AND n.vintage = a.vintage
            JOIN area_type t ON t.code = a.type_code
            WHERE (a.name ILIKE :infix ESCAPE '\' OR a.code ILIKE :infix ESCAPE '\')
              AND a.type_code <> ALL(CAST(:hidden AS text[]))
            ORDER BY CASE
                         WHEN a.code ILIKE :exact ESCAPE '\' THEN 0
                         WHEN a.name ILIKE :exact ESCAPE '\' THEN 1
                         WHEN a.code ILIKE :prefix ESCAPE '\'
                              OR a.name ILIKE :prefix ESCAPE '\' THEN 2
                         WHEN a.name ~* :word THEN 3
                         ELSE 4
                     END,
                     length(a.name), a.name, a.type_code, a.code
            LIMIT :limit
            """
        ),
        {
            "exact": literal,
            "prefix": f"{literal}%",
            "infix": f"%{literal}%",
            "word": word,
            "limit": limit,
            "hidden": list(hidden),
        },
    ).all()


# ----------------------------------------------------------------------------- postcodes


def find_postcode(session: Session, postcode: str) -> Row[Any] | None:
    """The directory's row of a normalised postcode: postcode, lsoa11, lsoa21,
    longitude, latitude."""
    return session.execute(
        text(
            "SELECT postcode, lsoa11, lsoa21, ST_X(geom) AS longitude, ST_Y(geom) AS latitude "
            "FROM postcode WHERE postcode = :p"
        ),
        {"p": postcode},
    ).first()


def areas_of_postcode(
    session: Session, postcode: str, hidden: Sequence[str] = ()
) -> Sequence[Row[Any]]:
    """The areas holding a postcode, one per area type (its newest vintage), smallest
    first: of each type that holds an LSOA code the directory gives, that area; of every
    other type, the area whose boundary covers the postcode's point (of two that share
    the boundary it lies on, the first by code). Rows as :func:`search_areas`'s; areas
    of the ``hidden`` types are left out."""
    return session.execute(
        text(
            f"""
            WITH newest AS ({_NEWEST}),
            p AS (SELECT lsoa11, lsoa21, geom FROM postcode WHERE postcode = :p),
            by_code AS (
                SELECT DISTINCT ON (a.type_code) a.id, a.type_code
                FROM p
                JOIN area a ON a.code IN (p.lsoa11, p.lsoa21)
                JOIN newest n ON n.type_code = a.type_code AND n.vintage = a.vintage
                ORDER BY a.type_code, a.code
            ),
            by_point AS (
                SELECT DISTINCT ON (a.type_code) a.id, a.type_code
                FROM p
                JOIN area a ON p.geom IS NOT NULL AND a.geom && p.geom
                           AND ST_Covers(a.geom, p.geom)
                JOIN newest n ON n.type_code = a.type_code AND n.vintage = a.vintage
                WHERE a.type_code NOT IN (SELECT type_code FROM by_code)
                  AND a.type_code <> ALL(CAST(:hidden AS text[]))
                ORDER BY a.type_code, a.code
            )
            SELECT a.type_code AS type, t.name AS type_name, a.code, a.name, a.vintage,
                   'postcode' AS match
            FROM (SELECT id FROM by_code UNION ALL SELECT id FROM by_point) found
            JOIN area a ON a.id = found.id
            JOIN area_type t ON t.code = a.type_code
            ORDER BY a.area_km2, a.type_code
            """
        ),
        {"p": postcode, "hidden": list(hidden)},
    ).all()


_STAGE = (
    "row integer, postcode text, lsoa11 text, lsoa21 text, "
    "longitude double precision, latitude double precision"
)


def stage_postcodes(
    session: Session,
    rows: Iterable[tuple[int, str, str | None, str | None, float | None, float | None]],
) -> None:
    """COPY (row, postcode, lsoa11, lsoa21, longitude, latitude) rows into a temporary
    stage, as they are read."""
    copy_into_temp(session, "postcode_stage", _STAGE, rows)


def staged_duplicates(session: Session, limit: int) -> Sequence[Row[Any]]:
    """Postcodes staged more than once: postcode and the rows holding it, in row order."""
    return session.execute(
        text(
            "SELECT postcode, array_agg(row ORDER BY row) AS rows FROM postcode_stage "
            "GROUP BY postcode HAVING count(*) > 1 ORDER BY min(row) LIMIT :n"
        ),
        {"n": limit},
    ).all()


def staged_in_known_areas(session: Session) -> int:
    """How many staged postcodes name an LSOA that is an area held here."""
    return int(
        session.execute(
            text(
                "SELECT count(*) FROM postcode_stage s WHERE EXISTS "
                "(SELECT 1 FROM area a WHERE a.code IN (s.lsoa11, s.lsoa21))"
            )
        ).scalar_one()
    )


def merge_staged_postcodes(session: Session, source: str) -> tuple[int, int]:
    """Insert the staged postcodes, or update those already held (postcodes not in the
    file are kept). Returns (inserted, updated)."""
    row = session.execute(
        text(
            """
            WITH merged AS (
                INSERT INTO postcode AS p (postcode, lsoa11, lsoa21, geom, source)
                SELECT postcode, lsoa11, lsoa21,
                       CASE WHEN longitude IS NULL THEN NULL
                            ELSE ST_SetSRID(ST_MakePoint(longitude, latitude), 4326) END,
                       :source
                FROM postcode_stage
                ON CONFLICT (postcode) DO UPDATE
                   SET lsoa11 = EXCLUDED.lsoa11, lsoa21 = EXCLUDED.lsoa21,
                       geom = EXCLUDED.geom, source = EXCLUDED.source, updated_at = now()
                RETURNING (xmax = 0) AS inserted
            )
            SELECT count(*) FILTER (WHERE inserted) AS inserted, count(*) AS total FROM merged
            """
        ),
        {"source": source},
    ).one()
    return int(row.inserted), int(row.total) - int(row.inserted)


def postcode_count(session: Session) -> int:
    return int(session.execute(text("SELECT count(*) FROM postcode")).scalar_one())
