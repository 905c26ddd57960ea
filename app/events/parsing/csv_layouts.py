"""CSV uploads, police.uk or generic: the fields of their rows."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from app.events.parsing.batch import Fields, FloatArray
from app.events.parsing.csv_table import read_columns, read_header, sniff_delimiter
from app.events.parsing.dates import month_from_date
from app.events.parsing.errors import RowErrors
from app.events.parsing.headers import generic_layout
from app.events.parsing.police_uk import POLICE_UK_COLUMNS, POLICE_UK_LAYOUT, police_uk_month


def csv_fields(
    text: str, errors: RowErrors, notes: list[str]
) -> tuple[str, Fields, Callable[[str], str]]:
    """Read a police.uk or generic CSV: its format, fields and month parser."""
    delimiter = sniff_delimiter(text)
    if delimiter != ",":
        notes.append(f"columns separated by {'tabs' if delimiter == chr(9) else 'semicolons'}")
    header = [name.strip() for name in read_header(text, delimiter)]
    if tuple(header) == POLICE_UK_COLUMNS:
        notes.append("police.uk street-level crime file")
        fmt, layout, month_of = "police.uk", POLICE_UK_LAYOUT, police_uk_month
    else:
        fmt, layout, month_of = "csv", generic_layout(header, notes), month_from_date

    table = read_columns(text, delimiter, len(header), layout.positions())
    if table.blank_rows:
        notes.append(f"{table.blank_rows:,} blank rows skipped")
    for row, count in table.ragged:
        errors.add(
            row,
            None,
            None,
            f"{count} fields where the header has {len(header)}: "
            "perhaps a value holding the delimiter is not quoted",
        )

    columns = iter(table.columns)
    category, date, x_text, y_text = next(columns), next(columns), next(columns), next(columns)
    optional: dict[str, list[str | None]] = {
        role: _optional_text(next(columns)) if position is not None else [None] * len(table.rows)
        for role, position in (
            ("source_id", layout.source_id),
            ("location", layout.location),
            ("reported_area", layout.reported_area),
        )
    }
    names = {
        "category": header[layout.category],
        "date": header[layout.date],
        "x": header[layout.x],
        "y": header[layout.y],
    }
    fields = Fields(
        rows=table.rows,
        category=category,
        date=date,
        x=_parse_numbers(x_text, table.rows, names["x"], errors),
        y=_parse_numbers(y_text, table.rows, names["y"], errors),
        crs=layout.crs,
        source_id=optional["source_id"],
        location=optional["location"],
        reported_area=optional["reported_area"],
        names=names,
    )
    return fmt, fields, month_of


def _parse_numbers(
    values: list[str], rows: list[int], column: str, errors: RowErrors
) -> FloatArray:
    """Coordinates as floats, NaN where blank; values that are not numbers are errors.

    They are returned as infinity, which later checks take as present (so that the row is
    not also reported as having one coordinate blank) but never as in range.
    """
    try:
        # Fast path for clean files: every value a number or empty.
        parsed = [float(v) if v else None for v in values]
        numbers = np.array(parsed, dtype=np.float64)
        # A literal "nan" would pass as blank, "inf" as a number: the slow path refuses both.
        if np.isfinite(numbers).sum() + parsed.count(None) == len(values):
            return numbers
    except ValueError:
        pass
    numbers = np.full(len(values), np.nan)
    for i, value in enumerate(values):
        text = value.strip()
        if not text:
            continue
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if math.isfinite(number):
            numbers[i] = number
        else:
            numbers[i] = math.inf
            errors.add(rows[i], column, value, "not a number")
    return numbers


def _optional_text(values: list[str]) -> list[str | None]:
    return [value.strip() or None for value in values]
