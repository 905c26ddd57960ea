"""Bulk loading: COPY rows into a temporary staging table on the session's connection,
so that the load is part of the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session


def copy_into_temp(
    session: Session,
    table: str,
    columns: str,
    rows: Iterable[Sequence[Any]],
    *,
    analyze: bool = True,
) -> None:
    """Load ``rows`` into an emptied temporary ``table (columns)``, dropped at commit.

    ``table`` and ``columns`` are fixed strings of the calling module, never user input.
    ``analyze=False`` skips statistics for a table that is only ever scanned whole.
    """
    session.execute(text(f"CREATE TEMP TABLE IF NOT EXISTS {table} ({columns}) ON COMMIT DROP"))
    session.execute(text(f"TRUNCATE {table}"))
    names = ", ".join(column.split()[0] for column in columns.split(","))
    driver_conn: Any = session.connection().connection.driver_connection
    with driver_conn.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    if analyze:
        # Autovacuum never sees temporary tables: without statistics the planner guesses.
        session.execute(text(f"ANALYZE {table}"))
