"""Tokenising a CSV: delimiter, header and the columns used, fast or slow."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import numpy as np
import pandas as pd

from app.events.parsing.errors import EventFormatError


@dataclass
class Table:
    """Some columns of a CSV, without its header and blank rows."""

    rows: list[int]
    columns: list[list[str]]  # in the order they were asked for
    ragged: list[tuple[int, int]]  # (row, number of fields) of rows longer than the header
    blank_rows: int


def sniff_delimiter(text: str) -> str:
    # The header line decides: it has no quoted delimiters in any file we expect.
    first_line = text[: text.find("\n")] if "\n" in text else text
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


def read_header(text: str, delimiter: str) -> list[str]:
    try:
        header = next(csv.reader(io.StringIO(text), delimiter=delimiter, strict=True), [])
    except csv.Error as exc:
        raise EventFormatError(f"the header row cannot be read ({exc})") from exc
    if not any(name.strip() for name in header):
        raise EventFormatError("the first row is blank: it must hold the column names")
    return header


def read_columns(text: str, delimiter: str, width: int, positions: list[int]) -> Table:
    """The columns at ``positions`` of every non-blank data row."""
    try:
        # header=None: the C parser then takes the header's width as the row width and
        # refuses longer rows instead of shifting them or making an index of the first column.
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            header=None,
            dtype=str,
            na_filter=False,
            skip_blank_lines=False,
            index_col=False,
            engine="c",
        )
    except pd.errors.ParserError:
        # Rows longer than the header, or broken quoting: the csv module says which rows.
        return _read_columns_slowly(text, delimiter, width, positions)
    picked = frame.iloc[1:, positions]
    # Spreadsheet row numbers: the header is row 1 and blank rows count.
    rows = np.arange(2, len(picked) + 2)
    blank = np.asarray((picked == "").to_numpy().all(axis=1), dtype=np.bool_)
    if blank.any():
        kept = np.flatnonzero(~blank)
        picked, rows = picked.iloc[kept], rows[kept]
    columns = [picked.iloc[:, i].tolist() for i in range(len(positions))]
    return Table(rows.tolist(), columns, [], int(blank.sum()))


def _read_columns_slowly(text: str, delimiter: str, width: int, positions: list[int]) -> Table:
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    rows: list[int] = []
    records: list[list[str]] = []
    ragged: list[tuple[int, int]] = []
    blank_rows = 0
    row = 1
    try:
        next(reader)
        for row, record in enumerate(reader, start=2):
            picked = [record[p] if p < len(record) else "" for p in positions]
            if len(record) > width:
                ragged.append((row, len(record)))
            elif not any(picked):
                blank_rows += 1
                continue
            rows.append(row)
            records.append(picked)
    except csv.Error as exc:
        raise EventFormatError(f"row {row + 1:,} cannot be read ({exc})") from exc
    columns = [list(column) for column in zip(*records, strict=True)] or [[] for _ in positions]
    return Table(rows, columns, ragged, blank_rows)
