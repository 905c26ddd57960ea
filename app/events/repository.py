"""SQL for point events: staging, replacing an agency's months, spatial assignment to
areas and monthly counts, all in PostGIS."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Row, text
from sqlalchemy.orm import Session

from app.bulk import copy_into_temp

# month is the first day of the month as text ("2019-12-01"): COPY casts it to a date.
EventRow = tuple[int, str, str, float | None, float | None, str | None, str | None, str | None]


def lock_agency_months(session: Session, agency_id: int, months: Iterable[date]) -> None:
    """Serialise uploads of the same agency's months (an upload replaces its months)."""
    for month in sorted(set(months)):
        session.execute(
            text("SELECT pg_advisory_xact_lock(CAST(:a AS integer), hashtext(:m))"),
            {"a": agency_id, "m": month.isoformat()},
        )


def insert_events(
    session: Session,
    batch_id: int,
    agency_id: int,
    months: Sequence[date],
    rows: Iterable[EventRow],
) -> None:
    """Store a batch's events, replacing the agency's current events for the same months.

    The events are also left in the temporary table ``event_points`` (with a spatial
    index) for :func:`assign_areas`.
    """
    copy_into_temp(
        session,
        "event_stage",
        "row integer, category text, month date, lon double precision, "
        "lat double precision, source_id text, location text, reported_area text",
        rows,
        analyze=False,  # only copied whole into event_points
    )
    _make_points(
        session,
        """
        SELECT row AS id, row, category, month, source_id, location, reported_area,
               CASE WHEN lon IS NOT NULL AND lat IS NOT NULL
                    THEN ST_SetSRID(ST_MakePoint(lon, lat), 4326) END AS geom
        FROM event_stage
        """,
        {},
    )
    session.execute(
        text(
            "UPDATE event SET superseded_by = :b WHERE agency_id = :a "
            "AND month = ANY(:months) AND superseded_by IS NULL"
        ),
        {"b": batch_id, "a": agency_id, "months": list(months)},
    )
    session.execute(
        text(
            """
            INSERT INTO event (batch_id, agency_id, row, category, month, geom, source_id,
                               location, reported_area)
            SELECT :b, :a, row, category, month, geom, source_id, location, reported_area
            FROM event_points
            """
        ),
        {"b": batch_id, "a": agency_id},
    )


def _make_points(session: Session, select: str, params: dict[str, Any]) -> None:
    """(Re)create the temporary, spatially indexed ``event_points`` from a SELECT."""
    session.execute(text("DROP TABLE IF EXISTS event_points"))
    session.execute(text(f"CREATE TEMP TABLE event_points ON COMMIT DROP AS {select}"), params)
    # No ANALYZE (it costs more than the join): the join below is written so that areas
    # drive it and probe this index whatever the planner believes about the table.
    session.execute(text("CREATE INDEX ON event_points USING gist (geom)"))


def current_event_months(session: Session, agency_id: int) -> list[date]:
    rows = session.execute(
        text(
            "SELECT DISTINCT month FROM event WHERE agency_id = :a AND superseded_by IS NULL "
            "ORDER BY month"
        ),
        {"a": agency_id},
    )
    return list(rows.scalars())


def load_current_points(session: Session, agency_id: int) -> int:
    """Put the agency's current events in ``event_points``; returns how many."""
    _make_points(
        session,
        "SELECT id, row, category, month, source_id, location, reported_area, geom FROM event "
        "WHERE agency_id = :a AND superseded_by IS NULL",
        {"a": agency_id},
    )
    return int(session.execute(text("SELECT count(*) FROM event_points")).scalar_one())


def assign_areas(session: Session, type_codes: Sequence[str]) -> None:
    """Put each located event of ``event_points`` in one area of each type (newest vintage).

    A point on a shared border intersects two areas; it is counted once, in the first.
    Areas drive the join, so each polygon is prepared once and tested against the points
    its bounding box holds.
    """
    session.execute(
        text(
            "CREATE TEMP TABLE IF NOT EXISTS event_area "
            "(id bigint, category text, month date, type_code text, area_id bigint) "
            "ON COMMIT DROP"
        )
    )
    session.execute(text("TRUNCATE event_area"))
    session.execute(
        text(
            """
            INSERT INTO event_area (id, category, month, type_code, area_id)
            SELECT DISTINCT ON (p.id, a.type_code) p.id, p.category, p.month, a.type_code,
                   a.id
            FROM (SELECT type_code, max(vintage) AS vintage FROM area
                  WHERE type_code = ANY(:types) GROUP BY type_code) v
            JOIN area a ON a.type_code = v.type_code AND a.vintage = v.vintage
            CROSS JOIN LATERAL (
                SELECT id, category, month FROM event_points
                WHERE geom && a.geom AND ST_Intersects(a.geom, geom)
            ) p
            ORDER BY p.id, a.type_code, a.id
            """
        ),
        {"types": list(type_codes)},
    )
    session.execute(text("ANALYZE event_area"))


def location_summary(session: Session) -> Row[Any]:
    """The batch's events: all, without a location, and located but outside every area."""
    return session.execute(
        text(
            """
            SELECT e.events, e.no_location,
                   e.events - e.no_location - (SELECT count(DISTINCT id) FROM event_area)
                     AS outside
            FROM (SELECT count(*) AS events, count(*) FILTER (WHERE geom IS NULL) AS no_location
                  FROM event_points) e
            """
        )
    ).one()


def counts_sql() -> str:
    """Monthly counts per indicator and area, zeros included, as staged-value rows.

    Reads temp tables ``indicator_category (indicator, category)`` and ``indicator_type
    (indicator, type_code)`` and the ``event_area`` assignment; ``:months`` are the months
    the upload covers (every area gets a value for each, 0 when nothing happened).
    """
    return """
        SELECT it.indicator, a.id, to_char(m.month, 'YYYY-MM'), m.month,
               (m.month + interval '1 month')::date,
               COALESCE(c.n, 0)::double precision, NULL::double precision,
               NULL::double precision
        FROM indicator_type it
        JOIN (SELECT type_code, max(vintage) AS vintage FROM area GROUP BY type_code) v
          ON v.type_code = it.type_code
        JOIN area a ON a.type_code = it.type_code AND a.vintage = v.vintage
        CROSS JOIN unnest(CAST(:months AS date[])) AS m(month)
        LEFT JOIN (
            SELECT ic.indicator, ea.area_id, ea.month, count(*) AS n
            FROM event_area ea JOIN indicator_category ic ON ic.category = ea.category
            GROUP BY ic.indicator, ea.area_id, ea.month
        ) c ON c.indicator = it.indicator AND c.area_id = a.id AND c.month = m.month
    """


def stage_indicator_maps(
    session: Session, categories: Iterable[tuple[str, str]], types: Iterable[tuple[str, str]]
) -> None:
    copy_into_temp(session, "indicator_category", "indicator text, category text", categories)
    copy_into_temp(session, "indicator_type", "indicator text, type_code text", types)


def types_with_areas(session: Session) -> set[str]:
    return {str(t) for t in session.execute(text("SELECT DISTINCT type_code FROM area")).scalars()}


def revert_events(session: Session, batch_id: int, revert_batch_id: int) -> None:
    """Withdraw a batch's events and bring back the ones it replaced."""
    session.execute(
        text("UPDATE event SET superseded_by = :r WHERE batch_id = :b AND superseded_by IS NULL"),
        {"b": batch_id, "r": revert_batch_id},
    )
    session.execute(
        text("UPDATE event SET superseded_by = NULL WHERE superseded_by = :b"), {"b": batch_id}
    )
