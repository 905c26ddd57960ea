"""Reading an upload of observations (CSV or JSON) into rows, row errors and notes.

An observation is a value of one indicator for one area and period. Partners send them as

- a **long** CSV: one row per observation, columns ``area_code, period, indicator, value``
  and optionally ``numerator, denominator``;
- a **wide** CSV: one row per area (and period), one column per indicator headed by its code;
- **JSON**: a list of objects with the long layout's fields, or ``{"observations": [...]}``.

Nothing here touches the database: the caller passes the indicator codes it knows and then
checks areas, periods (with :mod:`app.observations.periods`) and signs itself. Problems with
single values become :class:`RowError` objects, all of them collected so the partner can fix
the file in one go; problems with the file as a whole raise :class:`UploadFormatError`.

Decisions on what is accepted:

- Encoding: an explicit ``charset`` wins (and must fit); otherwise UTF-8 with or without a
  byte order mark, UTF-16 with one (Excel's "Unicode text"), and anything else is read as
  Windows-1252 (Latin-1 where even that fails) with a note saying so.
- Delimiter: comma, semicolon or tab, chosen from the first lines (see
  :func:`.csv_layouts.detect_delimiter`). Cells are stripped. In a semicolon-separated file a
  comma in a number is refused, since such files come from locales that write decimal commas.
- Headers match ignoring case, spaces and punctuation. The area column may be any usual code
  column (``area_code``, ``LSOA11CD``, ``LSOA code (2011)``...); when there are several, the
  finest geography wins (an LSOA code over its local authority's code) and the others are
  listed as ignored. A file is long when it has an ``indicator`` column, wide otherwise.
- ``default_period`` applies to files (long or wide) and JSON records without a period; a
  blank cell in a period column is an error, not a use of the default.
- Every value needs a number; ``numerator`` and ``denominator`` are optional. A blank cell in a
  wide file means "no value" (no row, counted in a note). Suppression markers (``*``, ``c``,
  ``..``, ``x``, ``-``, ``[c]``...) are errors asking for the value to be left out.
- Duplicates are detected on the text as written (area code, period, indicator): the caller
  must check again after normalising periods (``2021-3`` and ``2021-03`` are the same month).
"""

from app.observations.parsing.errors import UnsupportedContentTypeError, UploadFormatError
from app.observations.parsing.reader import parse_observations
from app.observations.parsing.results import (
    MAX_ERRORS,
    Layout,
    ObservationRow,
    ParsedUpload,
    RowError,
)

__all__ = [
    "MAX_ERRORS",
    "Layout",
    "ObservationRow",
    "ParsedUpload",
    "RowError",
    "UnsupportedContentTypeError",
    "UploadFormatError",
    "parse_observations",
]
