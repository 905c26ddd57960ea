"""One reader for every partner file: bytes to text, text to rows, problems to errors.

Framework-free: nothing here knows HTTP or the database. The reader decodes the bytes
(:mod:`.text`: gzip, charset, byte order marks, Windows-1252, never read whole to
decide), tells CSV from JSON (:mod:`.content`), chooses a CSV's delimiter
(:mod:`.delimiters`) and tokenises it (:mod:`.table`), matches headings to roles from a
layout's own table of names (:mod:`.headings`), reads numbers and dates as partners
write them (:mod:`.numbers`, :mod:`.dates`), and collects row errors under one cap
(:mod:`.errors`). Layouts (``app.uploads.layouts``) plug in through :mod:`.layout`.
"""

from app.uploads.reading.errors import (
    MAX_ROW_ERRORS,
    FormatError,
    RowError,
    RowErrors,
    TooLargeError,
    UnsupportedTypeError,
)
from app.uploads.reading.layout import CsvLayout, JsonLayout, Layouts, read_file
from app.uploads.reading.table import CsvText, Table, read_table
from app.uploads.reading.text import MAX_ROWS, MAX_TEXT_BYTES, Limits, Text

__all__ = [
    "MAX_ROWS",
    "MAX_ROW_ERRORS",
    "MAX_TEXT_BYTES",
    "CsvLayout",
    "CsvText",
    "FormatError",
    "JsonLayout",
    "Layouts",
    "Limits",
    "RowError",
    "RowErrors",
    "Table",
    "Text",
    "TooLargeError",
    "UnsupportedTypeError",
    "read_file",
    "read_table",
]
