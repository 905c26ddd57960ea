"""A CSV as a table: its header, then the cells of the columns a layout reads.

Every layout reads CSV through here, so that rows are numbered, blank rows skipped and
long rows reported the same way whatever the file holds:

- rows are numbered as a spreadsheet shows them: the header's row, counting blank lines
  before it, then one row per record (a quoted line break stays in its cell);
- blank lines before the header are skipped; the header is the first row with a cell;
- a row whose cells are all blank (or blank where the layout reads) is skipped and
  counted in a note;
- a row with more cells than the header, not all blank, is a row error: usually a value holding the
  delimiter, not quoted, which shifts every later cell (even when the last is blank); a
  shorter row reads blank at its end, as a spreadsheet shows it;
- cells are stripped of surrounding spaces.

Cells are tokenised by pandas' C parser (about 2.7 times as fast as the csv module on
police.uk files); the csv module is the fallback that locates malformed rows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice

import numpy as np
import pandas as pd

from app.uploads.reading.delimiters import DELIMITER_NAMES, detect_delimiter
from app.uploads.reading.errors import FormatError, RowErrors
from app.uploads.reading.text import Text

# Lines read to choose the delimiter, and the text they are looked for in.
_SNIFF_LINES = 20
_HEAD_CHARS = 64 * 1024


@dataclass
class CsvText:
    """A CSV's text, delimiter and header (stripped), and notes on how it was read."""

    text: str
    delimiter: str
    header: list[str]
    header_row: int  # the spreadsheet row of the header (1 unless blank lines precede it)
    notes: list[str] = field(default_factory=list)


@dataclass
class Table:
    """Some columns of a CSV's data rows, in the order they were asked for."""

    rows: list[int]
    columns: list[list[str]]
    blank_rows: int

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """(row, cells) of each data row."""
        for number, *cells in zip(self.rows, *self.columns, strict=True):
            yield number, list(cells)


def csv_text(source: Text) -> CsvText:
    """The CSV's delimiter and header.

    Raises
    ------
    FormatError
        When no row holds anything, or the header cannot be tokenised.
    """
    text = source.read()
    # The delimiter and the header are found in the file's first lines (the whole file
    # only when blank lines or a runaway quote fill them).
    head = text[:_HEAD_CHARS]
    sample = list(islice(io.StringIO(head, newline=""), _SNIFF_LINES))
    delimiter = detect_delimiter(sample)
    notes = [f"Columns are separated by {DELIMITER_NAMES[delimiter]}."] if delimiter != "," else []
    for part in (head, text) if len(text) > len(head) else (text,):
        found = _header(part, delimiter, final=part is text)
        if found is not None:
            header, number = found
            return CsvText(text, delimiter, header, number, notes)
    raise FormatError("the file has no header row: it holds only blank lines")


def _header(text: str, delimiter: str, *, final: bool) -> tuple[list[str], int] | None:
    """The first row with a cell, and its row number; None when ``text`` (the start of
    the file, unless ``final``) holds none."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        for number, record in enumerate(reader, start=1):
            header = [cell.strip() for cell in record]
            if any(header):
                return header, number
    except csv.Error as exc:
        if not final:
            return None
        raise FormatError(f"the header row cannot be read ({exc}): is a quote left open?") from exc
    return None


def read_table(source: CsvText, positions: Sequence[int], errors: RowErrors) -> Table:
    """The cells at ``positions`` of every data row that is not blank there.

    Rows longer than the header are recorded in ``errors`` and left out.
    """
    width = len(source.header)
    try:
        # header=None: the C parser then takes the header's width as the row width and
        # refuses longer rows instead of shifting them or making an index of a column.
        frame = pd.read_csv(
            io.StringIO(source.text, newline=""),
            sep=source.delimiter,
            header=None,
            dtype=str,
            na_filter=False,
            skip_blank_lines=False,
            index_col=False,
            engine="c",
            skiprows=source.header_row - 1,
        )
    except pd.errors.ParserError:
        # Rows longer than the header, or broken quoting: the csv module says which rows.
        return _read_slowly(source, positions, errors)
    if frame.shape[1] != width:
        return _read_slowly(source, positions, errors)
    picked = frame.iloc[1:, list(positions)]
    rows = np.arange(source.header_row + 1, source.header_row + 1 + len(picked))
    raw = [picked.iloc[:, i].tolist() for i in range(len(positions))]
    columns = [[cell.strip() for cell in column] for column in raw]
    blank = np.asarray((picked == "").to_numpy().all(axis=1), dtype=np.bool_)
    if any(stripped != column for stripped, column in zip(columns, raw, strict=True)):
        # Cells of spaces alone are blank too (rare: most files have no cell to strip).
        for column in columns:
            blank &= np.array([not cell for cell in column], dtype=np.bool_)
    if blank.any():
        kept = np.flatnonzero(~blank).tolist()
        columns = [[column[i] for i in kept] for column in columns]
        rows = rows[kept]
    return Table(rows.tolist(), columns, int(blank.sum()))


def _read_slowly(source: CsvText, positions: Sequence[int], errors: RowErrors) -> Table:
    width = len(source.header)
    text = io.StringIO(source.text, newline="")
    reader = csv.reader(text, delimiter=source.delimiter, strict=True)
    rows: list[int] = []
    records: list[list[str]] = []
    blank_rows = 0
    row = source.header_row
    try:
        for _ in range(source.header_row):
            next(reader)
        for row, record in enumerate(reader, start=source.header_row + 1):
            if not any(cell.strip() for cell in record):
                blank_rows += 1
                continue
            if len(record) > width:
                errors.add(row, None, None, long_row_reason(len(record), width))
                continue
            picked = [record[p].strip() if p < len(record) else "" for p in positions]
            if not any(picked):
                blank_rows += 1
                continue
            rows.append(row)
            records.append(picked)
    except csv.Error as exc:
        raise FormatError(f"row {row + 1:,} cannot be read ({exc}): is a quote left open?") from exc
    columns = [list(column) for column in zip(*records, strict=True)] or [[] for _ in positions]
    return Table(rows, columns, blank_rows)


def long_row_reason(cells: int, width: int) -> str:
    return (
        f"the row has {cells} cells but the header has {width}: check for a delimiter "
        "in a value that is not quoted (a comma in a name or a number)"
    )


def blank_rows_note(count: int) -> str | None:
    if not count:
        return None
    return f"{count:,} blank row{'s' if count > 1 else ''} skipped."
