"""Dates as partners write them in cells, read to the month."""

from __future__ import annotations

import datetime as dt
import re

YEAR_MONTH = re.compile(r"(?P<y>\d{4})(?P<sep>[-/])(?P<m>\d{1,2})", re.ASCII)
_TIME = r"(?:[T ](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_YEAR_FIRST = re.compile(
    r"(?P<y>\d{4})(?P<sep>[-/])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})" + _TIME, re.ASCII
)
_DAY_FIRST = re.compile(r"(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})" + _TIME, re.ASCII)
_DATE_FORMATS = "YYYY-MM, YYYY-MM-DD, DD/MM/YYYY or an ISO 8601 date-time"


def month_from_date(value: str) -> str:
    """Return the month ``"YYYY-MM"`` of a date as partners write it.

    Parameters
    ----------
    value : str
        ``YYYY-MM``, ``YYYY-MM-DD``, ``DD/MM/YYYY`` (UK order, never US) or an ISO 8601
        date-time (``2019-12-31T23:30:00Z``, ``2019-12-31 23:30``); ``/`` may separate a
        year-first date too. Surrounding spaces are ignored.

    Returns
    -------
    str
        The calendar month as written: a time zone offset never moves a date to another month.

    Raises
    ------
    ValueError
        If the value is blank, in another format or not a real date; the message says which.
    """
    text = value.strip()
    if not text:
        raise ValueError("date is blank")
    if match := YEAR_MONTH.fullmatch(text):
        year, month, day = int(match["y"]), int(match["m"]), 1
    elif (match := _YEAR_FIRST.fullmatch(text)) or (match := _DAY_FIRST.fullmatch(text)):
        year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
    else:
        raise ValueError(f"not a date: use {_DATE_FORMATS}")
    parts = match.groupdict()
    try:
        dt.date(year, month, day)
        if parts.get("H") is not None:
            dt.time(int(parts["H"]), int(parts["M"]), int(parts["S"] or 0))
    except ValueError:
        if match.re is _DAY_FIRST and month > 12 >= day:
            raise ValueError(
                "no such date: dates with slashes are read day first (DD/MM/YYYY), "
                f"so this one has month {month}"
            ) from None
        raise ValueError("no such date or time") from None
    return f"{year:04d}-{month:02d}"
