"""Collecting an upload's rows and errors, with duplicate detection and the error cap."""

from __future__ import annotations

from app.observations.parsing.numbers import NumberError, read_number, suppressed_hint
from app.observations.parsing.results import (
    MAX_ERRORS,
    Layout,
    ObservationRow,
    ParsedUpload,
    RowError,
)


class Collector:
    """Rows and errors of an upload, with duplicate detection and the error cap."""

    def __init__(self, layout: Layout) -> None:
        self.layout: Layout = layout
        self.rows: list[ObservationRow] = []
        self.errors: list[RowError] = []
        self.more_errors = 0
        self.first_row: dict[tuple[str, str, str], int] = {}

    def error(self, row: int | None, column: str | None, value: str | None, reason: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(row, column, value, reason))
        else:
            self.more_errors += 1

    @property
    def error_count(self) -> int:
        """Errors recorded so far, listed or not."""
        return len(self.errors) + self.more_errors

    def add_row(
        self,
        errors_before: int,
        row: int,
        key: tuple[str | None, str | None, str | None],
        value: float | None,
        numerator: float | None,
        denominator: float | None,
    ) -> None:
        """Keep a long-layout row (CSV or JSON) unless it is incomplete, a duplicate, or
        something on it was wrong (an error recorded since ``errors_before``)."""
        area, period, indicator = key
        if area is None or period is None or indicator is None:
            return
        if self.is_duplicate(row, (area, period, indicator), None):
            return
        if self.error_count == errors_before:
            self.rows.append(
                ObservationRow(row, area, period, indicator, value, numerator, denominator)
            )

    def number(self, row: int, column: str, text: str, *, grouping: bool = True) -> float | None:
        """Read a number, recording an error and returning None when it is not one."""
        try:
            return read_number(text, grouping=grouping)
        except NumberError as exc:
            reason = exc.reason
            if exc.suppressed:
                reason += f": {suppressed_hint(self.layout)}"
            self.error(row, column, text, reason)
            return None

    def is_duplicate(self, row: int, key: tuple[str, str, str], column: str | None) -> bool:
        """Record where a key first appears; report it when it appears again."""
        earlier = self.first_row.setdefault(key, row)
        if earlier == row:
            return False
        area, period, indicator = key
        self.error(
            row,
            column,
            None,
            f"duplicate: area {area}, period {period}, indicator {indicator} is already on "
            f"row {earlier}",
        )
        return True

    def result(self, encoding: str, notes: list[str]) -> ParsedUpload:
        errors = list(self.errors)
        if self.more_errors:
            errors.append(RowError(None, None, None, f"... and {self.more_errors} more errors"))
        return ParsedUpload(self.rows, errors, self.layout, encoding, notes)
