"""Reporting periods of indicator values: reading, normalising and enumerating them.

Every indicator is reported by one type of period. Partners write periods in many ways, so
:func:`parse_period` reads the type it is told to expect, accepts the spellings that cannot
mean anything else, and returns the period with its canonical text:

================  ===========  =========================================================
type              canonical    also accepted
================  ===========  =========================================================
month             ``2021-03``  ``2021-3``, ``2021/03``, ``Mar 2021``, ``March-2021``,
                               ``2021-03-01`` (the first day only, see below)
quarter           ``2021-Q1``  ``2021 Q1``, ``2021q1``, ``2021Q1``, ``Q1 2021``
calendar_year     ``2021``
financial_year    ``2021/22``  ``2021-22``, ``2021/2022``, ``2021 to 2022``, ``202122``,
                               ``FY 2021/22``
academic_year     ``2021/22``  as financial year, with ``AY`` instead of ``FY``
================  ===========  =========================================================

Spaces (around the text, repeated, or around ``-`` and ``/``), letter case and typographic
dashes (the en dashes word processors type) do not matter; a date may carry a midnight
time (``2021-03-01 00:00:00``), as pandas writes dates.

Decisions:

- A date stands for a month only when it is the first of the month. ``2021-03-31`` may be an
  "as at" date closing a quarter or a year as easily as a day in March, so it is refused.
- A year pair must name consecutive years (``2021/23`` is an error), and years are written in
  full: ``21/22`` is refused rather than guessed.
- The expected type decides between readings: ``2009-10`` is October 2009 for a monthly
  indicator and the financial year 2009/10 for a financial-year one.
- Quarters are calendar quarters (Q1 is January to March); financial years run from 1 April,
  academic years from 1 September.
- The first year of a period must lie in 1900..2100; any other text is a
  :class:`PeriodError`, never another exception, so that reading a stored period cannot
  fail. Each indicator narrows the range further (:meth:`.indicator.Indicator.period_problem`).
- Digits are ASCII: ``\u0663`` (Arabic-Indic three) is not a 3.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

MIN_YEAR = 1900
MAX_YEAR = 2100


class PeriodType(StrEnum):
    """The kind of period an indicator is reported by."""

    MONTH = "month"
    QUARTER = "quarter"
    CALENDAR_YEAR = "calendar_year"
    FINANCIAL_YEAR = "financial_year"
    ACADEMIC_YEAR = "academic_year"


class PeriodError(ValueError):
    """A period that cannot be read as the expected type; the message says why in words."""


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period.

    Periods of one type order by their start. Build them with :func:`parse_period` or
    :func:`period_of`, which keep the fields consistent.

    Attributes
    ----------
    start : date
        First day of the period.
    end : date
        The day after the last day (exclusive), which is the next period's ``start``.
    text : str
        Canonical spelling, e.g. ``"2021-03"``, ``"2021-Q1"``, ``"2021/22"``.
    type : PeriodType
        What kind of period this is.
    """

    start: date
    end: date
    text: str
    type: PeriodType

    def __str__(self) -> str:
        return self.text


# --- building periods ------------------------------------------------------------------------

# First month of the year-long period types.
_YEAR_START_MONTH = {
    PeriodType.CALENDAR_YEAR: 1,
    PeriodType.FINANCIAL_YEAR: 4,
    PeriodType.ACADEMIC_YEAR: 9,
}


def _check_year(year: int, text: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(f"'{text}' is out of range: years must lie in {MIN_YEAR}..{MAX_YEAR}")


# The builders check the year before making dates, so that no text, however odd, makes
# them fail otherwise (``date`` stops at year 9999): reading a period is total.


def _month(year: int, month: int) -> Period:
    _check_year(year, f"{year}-{month:02d}")
    end = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return Period(date(year, month, 1), end, f"{year}-{month:02d}", PeriodType.MONTH)


def _quarter(year: int, quarter: int) -> Period:
    _check_year(year, f"{year}-Q{quarter}")
    first_month = 3 * quarter - 2
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, first_month + 3, 1)
    return Period(date(year, first_month, 1), end, f"{year}-Q{quarter}", PeriodType.QUARTER)


def _year_long(period_type: PeriodType, year: int) -> Period:
    _check_year(year, str(year))
    month = _YEAR_START_MONTH[period_type]
    if period_type is PeriodType.CALENDAR_YEAR:
        text = str(year)
    else:
        text = f"{year}/{(year + 1) % 100:02d}"
    return Period(date(year, month, 1), date(year + 1, month, 1), text, period_type)


# --- reading text ----------------------------------------------------------------------------

_MONTH_NAMES = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}

# Spreadsheets and word processors turn hyphens into these.
_DASHES = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2212]")

_YEAR_MONTH = re.compile(r"(?P<year>\d{4})[-/](?P<month>\d{1,2})", re.ASCII)
_NAMED_MONTH = re.compile(r"(?P<name>[a-z]+)[ -](?P<year>\d{4})", re.ASCII)
_DATE = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})(?:[ t]00:00(?::00(?:\.0+)?)?)?", re.ASCII
)
_QUARTER = re.compile(
    r"(?P<year>\d{4})[-/ ]?q(?P<quarter>\d)|q(?P<quarter2>\d)[-/ ]?(?P<year2>\d{4})", re.ASCII
)
_YEAR = re.compile(r"(?P<year>\d{4})", re.ASCII)
_YEAR_PAIR = re.compile(
    r"(?:(?P<prefix>fy|ay) ?)?(?P<year>\d{4})(?:[-/]| to |)(?P<second>\d{4}|\d{2})", re.ASCII
)
_SHORT_PAIR = re.compile(r"(?:(?:fy|ay) ?)?\d{2}[-/]\d{2}", re.ASCII)

_LABELS = {
    PeriodType.MONTH: ("a month", "months"),
    PeriodType.QUARTER: ("a quarter", "quarters"),
    PeriodType.CALENDAR_YEAR: ("a calendar year", "calendar years"),
    PeriodType.FINANCIAL_YEAR: ("a financial year", "financial years"),
    PeriodType.ACADEMIC_YEAR: ("an academic year", "academic years"),
}
_EXAMPLES = {
    PeriodType.MONTH: "2021-03",
    PeriodType.QUARTER: "2021-Q1 (Q1 is January to March)",
    PeriodType.CALENDAR_YEAR: "2021",
    PeriodType.FINANCIAL_YEAR: "2021/22 (1 April 2021 to 31 March 2022)",
    PeriodType.ACADEMIC_YEAR: "2021/22 (1 September 2021 to 31 August 2022)",
}


def expected_form(period_type: PeriodType) -> str:
    """Say how periods of a type are written, for messages: ``"months are written 2021-03"``.

    Parameters
    ----------
    period_type : PeriodType
        The type of period.

    Returns
    -------
    str
        A phrase naming the type and its canonical form with an example.
    """
    return f"{_LABELS[period_type][1]} are written {_EXAMPLES[period_type]}"


class _InvalidError(Exception):
    """The text has the shape of the type but impossible values; ``args[0]`` says why."""


def _read_month(text: str) -> Period | None:
    if m := _YEAR_MONTH.fullmatch(text):
        year, month = int(m["year"]), int(m["month"])
    elif m := _NAMED_MONTH.fullmatch(text):
        if m["name"] not in _MONTH_NAMES:
            raise _InvalidError(f"'{m['name']}' is not the name of a month")
        year, month = int(m["year"]), _MONTH_NAMES[m["name"]]
    elif m := _DATE.fullmatch(text):
        year, month, day = int(m["year"]), int(m["month"]), int(m["day"])
        _check_date(year, month, day)
        if day != 1:
            raise _InvalidError(
                "a date stands for a month only on the first day of the month; "
                "a later day may close a longer period"
            )
    else:
        return None
    if not 1 <= month <= 12:
        raise _InvalidError(f"there is no month {month}")
    return _month(year, month)


def _check_date(year: int, month: int, day: int) -> None:
    try:
        date(year, month, day)
    except ValueError:
        raise _InvalidError("there is no such date") from None


def _read_quarter(text: str) -> Period | None:
    m = _QUARTER.fullmatch(text)
    if m is None:
        return None
    year = int(m["year"] or m["year2"])
    quarter = int(m["quarter"] or m["quarter2"])
    if not 1 <= quarter <= 4:
        raise _InvalidError(f"there is no quarter {quarter}")
    return _quarter(year, quarter)


def _read_calendar_year(text: str) -> Period | None:
    m = _YEAR.fullmatch(text)
    return _year_long(PeriodType.CALENDAR_YEAR, int(m["year"])) if m else None


def _year_pair_reader(period_type: PeriodType) -> Callable[[str], Period | None]:
    # Financial and academic years are written alike; only the optional prefix differs.
    own_prefix = "fy" if period_type is PeriodType.FINANCIAL_YEAR else "ay"

    def read(text: str) -> Period | None:
        m = _YEAR_PAIR.fullmatch(text)
        if m is None:
            if _SHORT_PAIR.fullmatch(text):
                raise _InvalidError("write the first year in full")
            return None
        if m["prefix"] not in (None, own_prefix):
            raise _InvalidError(f"'{m['prefix'].upper()}' marks another type of year")
        year, second = int(m["year"]), m["second"]
        following = year + 1 if len(second) == 4 else (year + 1) % 100
        if int(second) != following:
            consecutive = f"{year}/{(year + 1) % 100:02d}"
            raise _InvalidError(f"the two years must be consecutive, as in {consecutive}")
        return _year_long(period_type, year)

    return read


_READERS: dict[PeriodType, Callable[[str], Period | None]] = {
    PeriodType.MONTH: _read_month,
    PeriodType.QUARTER: _read_quarter,
    PeriodType.CALENDAR_YEAR: _read_calendar_year,
    PeriodType.FINANCIAL_YEAR: _year_pair_reader(PeriodType.FINANCIAL_YEAR),
    PeriodType.ACADEMIC_YEAR: _year_pair_reader(PeriodType.ACADEMIC_YEAR),
}


def _normalise(text: str) -> str:
    spaced = " ".join(_DASHES.sub("-", text).split()).lower()
    return re.sub(r" ?([-/]) ?", r"\1", spaced)  # "2021 / 22" is "2021/22"


def _other_reading(text: str, period_type: PeriodType) -> str | None:
    """Name another type the text is a valid period of, to explain a wrong-type error."""
    year_pairs = {PeriodType.FINANCIAL_YEAR, PeriodType.ACADEMIC_YEAR}
    for other, reader in _READERS.items():
        # Both year pair types read the same text; one of them standing for the other
        # would be a valid reading, not a wrong type.
        if other == period_type or (other in year_pairs and period_type in year_pairs):
            continue
        try:
            period = reader(text)
        except (_InvalidError, PeriodError):
            continue
        if period is not None:
            if other in year_pairs:
                return f"a financial or academic year ({period.text})"
            return f"{_LABELS[other][0]} ({period.text})"
    return None


def parse_period(text: str, period_type: PeriodType) -> Period:
    """Read a period of a given type from text, accepting the usual spellings.

    Parameters
    ----------
    text : str
        The period as written, e.g. ``"2021-3"``, ``"2021 Q1"``, ``"2021-22"``.
    period_type : PeriodType
        The type the indicator is reported by; it decides how the text is read.

    Returns
    -------
    Period
        The period, with its canonical ``text``.

    Raises
    ------
    PeriodError
        When the text is not a period of that type; the message says why and how such
        periods are written, and names the type the text looks like when it is another one.

    Examples
    --------
    >>> parse_period(" 2021-3 ", PeriodType.MONTH).text
    '2021-03'
    >>> parse_period("2021/2022", PeriodType.FINANCIAL_YEAR).start
    datetime.date(2021, 4, 1)
    """
    period_type = PeriodType(period_type)
    shown = text.strip()
    normal = _normalise(text)
    if not normal:
        raise PeriodError(f"the period is blank: {expected_form(period_type)}")
    try:
        period = _READERS[period_type](normal)
    except PeriodError:
        raise PeriodError(
            f"'{shown}' is out of range: years must lie in {MIN_YEAR}..{MAX_YEAR}"
        ) from None
    except _InvalidError as exc:
        reason: str | None = str(exc)
    else:
        if period is not None:
            return period
        reason = None
    other = _other_reading(normal, period_type)
    label = _LABELS[period_type][0]
    if other is not None:
        raise PeriodError(
            f"'{shown}' looks like {other}, but this indicator is reported by "
            f"{label.split(' ', 1)[1]}: {expected_form(period_type)}"
        )
    because = f" ({reason})" if reason else ""
    raise PeriodError(f"'{shown}' is not {label}{because}: {expected_form(period_type)}")


def is_period(text: str, period_type: PeriodType) -> bool:
    """Whether ``text`` reads as a period of ``period_type`` (a stored label that does not,
    written before periods had bounds or by hand, is left out of the periods a reader
    is offered rather than failing the read)."""
    try:
        parse_period(text, period_type)
    except PeriodError:
        return False
    return True


def period_of(day: date, period_type: PeriodType) -> Period:
    """Return the period of a type that contains a day.

    Parameters
    ----------
    day : date
        Any day.
    period_type : PeriodType
        The type of period wanted.

    Returns
    -------
    Period
        The period with ``start <= day < end``.

    Raises
    ------
    PeriodError
        When that period starts outside the years 1900..2100.
    """
    period_type = PeriodType(period_type)
    if period_type is PeriodType.MONTH:
        period = _month(day.year, day.month)
    elif period_type is PeriodType.QUARTER:
        period = _quarter(day.year, (day.month - 1) // 3 + 1)
    else:
        first_month = _YEAR_START_MONTH[period_type]
        year = day.year if day.month >= first_month else day.year - 1
        period = _year_long(period_type, year)
    return period


def periods_between(first: Period, last: Period) -> list[Period]:
    """List the periods from ``first`` to ``last``, both included, in order.

    Parameters
    ----------
    first, last : Period
        Periods of the same type.

    Returns
    -------
    list of Period
        Every period of that type from ``first`` to ``last``; empty when ``last`` comes
        before ``first`` (as ``range`` does).

    Raises
    ------
    PeriodError
        When the two periods are of different types.
    """
    if first.type != last.type:
        raise PeriodError(
            f"cannot list periods from {_LABELS[first.type][0]} ({first.text}) "
            f"to {_LABELS[last.type][0]} ({last.text}): both must be of the same type"
        )
    periods: list[Period] = []
    period = first
    while period.start <= last.start:
        periods.append(period)
        if period.end > last.start:
            break
        period = period_of(period.end, period.type)
    return periods
