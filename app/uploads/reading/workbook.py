"""Excel workbooks (``.xlsx``) read as the CSV a spreadsheet would save, with openpyxl.

A workbook is recognised by its content type or its name, and by its bytes (a ZIP
archive): a ``.csv`` sent with Excel's registered type stays a CSV. One sheet is read
(the first, unless one is named), in read-only mode, its values only (a formula gives
the value Excel last computed). Each sheet row becomes one CSV row, blank ones too, so
that a row error names the row the spreadsheet shows; the header row is chosen as for
a CSV (:func:`.table.csv_text`). Whole numbers are written without a decimal point,
dates as ISO 8601 (``2019-03-01``), and nothing is formatted as the cell shows it (no
thousands separators).

Older ``.xls`` workbooks (a binary format) are refused with advice.
"""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import IO, Any, BinaryIO

from app.uploads.reading.content import split_content_type
from app.uploads.reading.errors import FormatError, TooLargeError, UnsupportedTypeError
from app.uploads.reading.text import Limits

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_EXCEL_TYPES = frozenset({XLSX, "application/vnd.ms-excel", "application/octet-stream", ""})
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"  # .xls (and other Office binary files)
# Columns read from a sheet at most (a CSV header may have as many).
_MAX_COLUMNS = 5000


@dataclass
class Sheet:
    """A workbook's sheets, the one read and its rows as CSV (UTF-8 bytes)."""

    sheets: list[str]
    sheet: str
    csv: IO[bytes]


def is_workbook(data: BinaryIO, content_type: str, filename: str | None) -> bool:
    """Whether the upload is an ``.xlsx`` workbook: declared as one (by type or name) and
    a ZIP archive, or a ZIP sent with a type that says nothing. ``data`` is left where it
    was."""
    media_type, _ = split_content_type(content_type)
    named = (filename or "").lower().endswith((".xlsx", ".xlsm"))
    if media_type != XLSX and not named and media_type not in _EXCEL_TYPES:
        return False
    position = data.tell()
    head = data.read(4)
    data.seek(position)
    if head == _OLE and (named or media_type != "application/vnd.ms-excel"):
        raise UnsupportedTypeError(
            "this is an Excel 97-2003 workbook (.xls): save it as an Excel workbook (.xlsx) "
            "or as CSV (CSV UTF-8) and send that"
        )
    if head != _ZIP:
        if media_type == XLSX:
            raise FormatError("the file is sent as an Excel workbook (.xlsx) but is not one")
        return False
    return True


def read_sheet(data: BinaryIO, sheet: str | None = None, limits: Limits | None = None) -> Sheet:
    """One sheet of a workbook as CSV (see the module docstring).

    Raises
    ------
    FormatError
        When the workbook cannot be opened or has no sheet of that name.
    TooLargeError
        When the sheet has more rows than an upload may hold.
    """
    from openpyxl import load_workbook  # only uploads of workbooks need it

    limits = limits or Limits()
    try:
        book = load_workbook(data, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FormatError(f"the workbook cannot be read ({exc}): is it an .xlsx file?") from exc
    try:
        names = list(book.sheetnames)
        if not names:
            raise FormatError("the workbook has no sheets")
        chosen = names[0] if sheet is None or not sheet.strip() else sheet.strip()
        if chosen not in names:
            raise FormatError(
                f"the workbook has no sheet named '{chosen}': its sheets are "
                + ", ".join(f"'{n}'" for n in names)
            )
        out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
        text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        writer = csv.writer(text, lineterminator="\r\n")
        for rows, values in enumerate(book[chosen].iter_rows(values_only=True), start=1):
            cells = [_cell(v) for v in values[:_MAX_COLUMNS]]
            while cells and not cells[-1]:
                cells.pop()
            writer.writerow(cells)
            if rows > limits.rows + 10:
                raise TooLargeError(
                    f"the sheet has more than {limits.rows:,} rows, the most one upload may "
                    "hold: split it"
                )
        text.flush()
        text.detach()
        out.seek(0)
        return Sheet(names, chosen, out)
    finally:
        book.close()


def sheet_names(data: BinaryIO) -> list[str]:
    from openpyxl import load_workbook

    position = data.tell()
    try:
        book = load_workbook(data, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FormatError(f"the workbook cannot be read ({exc}): is it an .xlsx file?") from exc
    try:
        return list(book.sheetnames)
    finally:
        book.close()
        data.seek(position)


def _cell(value: Any) -> str:
    """A cell's value as a CSV cell: as stored, not as formatted."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip()
