"""What the long and wide CSV layouts of observations share: their columns, the checks
of a header, the notes on how it was read, and the loop over the data rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.uploads.layouts.observation_rows import (
    ROLES,
    SHOWN,
    IndicatorCodes,
    ParsedObservations,
    RowKeeper,
)
from app.uploads.reading.errors import FormatError
from app.uploads.reading.headings import Column, Headings, match_headings, normalise, quoted
from app.uploads.reading.table import CsvText, blank_rows_note, read_table
from app.uploads.reading.text import Text


@dataclass
class Columns:
    """What each column of a header is for."""

    roles: dict[str, Column]
    indicators: dict[str, Column]  # known code -> its column (wide layout)
    others: list[Column]  # neither a role nor an indicator


def headings(header: Sequence[str]) -> Headings:
    matched = match_headings(header, ROLES)
    if "area" not in matched.roles:
        raise FormatError(
            f"no area code column among {quoted([h for h in header if h])}: name it "
            "area_code (ONS names such as LSOA11CD or 'LSOA code (2011)' are recognised too)"
        )
    return matched


class ObservationCsv:
    """The reading both CSV layouts share; subclasses classify columns and read rows."""

    layout: str = ""

    def __init__(self, codes: IndicatorCodes, default_period: str | None) -> None:
        self.codes = codes
        self.default_period = default_period

    def columns(self, header: Sequence[str]) -> Columns:
        raise NotImplementedError

    def read_row(
        self, keeper: RowKeeper, columns: Columns, row: int, cells: list[str], grouping: bool
    ) -> None:
        raise NotImplementedError

    def read(self, source: CsvText, text: Text) -> ParsedObservations:
        columns = self.columns(source.header)
        if "period" not in columns.roles and self.default_period is None:
            raise FormatError(
                "there is no period column: add one (named period) or give the period of "
                "every value with the upload (?period=2021-03)"
            )
        keeper = RowKeeper("wide" if self.layout == "wide" else "long")
        # Only the columns read: a file's other columns (names, notes) are never kept.
        used = sorted({c.index for c in (*columns.roles.values(), *columns.indicators.values())})
        table = read_table(source, used, keeper.errors)
        if not table.rows and not keeper.errors:
            raise FormatError("the file has a header row but no data rows")
        grouping = source.delimiter != ";"
        cells = [""] * len(source.header)
        for row, picked in table.records():
            for position, cell in zip(used, picked, strict=True):
                cells[position] = cell
            self.read_row(keeper, columns, row, cells, grouping)
        notes = [*text.notes, *source.notes, *self._notes(columns, source.delimiter)]
        if note := blank_rows_note(table.blank_rows):
            notes.append(note)
        parsed = self.finish(keeper, text.codec, notes)
        # Every data row counts, those the reader refused too (a row longer than the
        # header is in the errors, not in the table).
        parsed.data_rows = len(set(table.rows) | keeper.errors.bad_rows())
        parsed.headings = {role: column.heading for role, column in columns.roles.items()}
        parsed.indicator_headings = {
            code: column.heading for code, column in columns.indicators.items()
        }
        return parsed

    def finish(self, keeper: RowKeeper, codec: str, notes: list[str]) -> ParsedObservations:
        return keeper.result(codec, notes)

    # --- shared pieces of a row -------------------------------------------------------

    def required(
        self, keeper: RowKeeper, columns: Columns, row: int, cells: list[str], role: str, why: str
    ) -> str | None:
        column = columns.roles[role]
        text = cells[column.index]
        if not text:
            keeper.error(row, column.heading, "", why)
            return None
        return text

    def period(self, keeper: RowKeeper, columns: Columns, row: int, cells: list[str]) -> str | None:
        if "period" not in columns.roles:
            return self.default_period
        return self.required(keeper, columns, row, cells, "period", "the period is missing")

    def _notes(self, columns: Columns, delimiter: str) -> list[str]:
        """Say how the file was read: numbers, columns used and ignored, the period."""
        notes: list[str] = []
        if delimiter == ";":
            notes.append(
                "Numbers are read with a decimal point; commas in numbers are refused because "
                "semicolon-separated files often use decimal commas."
            )
        if "period" not in columns.roles:
            notes.append(
                f"There is no period column: every value is for period {self.default_period}."
            )
        elif self.default_period is not None:
            notes.append(
                f"The periods come from column '{columns.roles['period'].heading}'; the "
                f"default period {self.default_period} is not used."
            )
        for role in ("area", "period"):
            column = columns.roles.get(role)
            if column and normalise(column.heading) != normalise(SHOWN[role]):
                notes.append(f"Column '{column.heading}' is read as {SHOWN[role]}.")
        if note := self._ignored_note(columns.others):
            notes.append(note)
        return notes

    def _ignored_note(self, others: list[Column]) -> str | None:
        wide = self.layout == "wide"
        named = [c for c in others if c.heading]
        unnamed = len(others) - len(named)
        parts: list[str] = []
        for column in named:
            part = f"'{column.heading}'"
            if wide and (close := self.codes.closest(column.heading, n=1)):
                part += f" (did you mean '{close[0]}'?)"
            parts.append(part)
        if unnamed:
            parts.append(f"{unnamed} column(s) without a header")
        if not parts:
            return None
        why = " (not known indicator codes)" if wide else ""
        return f"Ignored columns{why}: {', '.join(parts)}."
