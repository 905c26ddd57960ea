"""The exceptions for a file that cannot be read, and the errors of single rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

# RowErrors listed individually; a systematic problem (every date in US order) would otherwise
# return one error per row of a 180,000-row upload. One summary error follows the listed ones.
MAX_ROW_ERRORS: Final = 1000


# Longest value quoted back in an error: a runaway quoted field can hold a whole file.
_MAX_VALUE_CHARS = 100


class EventFormatError(ValueError):
    """The upload cannot be read at all.

    Raised for an unreadable or damaged file, a header that names no category, date or
    coordinate columns, or a GeoJSON document that is not a FeatureCollection. The message
    says what was expected.
    """


class UnsupportedContentTypeError(EventFormatError):
    """The declared content type is neither CSV, GeoJSON, gzip nor a generic binary type."""


@dataclass(frozen=True)
class EventRowError:
    """One problem with one row (or GeoJSON feature) of an upload.

    Attributes
    ----------
    row : int
        The row as in :attr:`EventBatch.row`.
    column : str or None
        The column (or GeoJSON property, or ``"geometry"``) at fault, as the file names it;
        None when the row as a whole is at fault.
    value : str or None
        The offending value as read (shortened when long).
    reason : str
        What is wrong, in words a partner understands.
    """

    row: int
    column: str | None
    value: str | None
    reason: str


@dataclass
class RowErrors:
    """Row errors found so far, listed in row order."""

    found: list[tuple[int, int, str | None, str | None, str]] = field(default_factory=list)

    def add(self, row: int, column: str | None, value: str | None, reason: str) -> None:
        # The running count keeps the errors of one row in the order they were found.
        self.found.append((row, len(self.found), column, clip(value), reason))

    def __bool__(self) -> bool:
        return bool(self.found)

    def bad_rows(self) -> set[int]:
        return {row for row, *_ in self.found}

    def listed(self) -> list[EventRowError]:
        found = sorted(self.found)
        listed = [EventRowError(r, c, v, why) for r, _, c, v, why in found[:MAX_ROW_ERRORS]]
        rest = found[MAX_ROW_ERRORS:]
        if rest:
            first, last = rest[0][0], rest[-1][0]
            listed.append(
                EventRowError(
                    first,
                    None,
                    None,
                    f"{len(rest):,} more errors in rows {first:,} to {last:,} are not listed",
                )
            )
        return listed


def clip(value: str | None) -> str | None:
    if value is None or len(value) <= _MAX_VALUE_CHARS:
        return value
    return value[: _MAX_VALUE_CHARS - 1] + "…"
