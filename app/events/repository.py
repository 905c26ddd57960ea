"""SQL for point events: staging, replacing an agency's months, spatial assignment to
areas and monthly counts, all in PostGIS."""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Row, text
from sqlalchemy.orm import Session

from app.bulk import copy_into_temp

# Little-endian EWKB of a point with an SRID: byte order, type (Point | SRID flag), SRID, x, y.
_EWKB_POINT = struct.Struct("<BIIdd").pack
_POINT_4326 = 0x20000001

# month is the first day of the month as text ("2019-12-01").
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

    The events are copied straight into ``event`` (points given as EWKT, parsed by
    PostGIS), then also put in the temporary table ``event_points`` (with a spatial
    index) for :func:`assign_areas`.
    """
    # Supersede first: afterwards the new events would match the same months too.
    session.execute(
        text(
            "UPDATE event SET superseded_by = :b WHERE agency_id = :a "
            "AND month = ANY(:months) AND superseded_by IS NULL"
        ),
        {"b": batch_id, "a": agency_id, "months": list(months)},
    )
    driver_conn: Any = session.connection().connection.driver_connection
    copy_sql = (
        "COPY event (batch_id, agency_id, row, category, month, geom, source_id, location, "
        "reported_area) FROM STDIN (FORMAT BINARY)"
    )
    first_days: dict[str, date] = {}
    with driver_conn.cursor() as cur, cur.copy(copy_sql) as copy:
        # Binary COPY takes points as EWKB, which PostGIS reads without parsing text:
        # about three times faster than text COPY with WKT for a month of crimes.
        copy.set_types(["int8", "int8", "int4", "text", "date", "bytea", "text", "text", "text"])
        for row, category, month, lon, lat, source_id, location, area in rows:
            day = first_days.get(month)
            if day is None:
                day = first_days[month] = date.fromisoformat(month)
            point = (
                None if lon is None or lat is None else _EWKB_POINT(1, _POINT_4326, 4326, lon, lat)
            )
            copy.write_row(
                (batch_id, agency_id, row, category, day, point, source_id, location, area)
            )
    _make_points(
        session,
        "SELECT id, category, month, geom FROM event WHERE batch_id = :b",
        {"b": batch_id},
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
        "SELECT id, category, month, geom FROM event "
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


def counts_sql(recounting: bool) -> str:
    """Monthly counts per indicator and area, as staged-value rows.

    Only areas where something happened get a row; :func:`record_coverage` says that the
    rest counted zero. When the months were counted before (``recounting``), a current
    non-zero value that has fallen to zero gets an explicit 0, so the change is a revision
    like any other. Reads temp tables ``indicator_category (indicator, category)``,
    ``indicator_type (indicator, type_code)`` and ``event_area``; ``:months`` are the
    months the upload covers.
    """
    counted = """
        WITH counted AS (
            SELECT ic.indicator, ea.area_id, ea.month, count(*) AS n
            FROM event_area ea
            JOIN indicator_category ic ON ic.category = ea.category
            JOIN indicator_type it ON it.indicator = ic.indicator
                                  AND it.type_code = ea.type_code
            GROUP BY ic.indicator, ea.area_id, ea.month
        )
        SELECT indicator, area_id, to_char(month, 'YYYY-MM'), month,
               (month + interval '1 month')::date, n::double precision,
               NULL::double precision, NULL::double precision
        FROM counted
    """
    fallen = """
        UNION ALL
        SELECT o.indicator_code, o.area_id, o.period, o.period_start, o.period_end,
               0, NULL, NULL
        FROM observation o
        JOIN indicator_type it ON it.indicator = o.indicator_code
        JOIN area a ON a.id = o.area_id AND a.type_code = it.type_code
        JOIN (SELECT type_code, max(vintage) AS vintage FROM area GROUP BY type_code) v
          ON v.type_code = a.type_code AND v.vintage = a.vintage
        WHERE o.superseded_at IS NULL AND o.period_start = ANY(CAST(:months AS date[]))
          AND o.value <> 0
          AND NOT EXISTS (SELECT 1 FROM counted c WHERE c.indicator = o.indicator_code
                          AND c.area_id = o.area_id AND c.month = o.period_start)
    """
    return counted + fallen if recounting else counted


def counted_before(session: Session, indicators: Sequence[str], months: Sequence[date]) -> bool:
    """Whether any of these indicators was counted for any of these months already."""
    return (
        session.execute(
            text(
                "SELECT 1 FROM count_coverage c JOIN batch b ON b.id = c.batch_id "
                "WHERE b.reverted_at IS NULL AND c.indicator_code = ANY(:i) "
                "AND c.period_start = ANY(CAST(:m AS date[])) LIMIT 1"
            ),
            {"i": list(indicators), "m": list(months)},
        ).first()
        is not None
    )


def record_coverage(session: Session, batch_id: int, months: Sequence[date]) -> None:
    """Say that the batch counted every indicator of ``indicator_type`` for every area of
    each type's newest vintage and each of ``months`` (absent rows are zeros)."""
    session.execute(
        text(
            """
            INSERT INTO count_coverage (batch_id, indicator_code, type_code, vintage, period,
                                        period_start, period_end)
            SELECT :b, it.indicator, it.type_code, v.vintage, to_char(m.month, 'YYYY-MM'),
                   m.month, (m.month + interval '1 month')::date
            FROM indicator_type it
            JOIN (SELECT type_code, max(vintage) AS vintage FROM area GROUP BY type_code) v
              ON v.type_code = it.type_code
            CROSS JOIN unnest(CAST(:months AS date[])) AS m(month)
            """
        ),
        {"b": batch_id, "months": list(months)},
    )


def stage_indicator_maps(
    session: Session, categories: Iterable[tuple[str, str]], types: Iterable[tuple[str, str]]
) -> None:
    # A few dozen rows each: statistics would cost more than they could save.
    copy_into_temp(
        session, "indicator_category", "indicator text, category text", categories, analyze=False
    )
    copy_into_temp(
        session, "indicator_type", "indicator text, type_code text", types, analyze=False
    )


def revert_events(session: Session, batch_id: int, revert_batch_id: int) -> None:
    """Withdraw a batch's events and bring back the ones it replaced."""
    session.execute(
        text("UPDATE event SET superseded_by = :r WHERE batch_id = :b AND superseded_by IS NULL"),
        {"b": batch_id, "r": revert_batch_id},
    )
    session.execute(
        text("UPDATE event SET superseded_by = NULL WHERE superseded_by = :b"), {"b": batch_id}
    )
