"""The wide CSV layout of observations: one row per area (and period), one column per
indicator headed by its code. A blank cell is no value (counted in a note)."""

from __future__ import annotations

from collections.abc import Sequence

from app.uploads.layouts.observation_csv import Columns, ObservationCsv, headings
from app.uploads.layouts.observation_rows import (
    IndicatorCodes,
    ObservationRow,
    ParsedObservations,
    RowKeeper,
)
from app.uploads.reading.errors import FormatError
from app.uploads.reading.headings import Column


class WideObservations(ObservationCsv):
    layout = "wide"

    def __init__(self, codes: IndicatorCodes, default_period: str | None) -> None:
        super().__init__(codes, default_period)
        self.blank_cells = 0

    def accepts(self, header: Sequence[str]) -> bool:
        return True  # tried after the long layout: any other CSV is meant to be wide

    def columns(self, header: Sequence[str]) -> Columns:
        matched = headings(header)
        roles = dict(matched.roles)
        # Value-like columns mean nothing here, so they are ignored like names.
        value_like = [roles.pop(r) for r in ("value", "numerator", "denominator") if r in roles]
        others = [*matched.others, *value_like]
        indicators: dict[str, Column] = {}
        rest: list[Column] = []
        for column in sorted(others, key=lambda c: c.index):
            code = self.codes.match_header(column.heading) if column.heading else None
            if code is None:
                rest.append(column)
            elif code in indicators:
                raise FormatError(
                    f"columns '{indicators[code].heading}' and '{column.heading}' are both "
                    f"indicator {code}: keep one"
                )
            else:
                indicators[code] = column
        if not indicators:
            raise FormatError(self._no_indicator_message(header))
        return Columns(roles, indicators, rest)

    def read_row(
        self, keeper: RowKeeper, columns: Columns, row: int, cells: list[str], grouping: bool
    ) -> None:
        area = self.required(keeper, columns, row, cells, "area", "the area code is missing")
        period = self.period(keeper, columns, row, cells)
        for indicator, column in columns.indicators.items():
            text = cells[column.index]
            if not text:
                self.blank_cells += 1
                continue
            value = keeper.number(row, column.heading, text, grouping=grouping)
            if area is None or period is None:
                continue
            duplicate = keeper.is_duplicate(row, (area, period, indicator), column.heading)
            if value is not None and not duplicate:
                keeper.rows.append(ObservationRow(row, area, period, indicator, value, None, None))

    def finish(self, keeper: RowKeeper, codec: str, notes: list[str]) -> ParsedObservations:
        if self.blank_cells:
            notes.append(f"{self.blank_cells} blank cell(s) left no value.")
        if not keeper.rows and not keeper.errors:
            raise FormatError("the file holds no values: every indicator cell is blank")
        return keeper.result(codec, notes)

    def _no_indicator_message(self, header: Sequence[str]) -> str:
        codes = self.codes
        close = list(dict.fromkeys(code for h in header if h for code in codes.closest(h)))
        if close:
            known = "the closest known codes are " + ", ".join(close)
        elif codes.canonical:
            shown = codes.canonical[:10]
            more = f" and {len(codes.canonical) - 10} more" if len(codes.canonical) > 10 else ""
            known = "known codes are " + ", ".join(shown) + more
        else:
            known = "no indicator codes are known for this upload"
        return (
            "no column is an indicator: a long upload needs columns area_code, period, "
            "indicator and value; a wide upload needs one column per indicator, headed by "
            f"its code; {known}"
        )
