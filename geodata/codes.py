"""Normalising area codes and names read from files.

Codes arrive as strings, integers or floats depending on the file format and on how a column
with missing values was typed (an integer column with a NULL comes back as float). They must
compare equal across files, so they are normalised to trimmed strings with integer-valued
numbers written without a decimal part (1.0 -> "1").
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import pandas as pd


def clean_code(value: object) -> str | None:
    """Return an area code as a trimmed string, or None when it is missing or blank.

    Parameters
    ----------
    value : object
        A cell value: str, int, float, numpy scalar, None, NaN or pandas NA.

    Returns
    -------
    str or None
        ``"1"`` for ``1`` or ``1.0``, ``"1.5"`` for ``1.5``, the stripped text otherwise;
        None for None, NaN, pandas NA and blank strings.
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, Integral):
        return str(int(value))
    if isinstance(value, Real):
        number = float(value)
        if math.isnan(number):
            return None
        return str(int(number)) if number.is_integer() else repr(number)
    return str(value).strip() or None


def clean_name(value: object) -> str | None:
    """Return a display name as a trimmed string, or None when it is missing or blank.

    Numbers are written like codes (``3.0`` -> ``"3"``), for number-named areas.
    """
    return clean_code(value)
