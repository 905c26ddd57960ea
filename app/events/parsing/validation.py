"""Checking the fields read: categories, months and coordinates, then the batch of good rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from app.events.parsing.batch import EventBatch, Fields, FloatArray
from app.events.parsing.coordinates import guess_crs, locate
from app.events.parsing.errors import RowErrors


def validated(
    fmt: str,
    fields: Fields,
    month_of: Callable[[str], str],
    errors: RowErrors,
    notes: list[str],
) -> EventBatch:
    """Check categories, dates and coordinates; the batch of the rows without errors."""
    names = fields.names
    category = _categories(fields.category, fields.rows, names["category"], errors)
    month = _months(fields.date, fields.rows, names["date"], month_of, errors)
    if fields.crs == "guess":
        crs, note = guess_crs(fields.x, fields.y)
        notes.append(f"{names['x']!r}/{names['y']!r} {note}")
    else:
        crs = fields.crs
    lon, lat = locate(fields.x, fields.y, crs, fields.rows, names, errors)
    batch = EventBatch(
        format=fmt,
        row=fields.rows,
        category=category,
        month=month,
        lon=_optional_floats(lon),
        lat=_optional_floats(lat),
        source_id=fields.source_id,
        location=fields.location,
        reported_area=fields.reported_area,
        notes=notes,
    )
    return _without_rows(batch, errors.bad_rows()) if errors else batch


def _categories(values: list[str], rows: list[int], column: str, errors: RowErrors) -> list[str]:
    categories = [value.strip() for value in values]
    for i, category in enumerate(categories):
        if not category:
            errors.add(rows[i], column, values[i], "category is blank")
    return categories


def _months(
    values: list[str],
    rows: list[int],
    column: str,
    month_of: Callable[[str], str],
    errors: RowErrors,
) -> list[str]:
    # Parse each distinct value once: a month of police.uk rows has one value, a year of
    # daily dates 365.
    months: dict[str, str] = {}
    reasons: dict[str, str] = {}
    for value in set(values):
        try:
            months[value] = month_of(value)
        except ValueError as exc:
            reasons[value] = str(exc)
    if reasons:
        for i, value in enumerate(values):
            if value in reasons:
                errors.add(rows[i], column, value, reasons[value])
    return [months.get(value, "") for value in values]


def _optional_floats(values: FloatArray) -> list[float | None]:
    missing = np.isnan(values)
    if not missing.any():
        return list(values.tolist())
    # Through an object array: twice as fast as testing each float in Python.
    optional = values.astype(object)
    optional[missing] = None
    return list(optional.tolist())


def _without_rows(batch: EventBatch, bad_rows: set[int]) -> EventBatch:
    keep = [i for i, row in enumerate(batch.row) if row not in bad_rows]

    def kept(values: list[Any]) -> list[Any]:
        return [values[i] for i in keep]

    return EventBatch(
        format=batch.format,
        row=kept(batch.row),
        category=kept(batch.category),
        month=kept(batch.month),
        lon=kept(batch.lon),
        lat=kept(batch.lat),
        source_id=kept(batch.source_id),
        location=kept(batch.location),
        reported_area=kept(batch.reported_area),
        notes=batch.notes,
    )
