"""The mapped layout of observations: a wide file (one row per area, columns of values)
whose columns the analyst has named, as the upload page does after its preview: which
column is which indicator, which holds the area code, and which the period (or one
period for the whole file). A real export (IMD 2019's File 1 as downloaded, headed
"Index of Multiple Deprivation (IMD) Rank") is read without renaming its columns.

Columns are found by their heading as the file writes it (surrounding spaces, case
and then punctuation aside); unmapped columns are ignored and listed in a note."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from app.uploads.layouts.observation_csv import Columns, headings
from app.uploads.layouts.observation_rows import ROLES, IndicatorCodes
from app.uploads.layouts.observations_wide import WideObservations
from app.uploads.reading.errors import FormatError
from app.uploads.reading.headings import Column, match_headings, normalise, quoted


def find_column(header: Sequence[str], wanted: str) -> Column | None:
    """The column headed ``wanted``: exactly, else ignoring case, else ignoring spaces
    and punctuation (the first of several)."""
    for same in (
        lambda h: h == wanted,
        lambda h: h.casefold() == wanted.casefold(),
        lambda h: normalise(h) == normalise(wanted) and normalise(h) != "",
    ):
        for index, heading in enumerate(header):
            if heading and same(heading):
                return Column(index, heading)
    return None


class MappedObservations(WideObservations):
    layout = "wide"

    def __init__(
        self,
        codes: IndicatorCodes,
        default_period: str | None,
        mapping: Mapping[str, str],
        area_column: str | None = None,
        period_column: str | None = None,
    ) -> None:
        super().__init__(codes, default_period)
        self.mapping = dict(mapping)
        self.area_column = area_column
        self.period_column = period_column

    def columns(self, header: Sequence[str]) -> Columns:
        roles: dict[str, Column] = {}
        if self.area_column is not None:
            roles["area"] = self._find(header, self.area_column, "area code")
        if self.period_column is not None:
            roles["period"] = self._find(header, self.period_column, "period")
        if "area" not in roles:
            roles["area"] = headings(header).roles["area"]  # the column's usual names
        if self.period_column is None and self.default_period is None:
            found = match_headings(header, ROLES).roles
            if "period" in found:
                roles["period"] = found["period"]
        indicators: dict[str, Column] = {}
        for heading, written in self.mapping.items():
            column = self._find(header, heading, "indicator")
            code = self.codes.match(written)
            if code is None:
                raise FormatError(
                    f"column '{heading}' is mapped to {self.codes.unknown_reason(written)}, "
                    "or not one this upload may write"
                )
            if code in indicators:
                raise FormatError(
                    f"columns '{indicators[code].heading}' and '{column.heading}' are both "
                    f"mapped to {code}: keep one"
                )
            if column.index in {c.index for c in (*roles.values(), *indicators.values())}:
                raise FormatError(f"column '{column.heading}' is mapped twice")
            indicators[code] = column
        if not indicators:
            raise FormatError("the mapping names no column: map at least one to an indicator")
        used = {c.index for c in (*roles.values(), *indicators.values())}
        others = [Column(i, h) for i, h in enumerate(header) if i not in used]
        return Columns(roles, indicators, others)

    @staticmethod
    def _find(header: Sequence[str], heading: str, what: str) -> Column:
        column = find_column(header, heading)
        if column is None:
            raise FormatError(
                f"the {what} column '{heading}' is not in the file: its columns are "
                f"{quoted([h for h in header if h])}"
            )
        return column

    def _ignored_note(self, others: list[Column]) -> str | None:
        named = [f"'{c.heading}'" for c in others if c.heading]
        return f"Columns not mapped, ignored: {', '.join(named)}." if named else None
