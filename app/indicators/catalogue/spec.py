"""What a catalogue holds: indicators (:class:`~app.indicators.indicator.Indicator`), whose
fields are the catalogue's columns, and how lists are written in a CSV cell."""

from __future__ import annotations

from app.indicators.indicator import FIELDS, OPTIONAL_FIELDS

REQUIRED_FIELDS: tuple[str, ...] = tuple(f for f in FIELDS if f not in OPTIONAL_FIELDS)
LIST_SEPARATOR = ";"
