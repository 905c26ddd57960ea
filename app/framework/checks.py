"""How the framework reads what people type: codes, names, periods, dates and choices,
each refused with a message that says which field and why (FrameworkRejectedError)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date
from typing import Any

from app.errors import FrameworkRejectedError
from app.indicators.indicator import Indicator
from app.indicators.periods import PeriodError, parse_period

CODE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
MAX_TITLE = 200
MAX_TEXT = 10_000
# Targets and baselines are amounts of an indicator: far beyond any, a typing slip.
MAX_AMOUNT = 1e12


def code(field: str, value: Any) -> str:
    raw = str(value or "").strip().lower()
    if not CODE.match(raw):
        raise FrameworkRejectedError(
            f"{field} {value!r} is not a code: 1 to 64 of a-z, 0-9, '.', '_' and '-', "
            "starting with a letter or digit"
        )
    return raw


def words(field: str, value: Any, *, limit: int = MAX_TITLE, empty: bool = False) -> str:
    """Text a person wrote: spaces tidied for a title, kept for long text; no control
    characters (a line break is allowed in long text)."""
    raw = "" if value is None else str(value)
    text = " ".join(raw.split()) if limit <= MAX_TITLE else raw.strip()
    if not text and not empty:
        raise FrameworkRejectedError(f"{field} is empty")
    if len(text) > limit:
        raise FrameworkRejectedError(f"{field} has at most {limit:,} characters; got {len(text):,}")
    allowed = {"\n", "\t"} if limit > MAX_TITLE else set()
    if any(unicodedata.category(ch).startswith("C") and ch not in allowed for ch in text):
        raise FrameworkRejectedError(f"{field} must not hold control characters")
    return text


def choice(field: str, value: Any, allowed: Iterable[str]) -> str:
    options = tuple(allowed)
    raw = str(value or "").strip().lower().replace(" ", "_").replace("-", "_")
    if raw not in options:
        raise FrameworkRejectedError(f"{field} {value!r} is not one of {', '.join(options)}")
    return raw


def period(field: str, value: Any, indicator: Indicator) -> str:
    """A period of the indicator's type, in its canonical spelling."""
    try:
        return parse_period(str(value or "").strip(), indicator.period_type).text
    except PeriodError as exc:
        raise FrameworkRejectedError(f"{field} {value!r}: {exc}") from exc


def day(field: str, value: Any) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise FrameworkRejectedError(f"{field} {value!r} is not a date (YYYY-MM-DD)") from exc


def number(field: str, value: Any, *, low: float | None = None, high: float | None = None) -> float:
    try:
        x = float(str(value).strip().replace(",", ""))
    except ValueError as exc:
        raise FrameworkRejectedError(f"{field} {value!r} is not a number") from exc
    if x != x or abs(x) > MAX_AMOUNT:
        raise FrameworkRejectedError(
            f"{field} {value!r} is not a number between -{MAX_AMOUNT:g} and {MAX_AMOUNT:g}"
        )
    if (low is not None and x < low) or (high is not None and x > high):
        raise FrameworkRejectedError(f"{field} {value!r} is outside {low} to {high}")
    return x


def whole(field: str, value: Any, low: int, high: int) -> int:
    x = number(field, value, low=low, high=high)
    if x != int(x):
        raise FrameworkRejectedError(f"{field} {value!r} is not a whole number")
    return int(x)


def profile(field: str, value: Any) -> list[float]:
    """A seasonal profile: 12 positive weights, January first, scaled to mean 1."""
    weights = [number(f"{field}[{i + 1}]", v, low=0) for i, v in enumerate(value or [])]
    if len(weights) != 12 or min(weights) <= 0:
        raise FrameworkRejectedError(
            f"{field} needs 12 positive weights, one per month from January; got {len(weights)}"
        )
    mean = sum(weights) / 12
    return [w / mean for w in weights]
