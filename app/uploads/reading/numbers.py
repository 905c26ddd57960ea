"""Numbers as partners write them in cells, and the markers that are not numbers."""

from __future__ import annotations

import math
import re

# ASCII digits only: Python's \d and float() also read Arabic-Indic, Devanagari and other
# digits, which no partner's system writes on purpose (a "\u0663" is a pasted 3, or worse).
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?", re.IGNORECASE | re.ASCII)
_GROUPED_NUMBER = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?", re.ASCII)
_COMMA_NUMBER = re.compile(r"[+-]?[\d,]*,[\d,]*(?:\.\d*)?", re.ASCII)
_NOT_FINITE = frozenset({"nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"})
# Markers statistical tables put where a value is suppressed, unavailable or not applicable.
_SUPPRESSION_MARKERS = frozenset(
    {"*", "c", "..", "...", "x", "-", "\u2013", "\u2014", ":", "z", "u"}
    | {"[c]", "[x]", "[z]", "[u]", "[low]", "n/a", "na", "#n/a"}
)


class NumberError(ValueError):
    """Text that is not a finite number; ``suppressed`` when it marks a hidden value."""

    def __init__(self, reason: str, *, suppressed: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.suppressed = suppressed


def read_number(text: str, *, grouping: bool = True) -> float:
    """Read a number written in a cell; ``grouping`` allows 1,234 thousands separators
    (not in semicolon-separated files, whose locales write decimal commas).

    Raises
    ------
    NumberError
        With a reason in words when the text is not a finite number.
    """
    if text.casefold() in _SUPPRESSION_MARKERS:
        raise NumberError(
            f"'{text}' marks a suppressed or unavailable value, not a number", suppressed=True
        )
    if _PLAIN_NUMBER.fullmatch(text):
        number = float(text)
    elif _COMMA_NUMBER.fullmatch(text) and not grouping:
        raise NumberError(
            f"'{text}' has a comma, which in a semicolon-separated file may be a decimal "
            "comma: write numbers with a decimal point and no thousands separators"
        )
    elif _GROUPED_NUMBER.fullmatch(text):
        number = float(text.replace(",", ""))
    elif _COMMA_NUMBER.fullmatch(text):
        raise NumberError(
            f"'{text}' has a misplaced thousands separator: commas must separate groups of "
            "three digits (29,199), and decimal commas are not accepted (write 29.19)"
        )
    elif text.casefold() in _NOT_FINITE:
        raise NumberError(f"'{text}' is not a finite number")
    elif text.endswith("%") and _PLAIN_NUMBER.fullmatch(text[:-1].strip()):
        raise NumberError(f"'{text}' has a % sign: write the number alone")
    elif any(c.isdigit() and not c.isascii() for c in text):
        raise NumberError(
            f"'{text}' holds digits other than 0 to 9: write numbers with the digits 0 to 9"
        )
    else:
        raise NumberError(f"'{text}' is not a number")
    if not math.isfinite(number):
        raise NumberError(f"'{text}' is too large")
    return number
