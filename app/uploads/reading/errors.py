"""What can be wrong with a partner's file: the file as a whole (:class:`FormatError`),
its declared type (:class:`UnsupportedTypeError`), or single rows (:class:`RowError`,
collected by :class:`RowErrors` under one cap and one wording for every layout)."""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import Final

# Row errors listed one by one; a systematic problem (every date in US order) would
# otherwise give one error per row of a 180,000-row upload. One summary follows them.
MAX_ROW_ERRORS: Final = 1000

# Longest value quoted back in an error: a runaway quoted field can hold a whole file.
MAX_VALUE_CHARS: Final = 100


class FormatError(ValueError):
    """The file cannot be read at all; the message says what was expected.

    Raised for an empty, binary or damaged file, an unreadable encoding, a header that
    lacks a required column, JSON that does not parse or has the wrong shape.
    """


class UnsupportedTypeError(FormatError):
    """The declared content type is not one a partner file can have."""


class TooLargeError(FormatError):
    """The file is larger than an upload may be once decompressed, or has more rows
    (:class:`~app.uploads.reading.text.Limits`); raised as soon as the limit is crossed."""


@dataclass(frozen=True)
class RowError:
    """One problem with one row (a CSV row, a JSON record, a GeoJSON feature).

    Attributes
    ----------
    row : int or None
        Where it is: the row a spreadsheet shows (the header is row 1 when it is the
        first line, blank rows count), or the record's position counting from 1. None
        for a problem that belongs to no single row.
    column : str or None
        The column, key or property at fault as the file names it (``"geometry"`` for a
        GeoJSON geometry); None when the row as a whole is at fault.
    value : str or None
        The offending value as written (shortened when long).
    reason : str
        What is wrong and how to put it right, in words a partner understands.
    """

    row: int | None
    column: str | None
    value: str | None
    reason: str


class RowErrors:
    """Row errors found so far: the first :data:`MAX_ROW_ERRORS` in row order are kept to
    be listed; of the rest only how many there are and their rows are kept, so that a
    file whose every row is wrong costs no more memory than one with a thousand errors."""

    def __init__(self) -> None:
        # A max-heap (keys negated) of the kept errors, by (row, order found).
        self._kept: list[tuple[int, int, RowError]] = []
        self._count = 0
        self._bad_rows: set[int] = set()
        self._dropped = 0
        self._dropped_rows: list[int] = []  # the smallest and largest row dropped

    def add(self, row: int | None, column: str | None, value: str | None, reason: str) -> None:
        error = RowError(row, column, clip(value), reason)
        # The running count keeps the errors of one row in the order they were found.
        item = (-(row or 0), -self._count, error)
        self._count += 1
        if row is not None:
            self._bad_rows.add(row)
        if len(self._kept) < MAX_ROW_ERRORS:
            heapq.heappush(self._kept, item)
            return
        dropped = heapq.heappushpop(self._kept, item)[2]
        self._dropped += 1
        if dropped.row is not None:
            rows = [*self._dropped_rows, dropped.row]
            self._dropped_rows = [min(rows), max(rows)]

    def __len__(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0

    def bad_rows(self) -> set[int]:
        """The rows with at least one error."""
        return set(self._bad_rows)

    def listed(self) -> list[RowError]:
        """The errors in row order: the first :data:`MAX_ROW_ERRORS`, then one that says
        how many more there are and in which rows."""
        listed = [error for _, _, error in sorted(self._kept, reverse=True)]
        if self._dropped:
            listed.append(_summary(self._dropped, self._dropped_rows))
        return listed


def _summary(count: int, rows: list[int]) -> RowError:
    more = f"{count:,} more error{'s' if count > 1 else ''}"
    if not rows:
        return RowError(None, None, None, f"{more} not listed")
    first, last = rows
    where = f"in row {first:,}" if first == last else f"in rows {first:,} to {last:,}"
    verb = "is" if count == 1 else "are"
    return RowError(first, None, None, f"{more} {where} {verb} not listed")


def clip(value: str | None) -> str | None:
    """A value short enough to quote back in an error."""
    if value is None or len(value) <= MAX_VALUE_CHARS:
        return value
    return value[: MAX_VALUE_CHARS - 1] + "…"
