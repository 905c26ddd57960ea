"""Uploads of point events (crimes, fires, road casualties), in three layouts:

- **police.uk** street-level crime CSVs as downloaded (:mod:`.police_uk`), gzipped or not;
- **CSVs with coordinates** (:mod:`.event_coordinates`): category, date and
  longitude/latitude, easting/northing or x/y;
- **GeoJSON** FeatureCollections of points (:mod:`.event_geojson`).

Rows with errors are left out of the batch and listed; a row without coordinates is
kept without a location, for the caller to count and report.
"""

from __future__ import annotations

from typing import BinaryIO

from app.uploads.layouts.event_coordinates import CoordinateEvents
from app.uploads.layouts.event_geojson import GeoJsonEvents
from app.uploads.layouts.event_rows import ParsedEvents
from app.uploads.layouts.police_uk import PoliceUkEvents
from app.uploads.reading.layout import Layouts, read_file
from app.uploads.reading.text import Limits

EVENT_LAYOUTS: Layouts[ParsedEvents] = Layouts(
    csv=[PoliceUkEvents(), CoordinateEvents()], json=[GeoJsonEvents()]
)


def read_events(
    data: BinaryIO,
    content_type: str,
    *,
    filename: str | None = None,
    limits: Limits | None = None,
) -> ParsedEvents:
    """Read an upload of point events.

    Parameters
    ----------
    data : binary file
        The upload, from its current position.
    content_type : str
        Its media type; for ``application/gzip``, ``application/octet-stream`` or ``""``
        the file name and then the contents decide between CSV and GeoJSON.
    filename : str, optional
        The uploaded file's name; ``.gz``, ``.csv``, ``.geojson`` and ``.json`` are
        recognised.
    limits : Limits, optional
        Its size and row limits (:class:`app.uploads.reading.Limits`).

    Raises
    ------
    UnsupportedTypeError, FormatError
        When the file as a whole cannot be read (see :mod:`app.uploads.reading`) or its
        header names no category, date or coordinate columns.
    """
    return read_file(data, content_type, EVENT_LAYOUTS, filename=filename, limits=limits)
