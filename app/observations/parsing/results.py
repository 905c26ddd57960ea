"""What reading an upload of observations gives: rows, row errors, layout and notes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

MAX_ERRORS = 1000

Layout = Literal["long", "wide", "json"]


@dataclass(frozen=True)
class ObservationRow:
    """One observation as uploaded, before the caller validates area and period.

    Attributes
    ----------
    row : int
        Where it came from: the spreadsheet row number (the header is row 1) for CSV, the
        1-based index of the record for JSON.
    area_code : str
        The area code as written, stripped.
    period : str
        The period as written, stripped (or the default period).
    indicator : str
        The indicator code, spelled as in the known codes.
    value : float or None
        The value (always set by :func:`parse_observations`).
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


@dataclass(frozen=True)
class RowError:
    """A problem with one row or cell of an upload.

    Attributes
    ----------
    row : int or None
        Row number as in :class:`ObservationRow`; None for a summary such as "... and 12 more".
    column : str or None
        The column header (CSV) or key (JSON) concerned, as written in the upload.
    value : str or None
        The offending text, as written.
    reason : str
        What is wrong and how to fix it.
    """

    row: int | None
    column: str | None
    value: str | None
    reason: str


@dataclass
class ParsedUpload:
    """What an upload holds.

    Attributes
    ----------
    rows : list of ObservationRow
        The observations read without error.
    errors : list of RowError
        Every problem found, at most ``MAX_ERRORS`` then one "... and N more".
    layout : {"long", "wide", "json"}
        How the upload was laid out.
    encoding : str
        Python codec used to read it, e.g. ``"utf-8"``, ``"utf-8-sig"`` (with a byte order
        mark), ``"cp1252"``.
    notes : list of str
        What the user should know: guessed encoding, ignored columns, blank cells...
    """

    rows: list[ObservationRow]
    errors: list[RowError]
    layout: Layout
    encoding: str
    notes: list[str] = field(default_factory=list)
