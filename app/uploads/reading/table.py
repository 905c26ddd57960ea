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
from typing import TextIO

import numpy as np
import pandas as pd

from app.uploads.reading.delimiters import DELIMITER_NAMES, detect_delimiter
from app.uploads.reading.errors import FormatError, RowErrors
from app.uploads.reading.text import Text

# Lines read to choose the delimiter, and the text they are looked for in (the header
# must end within it).
_SNIFF_LINES = 20
_HEAD_CHARS = 1024 * 1024
# The most columns a header may have: a wide layout has one per indicator.
MAX_COLUMNS = 5000
# The longest cell the csv module reads (its default); the C parser reads longer ones,
# which are quoted back shortened.
_CSV_FIELD_LIMIT = csv.field_size_limit()
# Rows the C parser reads at a time.
CHUNK_ROWS = 10_000


@dataclass
class CsvText:
    """A CSV's delimiter and header (stripped), and notes on how it was read; its text
    is read again, as a stream, by :func:`read_table`."""

    source: Text
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


def csv_text(source: Text, header_row: int | None = None) -> CsvText:
    """The CSV's delimiter and header, from its first lines (the whole file only when
    blank lines or a runaway quote fill them). ``header_row`` names the header's row
    (a spreadsheet's numbering, from 1) when rows above it hold a title or notes; by
    default the header is the first row with a cell.

    Raises
    ------
    FormatError
        When no row holds anything, or the header cannot be tokenised.
    """
    with source.stream() as stream:
        head = stream.read(_HEAD_CHARS)
        whole = not stream.read(1)
    sample = list(islice(io.StringIO(head, newline=""), _SNIFF_LINES))
    delimiter = detect_delimiter(sample)
    notes = [f"Columns are separated by {DELIMITER_NAMES[delimiter]}."] if delimiter != "," else []
    found = _header(io.StringIO(head, newline=""), delimiter, final=whole, at=header_row)
    if found is None and not whole and not _line_breaks_in(head):
        # One line filling the head is no CSV: reading on would take it whole.
        raise FormatError(
            f"the first {_HEAD_CHARS:,} characters hold no line break: the file is not a CSV"
        )
    if found is None and not whole:
        with source.stream() as stream:
            found = _header(stream, delimiter, final=True, at=header_row)
    if found is None and header_row is not None:
        raise FormatError(
            f"row {header_row:,} cannot be the header row: the file has no cell on it"
        )
    if found is None:
        raise FormatError("the file has no header row: it holds only blank lines")
    header, number = found
    if not whole and _line_breaks_in(head) < number:
        raise FormatError(
            f"the header row is longer than {_HEAD_CHARS:,} characters: no upload layout "
            "has such a header (is a quote left open, or the file not a CSV?)"
        )
    if len(header) > MAX_COLUMNS:
        raise FormatError(
            f"the header has {len(header):,} columns; at most {MAX_COLUMNS:,} are read: "
            "remove the columns the upload does not need"
        )
    return CsvText(source, delimiter, header, number, notes)


def _line_breaks_in(text: str) -> int:
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def _header(
    lines: TextIO, delimiter: str, *, final: bool, at: int | None = None
) -> tuple[list[str], int] | None:
    """The first row with a cell (or row ``at``, when it has one), and its row number;
    None when ``lines`` (the start of the file, unless ``final``) hold none."""
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    try:
        for number, record in enumerate(reader, start=1):
            if at is not None and number < at:
                continue
            header = [cell.strip() for cell in record]
            if any(header):
                return header, number
            if at is not None:
                return None
    except csv.Error as exc:
        # A cell longer than the csv module's limit is no header, wherever it ends.
        if not final and "field larger than field limit" not in str(exc):
            return None
        raise FormatError(f"the header row cannot be read ({exc}): is a quote left open?") from exc
    return None


def read_table(source: CsvText, positions: Sequence[int], errors: RowErrors) -> Table:
    """The cells at ``positions`` of every data row that is not blank there.

    Rows longer than the header are recorded in ``errors`` and left out. The C parser
    reads the file in chunks of :data:`CHUNK_ROWS`, of which only the asked-for columns
    are kept: a file's unused columns never sit in memory whole.
    """
    width = len(source.header)
    rows: list[int] = []
    columns: list[list[str]] = [[] for _ in positions]
    blank_rows = 0
    try:
        with source.source.stream() as stream:
            # header=None: the C parser then takes the header's width as the row width
            # and refuses longer rows instead of shifting them or making an index.
            chunks = pd.read_csv(
                stream,
                sep=source.delimiter,
                header=None,
                dtype=str,
                na_filter=False,
                skip_blank_lines=False,
                index_col=False,
                engine="c",
                skiprows=source.header_row - 1,
                chunksize=CHUNK_ROWS,
            )
            first = source.header_row  # the first chunk starts with the header
            limits = source.source.limits
            for number, chunk in enumerate(chunks):
                if chunk.shape[1] != width:
                    return _read_slowly(source, positions, errors)
                data = chunk.iloc[1:] if number == 0 else chunk
                first += len(chunk) - len(data)
                blank_rows += _take(data, positions, first, rows, columns)
                first += len(data)
                limits.check_rows(len(rows))
    except pd.errors.ParserError:
        # Rows longer than the header, or broken quoting: the csv module says which rows.
        return _read_slowly(source, positions, errors)
    return Table(rows, columns, blank_rows)


def _take(
    chunk: pd.DataFrame,
    positions: Sequence[int],
    first: int,
    rows: list[int],
    columns: list[list[str]],
) -> int:
    """Append a chunk's non-blank rows (numbered from ``first``) to ``rows`` and its cells
    at ``positions``, stripped, to ``columns``; how many rows were blank."""
    cells = [[cell.strip() for cell in chunk.iloc[:, p].tolist()] for p in positions]
    blank = np.ones(len(chunk), dtype=np.bool_)
    for column in cells:
        blank &= np.array([not cell for cell in column], dtype=np.bool_)
    numbers = np.arange(first, first + len(chunk))
    if blank.any():
        kept = np.flatnonzero(~blank).tolist()
        cells = [[column[i] for i in kept] for column in cells]
        numbers = numbers[kept]
    rows.extend(numbers.tolist())
    for column, taken in zip(columns, cells, strict=True):
        column.extend(taken)
    return int(blank.sum())


def _read_slowly(source: CsvText, positions: Sequence[int], errors: RowErrors) -> Table:
    """The csv module's reading: strict first, so that a quote left open is found and
    named; a file whose quotes all close but stray inside cells (``"E01"x``) is then read
    leniently, as the C parser reads it."""
    try:
        return _records(source, positions, errors, strict=True)
    except csv.Error as exc:
        row = exc.args[1] if len(exc.args) > 1 else None
        if _quotes_left_open(source):
            where = f"row {row:,}" if row else "a row"
            raise FormatError(
                f"{where} cannot be read ({exc.args[0]}): is a quote left open?"
            ) from exc
    return _records(source, positions, errors, strict=False)


def _records(
    source: CsvText, positions: Sequence[int], errors: RowErrors, *, strict: bool
) -> Table:
    width = len(source.header)
    rows: list[int] = []
    records: list[list[str]] = []
    long_rows: list[tuple[int, int]] = []
    blank_rows = 0
    row = source.header_row
    limits = source.source.limits
    with source.source.stream() as stream:
        reader = csv.reader(stream, delimiter=source.delimiter, strict=strict)
        try:
            for _ in range(source.header_row):
                next(reader)
            for row, record in enumerate(reader, start=source.header_row + 1):
                if not any(cell.strip() for cell in record):
                    blank_rows += 1
                    continue
                if len(record) > width:
                    long_rows.append((row, len(record)))
                    continue
                picked = [record[p].strip() if p < len(record) else "" for p in positions]
                if not any(picked):
                    blank_rows += 1
                    continue
                rows.append(row)
                records.append(picked)
                if len(rows) > limits.rows:
                    limits.check_rows(len(rows))
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise FormatError(
                    f"row {row + 1:,} has a cell longer than {_CSV_FIELD_LIMIT:,} characters, "
                    "which no upload layout has: is a quote left open?"
                ) from exc
            raise csv.Error(str(exc), row + 1) from exc
    for number, cells in long_rows:
        errors.add(number, None, None, long_row_reason(cells, width))
    columns = [list(column) for column in zip(*records, strict=True)] or [[] for _ in positions]
    return Table(rows, columns, blank_rows)


def _quotes_left_open(source: CsvText) -> bool:
    """Whether the file's quote characters do not pair up: one is never closed."""
    with source.source.stream() as stream:
        return sum(line.count('"') for line in stream) % 2 == 1


def long_row_reason(cells: int, width: int) -> str:
    return (
        f"the row has {cells} cells but the header has {width}: check for a delimiter "
        "in a value that is not quoted (a comma in a name or a number)"
    )


def blank_rows_note(count: int) -> str | None:
    if not count:
        return None
    return f"{count:,} blank row{'s' if count > 1 else ''} skipped."
