"""The preview of an observation file before it is uploaded: what the page shows so
that an analyst can map its columns (its sheets, the header row's columns, the first
rows, how many rows it has) and the suggested mapping. Nothing is stored."""

from __future__ import annotations

from itertools import islice
from typing import Any

from sqlalchemy.orm import Session

from app.access import policy
from app.access.viewer import Viewer
from app.indicators.service import visible_indicators
from app.uploads.observation_uploads import opened
from app.uploads.options import UploadOptions
from app.uploads.reading import FormatError, Limits, RowErrors, read_table
from app.uploads.reading.table import csv_text
from app.uploads.reading.text import open_text
from app.uploads.reading.workbook import is_workbook, sheet_names
from app.uploads.rejections import reading_errors
from app.uploads.source import UploadSource
from app.uploads.suggestions import suggest, suggest_period

PREVIEW_ROWS = 10


def preview_observations(
    session: Session,
    viewer: Viewer,
    source: UploadSource,
    options: UploadOptions,
    limits: Limits | None = None,
) -> dict[str, Any]:
    """The preview (see the module docstring) of a CSV or workbook upload.

    Raises
    ------
    UploadRejectedError, UnsupportedMediaTypeError, PayloadTooLargeError
        As the upload itself would, for a file that cannot be read.
    """
    writable = [
        i for i in visible_indicators(session, viewer) if policy.may_write(viewer, i.agency)
    ]
    with reading_errors():
        workbook = is_workbook(source.data, source.content_type, source.filename)
        sheets = sheet_names(source.data) if workbook else []
        with opened(source, options, limits) as (data, content_type, filename):
            text = open_text(data, content_type, filename, limits=limits)
            try:
                if text.kind == "json":
                    raise FormatError(
                        "a JSON upload names its fields itself: the preview reads CSV and "
                        "Excel files, whose columns are mapped"
                    )
                table_source = csv_text(text, options.header_row)
                header = table_source.header
                errors = RowErrors()
                table = read_table(table_source, list(range(len(header))), errors)
            finally:
                text.close()
    found = suggest(header, writable)
    by_code = {i.code: i for i in writable}
    chosen = [by_code[c] for c in found.mapping.values()]
    return {
        "filename": source.filename,
        "format": "xlsx" if workbook else "csv",
        "sheets": sheets,
        "sheet": (options.sheet or sheets[0]) if workbook else None,
        "header_row": table_source.header_row,
        "columns": header,
        "rows": [cells for _, cells in islice(table.records(), PREVIEW_ROWS)],
        "row_numbers": table.rows[:PREVIEW_ROWS],
        "row_count": len(set(table.rows) | errors.bad_rows()),
        "suggestions": {
            "area_column": found.area_column,
            "period_column": found.period_column,
            "period": suggest_period(source.filename, found.period_column, chosen),
            "mapping": found.mapping,
        },
        "indicators": [
            {
                "code": i.code,
                "title": i.title,
                "agency": i.agency,
                "period_type": i.period_type.value,
                "area_types": list(i.area_types),
            }
            for i in sorted(writable, key=lambda i: i.code)
        ],
    }
