"""The ``datetime=`` of OGC API Features (and of downloads and tiles) read as a span of days.

Two notations are accepted, so that a GIS client and the page can both be used:

- RFC 3339, as OGC API Features asks: an instant (``2022-06-01``, ``2022-06-01T00:00:00Z``)
  or an interval of two of them (``2022-01-01/2022-12-31``), either end open (``..`` or
  empty: ``../2022-12-31``, ``2022-01-01/..``);
- the project's period notation (:mod:`app.indicators.periods`): ``2022-06``, ``2022-Q1``,
  ``2022``, ``2022/23``, and the other spellings it reads. The indicator's own period type
  reads the text first (it decides ``2009-10``: October for a monthly indicator, 2009/10 for
  a yearly one); any other type's reading stands for the days that period covers.

A time of day is ignored: periods are whole days, and the date is taken as written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.errors import InvalidParameterError
from app.indicators.periods import Period, PeriodError, PeriodType, parse_period

EXPECTED = (
    "an RFC 3339 date, date-time or interval (2022-06-01, 2022-06-01T00:00:00Z, "
    "2022-01-01/2022-12-31, ../2022-12-31, 2022-01-01/..) or a period as the project "
    "writes them (2022-06, 2022-Q1, 2022, 2022/23)"
)
OPEN = ("", "..")


@dataclass(frozen=True)
class Span:
    """Days from ``start`` (inclusive) to ``end`` (exclusive); None is open. ``period`` is
    the text's own period when it named one of the indicator's type (canonical text)."""

    start: date | None
    end: date | None
    period: str | None = None
    instant: bool = False

    def overlaps(self, period: Period) -> bool:
        return (self.start is None or period.end > self.start) and (
            self.end is None or period.start < self.end
        )


def _instant(text: str) -> date | None:
    """An RFC 3339 full-date or date-time's date, or None if the text is neither."""
    if len(text) == 10:
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    if len(text) > 10 and text[10] in "Tt ":
        try:
            return datetime.fromisoformat(text.replace("z", "Z")).date()
        except ValueError:
            return None
    return None


def read_span(text: str, period_type: PeriodType) -> Span:
    """``datetime=`` as days; a 400 naming both notations for anything else."""
    raw = text.strip()
    day = _instant(raw)
    if day is not None:
        return Span(day, day + timedelta(days=1), instant=True)
    if raw.count("/") == 1:
        first, last = (part.strip() for part in raw.split("/"))
        start, end = _instant(first), _instant(last)
        if (start is not None or first in OPEN) and (end is not None or last in OPEN):
            if first in OPEN and last in OPEN:
                raise InvalidParameterError(
                    f"datetime {text!r} is open at both ends; give at least one date"
                )
            if start is not None and end is not None and end < start:
                raise InvalidParameterError(f"datetime {text!r} ends before it starts")
            return Span(start, None if end is None else end + timedelta(days=1))
    period = _period(raw, period_type)
    if period is None:
        raise InvalidParameterError(f"datetime must be {EXPECTED}; got {text!r}")
    own = period.type is PeriodType(period_type)
    return Span(period.start, period.end, period.text if own else None)


def _period(text: str, period_type: PeriodType) -> Period | None:
    types = [PeriodType(period_type), *(t for t in PeriodType if t != period_type)]
    for kind in types:
        try:
            return parse_period(text, kind)
        except PeriodError:
            continue
    return None


def choose(span: Span, labels: list[str], period_type: PeriodType) -> list[str]:
    """The periods of ``labels`` (in order) that ``span`` selects: the one it names, the
    one holding an instant, or every one an interval or another type's period overlaps."""
    if span.period is not None:
        return [span.period] if span.period in labels else []
    return [p for p in labels if span.overlaps(parse_period(p, period_type))]
