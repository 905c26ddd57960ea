"""What the two CSV layouts of events share: where each field is, and the reading of
their rows into fields."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.uploads.layouts.event_rows import (
    Crs,
    EventBatch,
    Fields,
    ParsedEvents,
    coordinates,
    optional_text,
    validated,
)
from app.uploads.reading.errors import RowErrors
from app.uploads.reading.table import CsvText, blank_rows_note, read_table
from app.uploads.reading.text import Text


@dataclass(frozen=True)
class EventColumns:
    """Positions of the columns a CSV's events are read from."""

    category: int
    date: int
    x: int
    y: int
    crs: Crs
    source_id: int | None = None
    location: int | None = None
    reported_area: int | None = None

    def positions(self) -> list[int]:
        optional = (self.source_id, self.location, self.reported_area)
        return [self.category, self.date, self.x, self.y, *(p for p in optional if p is not None)]


def read_event_csv(
    source: CsvText,
    text: Text,
    fmt: str,
    columns: EventColumns,
    month_of: Callable[[str], str],
    notes: list[str],
) -> ParsedEvents:
    errors = RowErrors()
    table = read_table(source, columns.positions(), errors)
    all_notes = [*text.notes, *source.notes, *notes]
    if note := blank_rows_note(table.blank_rows):
        all_notes.append(note)
    cells = iter(table.columns)
    category, date, x_text, y_text = next(cells), next(cells), next(cells), next(cells)
    optional: dict[str, list[str | None]] = {
        role: optional_text(next(cells)) if position is not None else [None] * len(table.rows)
        for role, position in (
            ("source_id", columns.source_id),
            ("location", columns.location),
            ("reported_area", columns.reported_area),
        )
    }
    header = source.header
    names = {
        "category": header[columns.category],
        "date": header[columns.date],
        "x": header[columns.x],
        "y": header[columns.y],
    }
    grouping = source.delimiter != ";"
    fields = Fields(
        rows=table.rows,
        category=category,
        date=date,
        x=coordinates(x_text, table.rows, names["x"], errors, grouping=grouping),
        y=coordinates(y_text, table.rows, names["y"], errors, grouping=grouping),
        crs=columns.crs,
        source_id=optional["source_id"],
        location=optional["location"],
        reported_area=optional["reported_area"],
        names=names,
    )
    batch: EventBatch = validated(fmt, fields, month_of, errors, all_notes)
    return ParsedEvents(batch, errors)
