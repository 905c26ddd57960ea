"""The long CSV layout of observations: one row per value, with columns ``area_code``,
``period``, ``indicator`` and ``value``, and optionally ``numerator`` and ``denominator``.
A CSV is long when it has an indicator column."""

from __future__ import annotations

from collections.abc import Sequence

from app.uploads.layouts.observation_csv import Columns, ObservationCsv, headings
from app.uploads.layouts.observation_rows import ROLES, RowKeeper
from app.uploads.reading.errors import FormatError
from app.uploads.reading.headings import quoted, role_of


class LongObservations(ObservationCsv):
    layout = "long"

    def accepts(self, header: Sequence[str]) -> bool:
        return any(
            (found := role_of(h, ROLES)) is not None and found[0].name == "indicator"
            for h in header
        )

    def columns(self, header: Sequence[str]) -> Columns:
        matched = headings(header)
        if "value" not in matched.roles:
            raise FormatError(
                f"no value column among {quoted([h for h in header if h])}: a file with an "
                "indicator column needs a value column (area_code, period, indicator, value)"
            )
        return Columns(matched.roles, {}, matched.others)

    def read_row(
        self, keeper: RowKeeper, columns: Columns, row: int, cells: list[str], grouping: bool
    ) -> None:
        errors_before = len(keeper.errors)
        area = self.required(keeper, columns, row, cells, "area", "the area code is missing")
        period = self.period(keeper, columns, row, cells)
        indicator = None
        written = self.required(
            keeper, columns, row, cells, "indicator", "the indicator code is missing"
        )
        if written is not None:
            indicator = self.codes.match(written)
            if indicator is None:
                column = columns.roles["indicator"].heading
                keeper.error(row, column, written, self.codes.unknown_reason(written))
        missing = "the value is missing: leave rows without a value out"
        value_text = self.required(keeper, columns, row, cells, "value", missing)
        value = None
        if value_text is not None:
            heading = columns.roles["value"].heading
            value = keeper.number(row, heading, value_text, grouping=grouping)
        numerator = self._optional(keeper, columns, row, cells, "numerator", grouping)
        denominator = self._optional(keeper, columns, row, cells, "denominator", grouping)
        keeper.keep(errors_before, row, (area, period, indicator), value, numerator, denominator)

    @staticmethod
    def _optional(
        keeper: RowKeeper, columns: Columns, row: int, cells: list[str], role: str, grouping: bool
    ) -> float | None:
        column = columns.roles.get(role)
        if column is None or not cells[column.index]:
            return None
        return keeper.number(row, column.heading, cells[column.index], grouping=grouping)
