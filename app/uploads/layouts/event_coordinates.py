"""CSVs of events with coordinates: a category column, a date column and either
longitude/latitude, British National Grid easting/northing (transformed to WGS84), or
x/y (whose values decide which). Columns are found by their names (``event_rows.ROLES``);
an id, a location and the partner's own area code are kept when present."""

from __future__ import annotations

from collections.abc import Sequence

from app.uploads.layouts.event_csv import EventColumns, read_event_csv
from app.uploads.layouts.event_rows import COORDINATE_PAIRS, ROLE, ROLES, Crs, ParsedEvents
from app.uploads.reading.dates import month_from_date
from app.uploads.reading.errors import FormatError
from app.uploads.reading.headings import Headings, match_headings, quoted
from app.uploads.reading.table import CsvText
from app.uploads.reading.text import Text


class CoordinateEvents:
    def accepts(self, header: Sequence[str]) -> bool:
        return True  # tried last: says what a header lacks

    def read(self, source: CsvText, text: Text) -> ParsedEvents:
        notes: list[str] = []
        columns = _columns(source.header, notes)
        return read_event_csv(source, text, "csv", columns, month_from_date, notes)


def _columns(header: Sequence[str], notes: list[str]) -> EventColumns:
    found = match_headings(header, ROLES)
    for role in ("category", "date"):
        if role not in found.roles:
            raise FormatError(
                f"no {role} column: name one {ROLE[role].aliases()}; "
                f"the columns are {quoted(header)}"
            )
    x, y, crs = _coordinate_columns(found, header, notes)
    columns = EventColumns(
        category=found.roles["category"].index,
        date=found.roles["date"].index,
        x=x,
        y=y,
        crs=crs,
        source_id=_position(found, "id"),
        location=_position(found, "location"),
        reported_area=_position(found, "reported_area"),
    )
    x_role = "x" if crs == "guess" else "longitude" if crs == "wgs84" else "easting"
    y_role = "y" if crs == "guess" else "latitude" if crs == "wgs84" else "northing"
    used = [
        f"{role} {header[position]!r}"
        for role, position in (
            ("category", columns.category),
            ("date", columns.date),
            (x_role, columns.x),
            (y_role, columns.y),
            ("id", columns.source_id),
            ("location", columns.location),
            ("reported area", columns.reported_area),
        )
        if position is not None
    ]
    notes.append("columns used: " + ", ".join(used))
    return columns


def _position(found: Headings, role: str) -> int | None:
    column = found.roles.get(role)
    return None if column is None else column.index


def _coordinate_columns(
    found: Headings, header: Sequence[str], notes: list[str]
) -> tuple[int, int, Crs]:
    pairs: list[tuple[int, int, Crs]] = []
    for first, second, crs in COORDINATE_PAIRS:
        i, j = _position(found, first), _position(found, second)
        if i is not None and j is not None:
            pairs.append((i, j, crs))
        elif i is not None:
            raise _half_pair(header[i], first, second)
        elif j is not None:
            raise _half_pair(header[j], second, first)
    if not pairs:
        raise FormatError(
            "no coordinate columns: name them longitude/latitude (WGS84) or "
            f"easting/northing (British National Grid); the columns are {quoted(header)}"
        )
    for i, j, _ in pairs[1:]:
        notes.append(
            f"columns {header[i]!r} and {header[j]!r} ignored: {header[pairs[0][0]]!r} "
            f"and {header[pairs[0][1]]!r} give the location"
        )
    return pairs[0]


def _half_pair(column: str, present: str, missing: str) -> FormatError:
    return FormatError(
        f"a {present} column ({column!r}) but no {missing} column: "
        f"name one {ROLE[missing].aliases()}"
    )
