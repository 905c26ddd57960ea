"""Normalising area codes read from files of any type."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geodata.codes import clean_code


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("E01007823", "E01007823"),
        ("  00CG ", "00CG"),
        (7, "7"),
        (7.0, "7"),
        (np.int64(12), "12"),
        (np.float64(3.0), "3"),
        (1.5, "1.5"),
        (None, None),
        (float("nan"), None),
        (pd.NA, None),
        ("   ", None),
    ],
)
def test_clean_code(value: object, expected: str | None) -> None:
    assert clean_code(value) == expected
