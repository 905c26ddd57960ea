"""CSV uploads, long or wide: delimiter, records, notes and rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from itertools import chain, islice
from typing import IO

from app.observations.parsing.codes import Codes
from app.observations.parsing.collector import Collector
from app.observations.parsing.errors import UploadFormatError
from app.observations.parsing.headers import (
    CANONICAL,
    Column,
    Columns,
    classify_columns,
    ignored_columns_note,
    no_indicator_message,
)
from app.observations.parsing.results import ObservationRow, ParsedUpload
from app.textfiles import normalise_header

# Lines read to choose the delimiter.
_SNIFF_LINES = 20


_DELIMITERS = ",;\t"
_DELIMITER_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs"}


def _delimiter_score(lines: list[str], delimiter: str) -> tuple[int, int]:
    """How well a delimiter splits the lines: rows as wide as the header, header width."""
    rows = list(csv.reader(lines, delimiter=delimiter))
    width = len(rows[0]) if rows else 0
    if width < 2:
        return 0, width
    return sum(len(r) == width for r in rows[1:]), width


def detect_delimiter(sample: list[str]) -> str:
    """Choose comma, semicolon or tab from the header and the first lines.

    csv.Sniffer reads the header line well when fields are quoted, but on a lone header it
    falls back on a fixed preference and it can pick a character that splits the header yet
    not the data ("Rate (per 1,000)" in a semicolon file). So its choice is kept only when it
    splits the data rows into as many cells as the header as well as any other does; else the
    best of the three wins, comma first on a tie.
    """
    lines = [line for line in sample if line.strip()]
    if not lines:
        return ","
    try:
        sniffed: str | None = csv.Sniffer().sniff("".join(lines), delimiters=_DELIMITERS).delimiter
    except csv.Error:
        sniffed = None
    scores = {d: _delimiter_score(lines, d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: scores[d])
    if sniffed in scores and scores[sniffed] == scores[best]:
        return sniffed
    return best


def _records(lines: Iterable[str], delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Yield (spreadsheet row number, stripped cells); blank lines count as rows."""
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        for number, record in enumerate(reader, start=1):
            yield number, [cell.strip() for cell in record]
    except csv.Error as exc:
        raise UploadFormatError(
            f"the CSV cannot be read near line {reader.line_num}: {exc} (is a quote left open?)"
        ) from None


def parse_csv(
    stream: IO[bytes], codec: str, codes: Codes, default_period: str | None
) -> ParsedUpload:
    # newline="" hands line endings to the csv module, which reads CRLF, LF and CR alike and
    # keeps line breaks inside quoted cells.
    text = io.TextIOWrapper(stream, encoding=codec, newline="")
    try:
        lines = iter(text)
        sample = list(islice(lines, _SNIFF_LINES))
        delimiter = detect_delimiter(sample)
        return _parse_records(
            _records(chain(sample, lines), delimiter), delimiter, codec, codes, default_period
        )
    finally:
        text.detach()  # leave the caller's stream open


def _parse_records(
    records: Iterator[tuple[int, list[str]]],
    delimiter: str,
    codec: str,
    codes: Codes,
    default_period: str | None,
) -> ParsedUpload:
    header: list[str] | None = None
    for _, cells in records:
        if any(cells):
            header = cells
            break
    if header is None:
        raise UploadFormatError("the file has no header row: it holds only blank lines")
    columns = classify_columns(header, codes)
    long = "indicator" in columns.roles
    if not long and not columns.indicators:
        raise UploadFormatError(no_indicator_message(header, codes))
    if "period" not in columns.roles and default_period is None:
        raise UploadFormatError(
            "there is no period column: add one (named period) or give the period of "
            "every value with the upload (?period=2021-03)"
        )
    notes = _csv_notes(columns, codes, delimiter, default_period)
    reader = _RowReader(
        columns, codes, default_period, len(header), grouping=delimiter != ";", long=long
    )
    data_rows = 0
    for number, cells in records:
        if not any(cells):
            continue
        data_rows += 1
        reader.read(number, cells)
    if data_rows == 0:
        raise UploadFormatError("the file has a header row but no data rows")
    collector = reader.collector
    if reader.blank_cells:
        notes.append(f"{reader.blank_cells} blank cell(s) left no value.")
    if not collector.rows and not collector.errors:
        raise UploadFormatError("the file holds no values: every indicator cell is blank")
    return collector.result(codec, notes)


def _csv_notes(
    columns: Columns, codes: Codes, delimiter: str, default_period: str | None
) -> list[str]:
    """Say how the file was read: delimiter, columns used and ignored, default period."""
    notes: list[str] = []
    if delimiter != ",":
        notes.append(f"Columns are separated by {_DELIMITER_NAMES[delimiter]}.")
    if delimiter == ";":
        notes.append(
            "Numbers are read with a decimal point; commas in numbers are refused because "
            "semicolon-separated files often use decimal commas."
        )
    if "period" not in columns.roles:
        notes.append(f"There is no period column: every value is for period {default_period}.")
    elif default_period is not None:
        notes.append(
            f"The periods come from column '{columns.roles['period'].header}'; the default "
            f"period {default_period} is not used."
        )
    for role in ("area", "period"):
        column = columns.roles.get(role)
        if column and normalise_header(column.header) != normalise_header(CANONICAL[role]):
            notes.append(f"Column '{column.header}' is read as {CANONICAL[role]}.")
    if note := ignored_columns_note(columns.others, codes, wide="indicator" not in columns.roles):
        notes.append(note)
    return notes


class _RowReader:
    """Turns the cells of CSV data rows into observations and errors."""

    def __init__(
        self,
        columns: Columns,
        codes: Codes,
        default_period: str | None,
        width: int,
        *,
        grouping: bool,
        long: bool,
    ) -> None:
        self.roles = columns.roles
        self.indicators = columns.indicators
        self.codes = codes
        self.default_period = default_period
        self.width = width
        self.grouping = grouping
        self.long = long
        self.collector = Collector("long" if long else "wide")
        self.blank_cells = 0

    def read(self, row: int, cells: list[str]) -> None:
        if len(cells) > self.width and any(cells[self.width :]):
            self.collector.error(
                row,
                None,
                None,
                f"the row has {len(cells)} cells but the header has {self.width}: check for "
                "unquoted commas in a name or number",
            )
            return
        area = self._required(row, cells, "area", "the area code is missing")
        period = self._period(row, cells)
        if self.long:
            self._read_long(row, cells, area, period)
        else:
            self._read_wide(row, cells, area, period)

    def _cell(self, cells: list[str], column: Column) -> str:
        return cells[column.index] if column.index < len(cells) else ""

    def _required(self, row: int, cells: list[str], role: str, reason: str) -> str | None:
        column = self.roles[role]
        text = self._cell(cells, column)
        if not text:
            self.collector.error(row, column.header, "", reason)
            return None
        return text

    def _period(self, row: int, cells: list[str]) -> str | None:
        if "period" not in self.roles:
            return self.default_period
        return self._required(row, cells, "period", "the period is missing")

    def _optional_number(self, row: int, cells: list[str], role: str) -> float | None:
        column = self.roles.get(role)
        text = self._cell(cells, column) if column else ""
        if column is None or not text:
            return None
        return self.collector.number(row, column.header, text, grouping=self.grouping)

    def _read_long(self, row: int, cells: list[str], area: str | None, period: str | None) -> None:
        errors_before = self.collector.error_count
        indicator = None
        written = self._required(row, cells, "indicator", "the indicator code is missing")
        if written is not None:
            indicator = self.codes.match(written)
            if indicator is None:
                column = self.roles["indicator"].header
                self.collector.error(row, column, written, self.codes.unknown_reason(written))
        value_text = self._required(
            row, cells, "value", "the value is missing: leave rows without a value out"
        )
        value = None
        if value_text is not None:
            value = self.collector.number(
                row, self.roles["value"].header, value_text, grouping=self.grouping
            )
        numerator = self._optional_number(row, cells, "numerator")
        denominator = self._optional_number(row, cells, "denominator")
        self.collector.add_row(
            errors_before, row, (area, period, indicator), value, numerator, denominator
        )

    def _read_wide(self, row: int, cells: list[str], area: str | None, period: str | None) -> None:
        for indicator, column in self.indicators.items():
            text = self._cell(cells, column)
            if not text:
                self.blank_cells += 1
                continue
            value = self.collector.number(row, column.header, text, grouping=self.grouping)
            if area is None or period is None:
                continue
            duplicate = self.collector.is_duplicate(row, (area, period, indicator), column.header)
            if value is not None and not duplicate:
                self.collector.rows.append(
                    ObservationRow(row, area, period, indicator, value, None, None)
                )
