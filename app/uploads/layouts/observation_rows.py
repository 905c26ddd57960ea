"""What the observation layouts share: the rows they give, the indicator codes they
match, the role names of their columns and keys, and the keeping of rows.

An observation is a value of one indicator for one area and period. Nothing here
touches the database: the caller passes the indicator codes it knows and then checks
areas, periods and signs itself.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from app.uploads.reading.errors import RowError, RowErrors
from app.uploads.reading.headings import Role, normalise
from app.uploads.reading.numbers import NumberError, read_number

Layout = Literal["long", "wide", "json"]


@dataclass(frozen=True)
class ObservationRow:
    """One observation as uploaded, before the caller validates area and period.

    Attributes
    ----------
    row : int
        Where it came from: the spreadsheet row (the header is row 1) for CSV, the
        1-based index of the record for JSON.
    area_code, period : str
        As written, stripped (the period may be the upload's default).
    indicator : str
        The indicator code, spelled as in the known codes.
    value : float or None
        The value (always set by the layouts).
    numerator, denominator : float or None
        The value's parts, when given.
    """

    row: int
    area_code: str
    period: str
    indicator: str
    value: float | None
    numerator: float | None
    denominator: float | None


@dataclass
class ParsedObservations:
    """What an upload of observations holds.

    ``row_errors`` holds every problem found; the caller adds its own (areas, periods)
    so that one cap covers them all. ``encoding`` is the codec read with
    (``"utf-8"``, ``"utf-8-sig"``, ``"cp1252"`` ...).
    """

    rows: list[ObservationRow]
    row_errors: RowErrors
    layout: Layout
    encoding: str
    notes: list[str] = field(default_factory=list)
    # The data rows (records) of the file, good or bad: an error's "of N rows".
    data_rows: int | None = None
    # How the file names each role's column (``area`` -> "LSOA code (2011)"), and, for
    # the wide layout, each indicator's column: errors name columns as the file does.
    headings: dict[str, str] = field(default_factory=dict)
    indicator_headings: dict[str, str] = field(default_factory=dict)

    @property
    def errors(self) -> list[RowError]:
        return self.row_errors.listed()

    @property
    def row_count(self) -> int:
        """The file's data rows, those with errors too."""
        return len(self.rows) if self.data_rows is None else self.data_rows

    def column(self, role: str, indicator: str | None = None) -> str:
        """The file's name of the column of ``role`` (``area``, ``period``, ``value``,
        ``numerator``, ``denominator``); the value of a wide file is its indicator's."""
        if role == "value" and indicator in self.indicator_headings:
            return self.indicator_headings[indicator]
        return self.headings.get(role, SHOWN[role])


# --- column and key names --------------------------------------------------------------

# Area code columns rank by geography, finest first, after the generic names: a file
# listing LSOAs with their local authority's code is about the LSOAs.
_AREA_GRAIN = {
    "area": 0, "geography": 0, "gss": 0, "oa": 1, "lsoa": 2, "dz": 2, "datazone": 2,
    "msoa": 3, "iz": 3, "ward": 4, "wd": 4, "ed": 4, "nhood": 5, "nbhd": 5,
    "neighbourhood": 5, "neighborhood": 5, "lad": 6, "la": 6, "ltla": 6, "utla": 6,
    "localauthority": 6, "localauthoritydistrict": 6,
}  # fmt: skip
_OTHER_ONS_GRAIN = 7
_ONS_CODE = re.compile(r"([a-z]+)\d{2}cd")  # LSOA11CD, WD20CD, LAD19CD...
_NAMED_CODE = re.compile(r"([a-z]+)code(?:\d{2}|\d{4})?")  # "LSOA code (2011)", "ward_code"


def _area_grain(normal: str) -> int | None:
    if m := _ONS_CODE.fullmatch(normal):
        return _AREA_GRAIN.get(m[1], _OTHER_ONS_GRAIN)
    if m := _NAMED_CODE.fullmatch(normal):
        return _AREA_GRAIN.get(m[1])
    return None


ROLES = (
    Role(
        "period",
        "period",
        (
            ("period", "timeperiod"),
            ("date", "month", "quarter", "year", "financialyear", "academicyear"),
        ),
    ),
    Role("indicator", "indicator", (("indicator", "indicatorcode"),)),
    Role("value", "value", (("value", "obsvalue"),)),
    Role("numerator", "numerator", ("numerator",)),
    Role("denominator", "denominator", ("denominator",)),
    Role(
        "area",
        "area_code",
        (("areacode", "area", "code", "areacd", "geographycode", "gsscode"),),
        _area_grain,
    ),
)
SHOWN = {role.name: role.shown for role in ROLES}


class IndicatorCodes:
    """The known indicator codes, matched ignoring case (and, for headers, punctuation)."""

    def __init__(self, codes: Iterable[str]) -> None:
        self.canonical = sorted(set(codes))
        self._exact = frozenset(self.canonical)
        self._by_fold: dict[str, str] = {}
        for code in self.canonical:
            self._by_fold.setdefault(code.casefold(), code)
        normals: dict[str, list[str]] = {}
        for code in self.canonical:
            normals.setdefault(normalise(code), []).append(code)
        # A header that normalises like two codes matches neither.
        self._by_normal = {k: v[0] for k, v in normals.items() if len(v) == 1}

    def match(self, text: str) -> str | None:
        """The known code written ``text``, ignoring case (an exact spelling wins)."""
        if text in self._exact:
            return text
        return self._by_fold.get(text.casefold())

    def match_header(self, header: str) -> str | None:
        """The known code a column header names, ignoring case, spaces and punctuation."""
        return self.match(header) or self._by_normal.get(normalise(header))

    def closest(self, text: str, n: int = 3) -> list[str]:
        folded = difflib.get_close_matches(text.casefold(), list(self._by_fold), n=n)
        return [self._by_fold[f] for f in folded]

    def unknown_reason(self, text: str) -> str:
        reason = f"'{text}' is not a known indicator code"
        if close := self.closest(text, n=1):
            return f"{reason}: did you mean '{close[0]}'?"
        return reason


class RowKeeper:
    """The rows an upload gives and its errors: numbers read, duplicates refused."""

    def __init__(self, layout: Layout) -> None:
        self.layout: Layout = layout
        self.rows: list[ObservationRow] = []
        self.errors = RowErrors()
        self._first_row: dict[tuple[str, str, str], int] = {}

    def error(self, row: int | None, column: str | None, value: str | None, reason: str) -> None:
        self.errors.add(row, column, value, reason)

    def keep(
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
        if len(self.errors) == errors_before:
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
                hint = (
                    "leave the cell empty"
                    if self.layout == "wide"
                    else "leave this observation out of the upload"
                )
                reason += f": {hint}"
            self.error(row, column, text, reason)
            return None

    def is_duplicate(self, row: int, key: tuple[str, str, str], column: str | None) -> bool:
        """Record where a key first appears; report it when it appears again."""
        earlier = self._first_row.setdefault(key, row)
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

    def result(
        self,
        encoding: str,
        notes: list[str],
        *,
        data_rows: int | None = None,
        headings: dict[str, str] | None = None,
        indicator_headings: dict[str, str] | None = None,
    ) -> ParsedObservations:
        return ParsedObservations(
            self.rows,
            self.errors,
            self.layout,
            encoding,
            notes,
            data_rows=data_rows,
            headings=dict(headings or {}),
            indicator_headings=dict(indicator_headings or {}),
        )
