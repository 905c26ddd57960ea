"""Writing a catalogue as CSV text or JSON-ready objects that read back unchanged."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from enum import StrEnum

from app.indicators.catalogue.spec import LIST_SEPARATOR
from app.indicators.indicator import FIELDS, Indicator


def catalogue_to_csv(specs: Iterable[Indicator]) -> str:
    """Write a catalogue as CSV text that :func:`read_catalogue` reads back unchanged.

    Parameters
    ----------
    specs : iterable of Indicator

    Returns
    -------
    str
        A header of the field names, then one row per indicator; lists joined by ``;``,
        None as an empty cell.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELDS)
    for spec in specs:
        writer.writerow(_csv_cell(value) for value in _values(spec))
    return out.getvalue()


def catalogue_to_json(specs: Iterable[Indicator]) -> list[dict[str, object]]:
    """A catalogue as JSON-ready objects that :func:`read_catalogue` reads back unchanged.

    Parameters
    ----------
    specs : iterable of Indicator

    Returns
    -------
    list of dict
        One object per indicator; enumerations as their text, lists as lists, None as null.
    """
    return [
        {name: _json_value(value) for name, value in zip(FIELDS, _values(spec), strict=True)}
        for spec in specs
    ]


def _values(spec: Indicator) -> list[object]:
    return [getattr(spec, name) for name in FIELDS]


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return LIST_SEPARATOR.join(value)
    return str(value)


def _json_value(value: object) -> object:
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, tuple):
        return list(value)
    return value
