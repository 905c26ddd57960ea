"""Reading uploaded point events (crimes, fires, road casualties) into columns.

Three formats are accepted:

* **police.uk** street-level crime CSVs, recognised by their exact 12-column header;
* **generic CSV** with a category column, a date column and either longitude/latitude or
  British National Grid easting/northing (transformed to WGS84);
* **GeoJSON** FeatureCollections of Point features.

A body may be gzip-compressed (partners upload police.uk's ``.csv.gz`` as downloaded) and
UTF-8 with or without BOM, UTF-16 with BOM, or Windows-1252. A problem with the file as a
whole raises :class:`EventFormatError`. Problems with single rows are collected as
:class:`EventRowError` and returned, so that a partner sees every bad row of an upload at once;
rows with errors are left out of the batch. A row without coordinates is not an error: it is
returned with ``lon``/``lat`` None for the caller to count and report.

The result is columnar (:class:`EventBatch`) because a year of one force's crimes is about
180,000 rows. CSVs are tokenised by pandas' C parser, about 2.7 times as fast as the csv
module on police.uk files; the csv module is the fallback that locates malformed rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO, Final

from app.events.parsing.batch import EventBatch
from app.events.parsing.body import detect_format, read_body
from app.events.parsing.csv_layouts import csv_fields
from app.events.parsing.dates import month_from_date
from app.events.parsing.decoding import decode
from app.events.parsing.errors import (
    MAX_ROW_ERRORS,
    EventFormatError,
    EventRowError,
    RowErrors,
    UnsupportedContentTypeError,
)
from app.events.parsing.geojson import geojson_fields
from app.events.parsing.police_uk import POLICE_UK_COLUMNS
from app.events.parsing.validation import validated
from app.textfiles import ZIP_MAGIC, split_content_type

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_ROW_ERRORS",
    "POLICE_UK_COLUMNS",
    "EventBatch",
    "EventFormatError",
    "EventRowError",
    "UnsupportedContentTypeError",
    "month_from_date",
    "parse_events",
]

# Largest body accepted, after decompression: about five years of a large force's crimes. It
# also stops a small gzip bomb from filling the memory.
MAX_BODY_BYTES: Final = 512 * 1024 * 1024


def parse_events(
    data: BinaryIO, content_type: str, *, filename: str | None = None
) -> tuple[EventBatch, list[EventRowError]]:
    """Read an uploaded file of point events.

    Parameters
    ----------
    data : binary file
        The upload, read to its end (at most :data:`MAX_BODY_BYTES` after decompression).
    content_type : str
        Its media type, parameters allowed (``"text/csv; charset=utf-8"``). CSV types,
        ``application/geo+json`` and ``application/json`` say what the file is; for
        ``application/gzip``, ``application/octet-stream`` or ``""`` the file name and then
        the contents decide.
    filename : str, optional
        The uploaded file's name; ``.gz``, ``.csv``, ``.geojson`` and ``.json`` are recognised.

    Returns
    -------
    batch : EventBatch
        The events of every row without errors, in file order.
    errors : list of EventRowError
        Row errors in row order: the first :data:`MAX_ROW_ERRORS`, then one summarising
        the rest. Empty when every row was read. Blank coordinates are not errors.

    Raises
    ------
    EventFormatError
        If the file as a whole cannot be read: unsupported type, damaged gzip, binary data,
        a header without category, date or coordinate columns, malformed JSON.

    Notes
    -----
    Gzip is recognised by its magic bytes whatever the declared type. Text is read as UTF-8
    (a BOM is allowed), UTF-16 when it starts with a UTF-16 BOM, and otherwise as
    Windows-1252, with a note. CSV delimiters may be commas, semicolons or tabs. A row
    shorter than the header reads as blank in its missing columns, as a spreadsheet shows it;
    a longer one is a row error. Rows whose used columns are all blank are skipped.
    """
    media_type, _ = split_content_type(content_type)
    # The limit is read here, at call time, so that it can be patched on this package.
    body, notes = read_body(data, media_type, filename, MAX_BODY_BYTES)
    if body.startswith(ZIP_MAGIC):
        raise EventFormatError(
            "the file is a zip archive or an Excel workbook: upload CSV or GeoJSON "
            "(in Excel, save as 'CSV UTF-8')"
        )
    kind = detect_format(media_type, filename, body)
    text, encoding_notes = decode(body)
    notes.extend(encoding_notes)
    if not text or text.isspace():
        raise EventFormatError("the file is empty")
    if "\x00" in text:
        raise EventFormatError("the file holds binary data, not text: upload CSV or GeoJSON")

    errors = RowErrors()
    month_of: Callable[[str], str]
    if kind == "geojson":
        fmt, fields, month_of = "geojson", geojson_fields(text, errors, notes), month_from_date
    else:
        fmt, fields, month_of = csv_fields(text, errors, notes)
    return validated(fmt, fields, month_of, errors, notes), errors.listed()
